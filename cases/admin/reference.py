from django.contrib import admin

from ..models import ChargeCategory, FieldOffice, SlugAlias
from .base import HistoryAdmin


@admin.register(ChargeCategory)
class ChargeCategoryAdmin(HistoryAdmin):
    list_display = ["code", "name", "slug"]
    list_display_links = ["code", "name"]
    search_fields = ["code", "name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(FieldOffice)
class FieldOfficeAdmin(HistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SlugAlias)
class SlugAliasAdmin(admin.ModelAdmin):
    """Read-only: aliases are written when a slug changes, so old links keep working."""

    list_display = ["slug", "kind", "object_id", "created_at"]
    list_filter = ["kind"]
    search_fields = ["slug"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
