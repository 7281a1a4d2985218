"""Public, dated corrections to a report or a case."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .detainers import Detainer
from .reports import Report, ReportStatus


class CorrectionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(report__status=ReportStatus.PUBLISHED)

    def visible_to(self, user):
        return self if getattr(user, "is_staff", False) else self.published()

    def for_list(self):
        return self.select_related("report", "detainer")


class Correction(models.Model):
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections")
    detainer = models.ForeignKey(
        Detainer,
        verbose_name="case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    published_on = models.DateField("date", default=timezone.localdate)
    what_changed = models.TextField()
    reason = models.TextField()
    source = models.CharField(
        "source of the correction",
        max_length=300,
        help_text="For example: letter from the agency, 22 Mar 2017; ICE corrected edition.",
    )
    source_url = models.URLField("source URL", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CorrectionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "-pk"]
        indexes = [models.Index(fields=["published_on"], name="correction_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False) | Q(detainer__isnull=False),
                name="correction_has_subject",
            ),
        ]

    def __str__(self):
        return f"Correction of {self.published_on:%d %b %Y} to {self.detainer or self.report}"

    def save(self, *args, **kwargs):
        if self.detainer_id and not self.report_id:
            self.report_id = self.detainer.report_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("cases:correction-list") + f"#correction-{self.pk}"

    def clean(self):
        super().clean()
        if not self.report_id and not self.detainer_id:
            raise ValidationError("A correction must name the report or the case it corrects.")
        if self.detainer_id and self.report_id and self.detainer.report_id != self.report_id:
            raise ValidationError({"report": "This case belongs to a different report."})
