"""Reports: one publication each, the source of every case."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .. import urlmemo
from ..documents import sha256_of, source_document_path, validate_pdf
from ..fiscal import FiscalQuarter
from .base import SluggedModel, SlugQuerySet, Timestamped


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly Declined Detainer Outcome Report"
    QUARTERLY = "quarterly", "Quarterly Declined Detainer Report"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


HAS_SOURCE = ~Q(source_url="") | ~Q(source_document="") | ~Q(archived_url="") | ~Q(source_citation="")


class ReportQuerySet(SlugQuerySet):
    def published(self):
        return self.filter(status=ReportStatus.PUBLISHED)

    def visible_to(self, user):
        return self if getattr(user, "is_staff", False) else self.published()

    def with_case_counts(self):
        """Each report with ``case_count``: the cases we hold, to set beside its stated total.
        A published report's from the rollups; a draft's (staff only) counted."""
        from .detainers import Detainer
        from .rollups import CaseReportRollup, summed

        published = summed(CaseReportRollup.objects.filter(report=models.OuterRef("pk")), "report")
        held = Detainer.objects.filter(report=models.OuterRef("pk"), row__isnull=False).order_by()
        counted = models.Subquery(held.values("report").annotate(n=models.Count("pk")).values("n"))
        return self.annotate(
            case_count=models.Case(
                models.When(status=ReportStatus.PUBLISHED, then=published),
                default=Coalesce(counted, 0),
            )
        )


class Report(SluggedModel, Timestamped):
    slug_alias_kind = "report"

    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    title = models.CharField(max_length=250)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Part of every case id in this report, e.g. fy2018-q2 gives fy2018-q2-07.",
    )
    period_start = models.DateField("period covered from")
    period_end = models.DateField("period covered to")
    fiscal_year = models.PositiveSmallIntegerField(editable=False)
    fiscal_quarter = models.PositiveSmallIntegerField(editable=False)
    quarter = models.CharField(
        max_length=9, editable=False, help_text="Derived from the start of the period, e.g. fy2018-q2."
    )
    published_on = models.DateField("publication date", help_text="When the publisher released it.")

    publisher = models.CharField(max_length=200, default="U.S. Immigration and Customs Enforcement")
    source_url = models.URLField("source URL", max_length=500, blank=True)
    source_document = models.FileField(
        upload_to=source_document_path,
        blank=True,
        validators=[validate_pdf],
        help_text="The report as published (PDF, up to 25 MB). Its SHA-256 checksum is stored with it.",
    )
    source_document_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    archived_url = models.URLField("archived copy URL", max_length=500, blank=True)
    source_citation = models.TextField(
        blank=True,
        help_text="Where the source can be found when no URL or document is held, "
        "e.g. the press coverage a transcription came from.",
    )

    stated_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="The total the report itself states, if it gives one."
    )
    scope_notes = models.TextField("scope", blank=True, help_text="As stated by the source.")
    methodology_notes = models.TextField("methodology", blank=True, help_text="As stated by the source.")

    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    made_public_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "kind", "slug"]
        permissions = [
            ("publish_report", "Can publish and unpublish reports"),
            ("import_report", "Can import a report's cases from a file"),
        ]
        indexes = [
            models.Index(fields=["status", "quarter"], name="report_status_quarter_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="report_period_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | HAS_SOURCE,
                name="report_published_has_source",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.period_start:
            period = FiscalQuarter.from_date(self.period_start)
            self.fiscal_year, self.fiscal_quarter, self.quarter = period.year, period.quarter, period.slug
        document = self.source_document
        # A new upload, or a file stored by another path (FieldFile.save) without a checksum yet.
        if document and (not getattr(document, "_committed", True) or not self.source_document_sha256):
            self.source_document_sha256 = sha256_of(document)
        elif not document:
            self.source_document_sha256 = ""
        if self.status == ReportStatus.PUBLISHED and self.made_public_at is None:
            self.made_public_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return urlmemo.slug_url("cases:report-detail", "slug", self.slug)

    @property
    def fiscal_period(self) -> FiscalQuarter:
        return FiscalQuarter(self.fiscal_year, self.fiscal_quarter)

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED

    @property
    def has_source(self) -> bool:
        return bool(self.source_url or self.source_document or self.archived_url or self.source_citation)

    def clean(self):
        super().clean()
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = "The period cannot end before it starts."
        elif self.kind == ReportKind.QUARTERLY and self.period_start and self.period_end:
            period = FiscalQuarter.from_date(self.period_start)
            if (self.period_start, self.period_end) != (period.start, period.end):
                errors["period_end"] = (
                    f"A quarterly report covers one whole fiscal quarter. {period.label} runs "
                    f"from {period.start:%d %b %Y} to {period.end:%d %b %Y}."
                )
        if self.status == ReportStatus.PUBLISHED:
            errors.update(self.publication_problems())
        if errors:
            raise ValidationError(errors)

    def publication_problems(self):
        """What stops this report being published, as {field: message or [messages]}.

        Checks the source, that there are cases, that each is cited, and that each case
        (with its individual's arrests and charges) passes full validation.
        """
        problems = {}
        if not self.has_source:
            problems["source_url"] = (
                "A published report needs a source: a source URL, an uploaded document, an archived copy or a citation."
            )
        if self.pk is None or not self.detainers.exists():
            problems["status"] = "A published report needs at least one case."
        else:
            uncited = self.detainers.filter(row__isnull=True).count()
            if uncited:
                problems["status"] = f"{uncited} case(s) have no row citation."
            else:
                invalid = self.case_validation_problems()
                if invalid:
                    problems["status"] = invalid
        return problems

    def case_validation_problems(self):
        """One readable line per validation error in this report's cases, their arrests and charges."""
        from .detainers import Detainer

        lines = []
        cases = Detainer.objects.filter(report=self).select_related("report", "custody_arrest", "individual")
        for case in cases.prefetch_related("individual__arrests__charges", "individual__arrests__detainers"):
            objects = [case, case.individual]
            for arrest in case.individual.arrests.all():
                objects.append(arrest)
                objects.extend(arrest.charges.all())
            for obj in objects:
                # Foreign keys are enforced by the database; skipping their lookups keeps this a
                # handful of queries for a report of hundreds of cases.
                relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
                try:
                    obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        where = "" if field == "__all__" else f" ({obj._meta.get_field(field).verbose_name})"
                        lines.extend(f"Case {case.case_id}, {obj._meta.verbose_name}{where}: {m}" for m in messages)
        return lines
