from django.contrib import admin

from ..models import Detainer
from .base import HistoryAdmin
from .detainer_corrections import DetainerCorrectionMixin


@admin.register(Detainer)
class DetainerAdmin(DetainerCorrectionMixin, HistoryAdmin):
    list_display = [
        "__str__",
        "report",
        "declining_agency",
        "quarter",
        "lodged_on",
        "released_on",
        "verification_status",
    ]
    list_filter = ["verification_status", "report__status", "quarter", "form", "declining_agency__state"]
    list_select_related = ["report", "declining_agency"]
    search_fields = ["case_id", "declining_agency__name", "declining_agency__ori", "report__title"]
    date_hierarchy = "lodged_on"
    autocomplete_fields = ["report", "individual", "custody_arrest", "declining_agency"]
    readonly_fields = ["case_id", "quarter", "days_to_next_arrest", "created_at", "updated_at"]
    fieldsets = [
        ("Citation", {"fields": ["report", "row", "page", "case_id"]}),
        ("Who and where", {"fields": ["individual", "custody_arrest", "declining_agency", "form"]}),
        (
            "Dates",
            {
                "fields": [
                    ("lodged_on", "lodged_on_precision"),
                    ("declined_on", "declined_on_precision"),
                    ("released_on", "released_on_precision"),
                ]
            },
        ),
        ("Verification", {"fields": ["verification_status", "agency_response"]}),
        ("Derived", {"fields": ["quarter", "days_to_next_arrest", "created_at", "updated_at"]}),
    ]
