"""System checks of the cases app."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from cases import checks


def test_a_current_sqlite_passes():
    assert checks.sqlite_version() == []


@pytest.fixture
def old_sqlite(monkeypatch):
    monkeypatch.setattr(checks.sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(checks.sqlite3, "sqlite_version", "3.31.1")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite run checks SQLite's version")
def test_an_sqlite_without_update_from_stops_the_start(old_sqlite):
    errors = checks.sqlite_version()
    assert [error.id for error in errors] == ["cases.E001"]
    assert "SQLite 3.31.1 is too old: this site needs 3.33.0 or newer" in errors[0].msg
    with pytest.raises(SystemCheckError, match="cases.E001"):
        call_command("check")


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the PostgreSQL run: SQLite's version does not matter")
def test_an_old_sqlite_library_does_not_matter_on_postgresql(old_sqlite):
    assert checks.sqlite_version() == []
