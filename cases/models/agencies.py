"""Law-enforcement agencies, identified by ORI and state, never by name alone."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .. import urlmemo
from ..geo import US_STATES
from .base import SluggedModel, SlugQuerySet, Timestamped
from .reference import FieldOffice

ori_validator = RegexValidator(
    r"^[A-Z]{2}[A-Z0-9]{7}$",
    "An ORI is 9 characters: the two-letter state code, then 7 letters or digits, e.g. CA0194200.",
)


class AgencyType(models.TextChoices):
    POLICE = "police", "Police department"
    SHERIFF = "sheriff", "Sheriff's office"
    COUNTY_JAIL = "county_jail", "County jail"
    STATE = "state", "State prison or jail"
    OTHER = "other", "Other"


class AgencyQuerySet(SlugQuerySet):
    def with_case_counts(self):
        """Each agency with ``case_count``: the published cases it declined (from the rollups)."""
        from .rollups import CaseRollup, summed

        rows = CaseRollup.objects.filter(declining_agency=models.OuterRef("pk"))
        return self.annotate(case_count=summed(rows, "declining_agency"))

    def visible_to(self, user):
        """The public sees agencies named in a published case; staff see every agency."""
        if getattr(user, "is_staff", False):
            return self
        from .rollups import CaseRollup

        return self.filter(pk__in=CaseRollup.objects.values("declining_agency_id"))

    def for_detail(self):
        return self.select_related("aor", "parent")


class Agency(SluggedModel, Timestamped):
    slug_alias_kind = "agency"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    agency_type = models.CharField("type", max_length=20, choices=AgencyType.choices)
    ori = models.CharField(
        "ORI",
        max_length=9,
        blank=True,
        validators=[ori_validator],
        help_text="FBI Originating Agency Identifier. Optional; unique when present.",
    )
    city = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, choices=US_STATES)
    aor = models.ForeignKey(
        FieldOffice,
        verbose_name="ICE AOR",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="parent agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="For example, the sheriff's office that runs a jail.",
    )
    notes = models.TextField(blank=True)

    objects = AgencyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "state"]
        verbose_name_plural = "agencies"
        indexes = [
            models.Index(fields=["state"], name="agency_state_idx"),
            models.Index(fields=["agency_type"], name="agency_type_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ori"], condition=~Q(ori=""), name="agency_ori_unique_when_present"),
            models.UniqueConstraint(fields=["name", "state"], name="agency_unique_name_per_state"),
            models.CheckConstraint(
                condition=Q(ori="") | Q(ori__startswith=F("state")),
                name="agency_ori_prefix_matches_state",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.state})"

    def get_absolute_url(self):
        return urlmemo.slug_url("cases:agency-detail", "slug", self.slug)

    def clean(self):
        super().clean()
        self.ori = (self.ori or "").strip().upper()
        if self.ori and self.state and not self.ori.startswith(self.state):
            raise ValidationError(
                {
                    "ori": f"This ORI starts with {self.ori[:2]}, but the agency is in "
                    f"{self.state}. An ORI begins with its agency's state code."
                }
            )
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "An agency cannot be its own parent."})
