from django.contrib import admin
from django.db.models import Count

from ..models import Report
from .base import HistoryAdmin
from .publishing import PublishingMixin
from .report_import import ReportImportMixin


@admin.register(Report)
class ReportAdmin(ReportImportMixin, PublishingMixin, HistoryAdmin):
    list_display = ["title", "kind", "quarter_label", "published_on", "status", "case_count", "stated_total"]
    list_filter = ["status", "kind", "fiscal_year", "fiscal_quarter"]
    search_fields = ["title", "slug", "publisher", "source_url"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["quarter", "source_document_sha256", "made_public_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "slug", "status"]}),
        ("Period", {"fields": ["period_start", "period_end", "quarter", "published_on"]}),
        (
            "Source",
            {
                "fields": [
                    "publisher",
                    "source_url",
                    "source_document",
                    "source_document_sha256",
                    "archived_url",
                    "source_citation",
                ]
            },
        ),
        ("As stated by the source", {"fields": ["stated_total", "scope_notes", "methodology_notes"]}),
        ("Audit", {"fields": ["made_public_at", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=Count("detainers", distinct=True))

    @admin.display(description="Cases", ordering="case_count")
    def case_count(self, obj):
        return obj.case_count

    @admin.display(description="Quarter", ordering="quarter")
    def quarter_label(self, obj):
        return obj.fiscal_period.label
