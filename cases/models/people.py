"""Individuals as the sources describe them, and their arrests and charges.

Nothing here identifies a person: no name, no date of birth.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from ..dates import PartialDate, Precision, month_precision_on_first_q
from .agencies import Agency
from .base import Timestamped
from .reference import ChargeCategory


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"


class Individual(Timestamped):
    citizenship = CountryField("country of citizenship")
    gender = models.CharField(
        max_length=10, choices=Gender.choices, blank=True, help_text="Leave blank when not reported."
    )
    notes = models.TextField(blank=True, help_text="Public. Never record a name or anything identifying.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["citizenship"], name="individual_citizenship_idx")]

    def __str__(self):
        return f"Individual {self.pk or 'new'} ({self.citizenship.name or 'citizenship unknown'})"


class ArrestQuerySet(models.QuerySet):
    def for_timeline(self):
        """Arrests in date order with their agencies. Their charges: ``ArrestCharge.objects.of_individual``."""
        return self.select_related("arresting_agency").order_by("arrested_on", "pk")


class Arrest(Timestamped):
    individual = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="arrests")
    arresting_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arrests",
        help_text="The agency that made the arrest, which may differ from the one that declined.",
    )
    arrested_on = models.DateField(
        "arrest date",
        null=True,
        blank=True,
        help_text="Leave empty when the source gives no date. For a month only, enter the 1st and choose Month.",
    )
    arrested_on_precision = models.CharField(
        "arrest date precision", max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    age_at_arrest = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(10), MaxValueValidator(110)]
    )
    citation = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where this arrest is documented, when not in the case's report row.",
    )

    objects = ArrestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["individual", "arrested_on", "pk"]
        indexes = [models.Index(fields=["individual", "arrested_on"], name="arrest_individual_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_at_arrest__isnull=True) | Q(age_at_arrest__gte=10, age_at_arrest__lte=110),
                name="arrest_age_plausible",
            ),
            models.CheckConstraint(
                condition=month_precision_on_first_q("arrested_on"), name="arrest_month_precision_first_day"
            ),
        ]

    def __str__(self):
        agency = self.arresting_agency.name if self.arresting_agency_id else "agency not reported"
        return f"Arrest {self.arrested or 'date not reported'} ({agency})"

    @property
    def arrested(self) -> PartialDate:
        return PartialDate.of(self.arrested_on, self.arrested_on_precision)

    def save(self, *args, **kwargs):
        if self.arrested_on and self.arrested_on_precision == Precision.MONTH:
            self.arrested_on = self.arrested_on.replace(day=1)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        arrested = self.arrested
        if arrested is None or self.pk is None:
            return
        for detainer in self.detainers.all():
            lodged = detainer.lodged
            if lodged and arrested.is_certainly_after(lodged):
                raise ValidationError(
                    {
                        "arrested_on": f"Detainer {detainer} was lodged ({lodged}) during this arrest's "
                        f"custody, so the arrest cannot be later ({arrested})."
                    }
                )


class ChargeKind(models.TextChoices):
    CHARGE = "charge", "Charge"
    CONVICTION = "conviction", "Conviction"


class ArrestChargeQuerySet(models.QuerySet):
    def of_individual(self, individual_id):
        """Every charge of an individual's arrests with its category, grouped by arrest. Ordered by
        column, not by the Meta ordering, which would join each charge's arrest for its date."""
        return self.filter(arrest__individual_id=individual_id).select_related("category").order_by("arrest_id", "pk")


class ArrestCharge(models.Model):
    arrest = models.ForeignKey(Arrest, on_delete=models.CASCADE, related_name="charges")
    category = models.ForeignKey(ChargeCategory, on_delete=models.PROTECT, related_name="arrest_charges")
    wording = models.CharField(
        "wording as published", max_length=300, help_text='e.g. "possession of a controlled substance"'
    )
    kind = models.CharField(
        max_length=10,
        choices=ChargeKind.choices,
        help_text="A charge is an accusation; a conviction is a finding of guilt. Never guess.",
    )

    objects = ArrestChargeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["arrest", "pk"]
        indexes = [models.Index(fields=["category"], name="arrestcharge_category_idx")]

    def __str__(self):
        return f"{self.wording} ({self.get_kind_display().lower()}, {self.category.name})"

    def clean(self):
        super().clean()
        if self.wording and not self.wording.strip():
            raise ValidationError({"wording": "Enter the charge as the source words it."})
