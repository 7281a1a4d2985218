"""SQLite only: for a filter on a state, an AOR or a citizenship, an index that gives the
matching cases in the list's default order (newest quarter first, then report and row).

The indexes of PUBLIC_INDEXES on these columns end with the case id, so SQLite read every
matching case and sorted them ("USE TEMP B-TREE FOR ORDER BY") to show the first 50: at
100,000 cases that query took 52 ms for California (about a third of the cases), 43 ms
for Mexico, 49 ms for one AOR. PostgreSQL, with its statistics of common values, reads its
newest-first index and filters as it goes.

As for migration 0014: not in the model's Meta, since PostgreSQL does not need them; a
later migration that rebuilds cases_detainer on SQLite must create these again, and
tests/test_explain.py fails if one of these lists sorts on SQLite.
"""

from django.db import migrations

FILTERED = {
    "state": "state",
    "aor": "aor_id",
    "citizenship": "citizenship",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, column in FILTERED.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "detainer_pub_{name}_newest_idx" '
            f'ON "cases_detainer" ("is_public", "{column}", "quarter" DESC, "report_id", "row")'
        )
    # As in 0014: a database with statistics needs them for the new indexes too.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        analyzed = cursor.fetchone() is not None
    if analyzed:
        schema_editor.execute('ANALYZE "cases_detainer"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in FILTERED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "detainer_pub_{name}_newest_idx"')


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_agency_rollups"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
