"""Shared admin behaviour: full change history on every model."""

from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """A model admin whose History page lists who changed what, when, old → new."""

    list_per_page = 50
    show_full_result_count = False
