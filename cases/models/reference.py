"""Reference data seeded by migration: ICE field offices (AORs) and NCIC charge categories."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import OuterRef
from simple_history.models import HistoricalRecords

from .. import urlmemo
from .base import SluggedModel, SlugQuerySet


class FieldOffice(models.Model):
    """An ICE Enforcement and Removal Operations Area of Responsibility (AOR)."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "ICE field office (AOR)"
        verbose_name_plural = "ICE field offices (AORs)"

    def __str__(self):
        return self.name


class ChargeCategoryQuerySet(SlugQuerySet):
    def with_case_counts(self):
        """Published cases with this category before release, after it, and at all (from the rollups)."""
        from .rollups import ChargeReportRollup, summed

        def count(timing):
            return summed(ChargeReportRollup.objects.filter(category=OuterRef("pk"), timing=timing), "category")

        return self.annotate(prior_count=count("prior"), subsequent_count=count("subsequent"), case_count=count("any"))


class ChargeCategory(SluggedModel):
    """An NCIC offense category: the first two digits of an NCIC offense code."""

    slug_alias_kind = "charge"

    code = models.CharField(
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{2}$", "Enter the two-digit NCIC category, e.g. 35.")],
        help_text="Two-digit NCIC category, e.g. 35.",
    )
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    objects = ChargeCategoryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "charge categories"

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return urlmemo.slug_url("cases:charge-detail", "slug", self.slug)
