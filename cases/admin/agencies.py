from django.contrib import admin

from ..models import Agency
from .base import HistoryAdmin


@admin.register(Agency)
class AgencyAdmin(HistoryAdmin):
    list_display = ["name", "agency_type", "city", "county", "state", "ori", "aor"]
    list_filter = ["agency_type", "state", "aor"]
    list_select_related = ["aor"]
    search_fields = ["name", "city", "county", "ori", "slug"]
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ["name", "state"]}
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "agency_type", "ori"]}),
        ("Location", {"fields": ["city", "county", "state", "aor"]}),
        ("Relations", {"fields": ["parent", "notes"]}),
    ]
