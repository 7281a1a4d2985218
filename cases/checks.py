"""System checks (``manage.py check``, and at every start)."""

import sqlite3

from django.core.checks import Error, Tags, register
from django.db import connections

# The per-agency rollups are kept in step with UPDATE ... FROM (cases.services.rollups),
# which SQLite has from 3.33.0 (August 2020); Django 5.2 itself accepts 3.31.
SQLITE_NEEDED = (3, 33, 0)


@register(Tags.compatibility)
def sqlite_version(app_configs=None, databases=None, **kwargs):
    if sqlite3.sqlite_version_info >= SQLITE_NEEDED:
        return []
    uses_sqlite = any(connections[alias].vendor == "sqlite" for alias in connections)
    if not uses_sqlite:
        return []
    needed = ".".join(map(str, SQLITE_NEEDED))
    return [
        Error(
            f"SQLite {sqlite3.sqlite_version} is too old: this site needs {needed} or newer "
            "(UPDATE ... FROM keeps its counts in step).",
            hint="Use a Python built with a newer SQLite, or PostgreSQL (DATABASE_URL).",
            id="cases.E001",
        )
    ]
