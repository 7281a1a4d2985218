"""Individuals with their arrests (charges nested inside) and detainers, on one page."""

import nested_admin
from django.contrib import admin
from django.db.models import Count
from nested_admin.formsets import NestedInlineFormSet

from ..models import Arrest, ArrestCharge, Detainer, Individual
from .base import HistoryAdmin


class LabelledFormSet(NestedInlineFormSet):
    """A tabular inline names its columns in the table head only, so each field also gets its
    label as an accessible name, the delete box included (it is added here, after the form)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))


class ArrestChargeInline(nested_admin.NestedTabularInline):
    model = ArrestCharge
    formset = LabelledFormSet
    extra = 0
    min_num = 0
    autocomplete_fields = ["category"]
    fields = ["category", "wording", "kind"]


class ArrestInline(nested_admin.NestedStackedInline):
    model = Arrest
    extra = 0
    autocomplete_fields = ["arresting_agency"]
    fields = [("arrested_on", "arrested_on_precision"), ("arresting_agency", "age_at_arrest"), "citation"]
    inlines = [ArrestChargeInline]
    show_change_link = True


class DetainerInline(nested_admin.NestedStackedInline):
    model = Detainer
    fk_name = "individual"
    extra = 0
    autocomplete_fields = ["report", "declining_agency", "custody_arrest"]
    fields = [
        ("report", "row", "page"),
        ("declining_agency", "custody_arrest", "form"),
        ("lodged_on", "lodged_on_precision"),
        ("declined_on", "declined_on_precision"),
        ("released_on", "released_on_precision"),
        ("verification_status", "agency_response"),
    ]
    # The status changes on the case's own page, where a correction note is required,
    # and a case is never deleted from here.
    readonly_fields = ["verification_status"]
    can_delete = False
    show_change_link = True


@admin.register(Individual)
class IndividualAdmin(nested_admin.NestedModelAdminMixin, HistoryAdmin):
    list_display = ["__str__", "citizenship", "gender", "arrest_count", "case_ids", "updated_at"]
    list_filter = ["gender", "citizenship"]
    search_fields = ["=id", "notes", "detainers__case_id"]
    date_hierarchy = "created_at"
    inlines = [ArrestInline, DetainerInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(arrest_count=Count("arrests", distinct=True))
            .prefetch_related("detainers")
        )

    @admin.display(description="Arrests", ordering="arrest_count")
    def arrest_count(self, obj):
        return obj.arrest_count

    @admin.display(description="Cases")
    def case_ids(self, obj):
        return ", ".join(d.case_id for d in obj.detainers.all() if d.case_id) or "—"


class PlainArrestChargeInline(admin.TabularInline):
    model = ArrestCharge
    extra = 1
    autocomplete_fields = ["category"]
    fields = ["category", "wording", "kind"]


@admin.register(Arrest)
class ArrestAdmin(HistoryAdmin):
    list_display = [
        "__str__",
        "individual",
        "arrested_on",
        "arrested_on_precision",
        "arresting_agency",
        "age_at_arrest",
    ]
    list_filter = ["arrested_on_precision", "arresting_agency__state"]
    list_select_related = ["individual", "arresting_agency"]
    search_fields = ["=individual__id", "arresting_agency__name", "charges__wording", "detainers__case_id"]
    date_hierarchy = "arrested_on"
    autocomplete_fields = ["individual", "arresting_agency"]
    inlines = [PlainArrestChargeInline]
