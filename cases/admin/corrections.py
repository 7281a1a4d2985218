from django.contrib import admin

from ..models import Correction
from .base import HistoryAdmin


@admin.register(Correction)
class CorrectionAdmin(HistoryAdmin):
    list_display = ["published_on", "report", "detainer", "source", "recorded_by"]
    list_filter = ["report"]
    list_select_related = ["report", "detainer", "recorded_by"]
    search_fields = ["what_changed", "reason", "source", "detainer__case_id", "report__title"]
    date_hierarchy = "published_on"
    autocomplete_fields = ["report", "detainer"]
    readonly_fields = ["recorded_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
