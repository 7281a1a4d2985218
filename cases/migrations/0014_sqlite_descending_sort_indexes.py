"""SQLite only: indexes that read the descending sorts of the columns whose empty values
sort last in one pass.

Those sorts order by the column descending, then by case id *ascending* (so that a shared
link keeps its order). The ascending indexes of PUBLIC_INDEXES give the column in either
direction, but SQLite then sorts the case ids of each value again ("USE TEMP B-TREE FOR
RIGHT PART OF ORDER BY"): at 100,000 cases those sorts took up to 154 ms against 58 to
93 ms for the others. PostgreSQL reads the same order from the existing indexes.

They are not in the model's Meta because PostgreSQL does not need them (five more indexes
on a table of a million rows). Django rebuilds a SQLite table with the model's indexes
only, so a later migration that alters cases_detainer must create these again;
tests/test_explain.py fails if any descending sort sorts on SQLite.
"""

from django.db import migrations

DESCENDING = {
    "lodged": "lodged_on",
    "released": "released_on",
    "days": "days_to_next_arrest",
    "prior": "first_prior_code",
    "later": "first_subsequent_code",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, column in DESCENDING.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "detainer_pub_{name}_desc_idx" '
            f'ON "cases_detainer" ("is_public", "{column}" DESC, "case_id")'
        )
    # A database that has statistics (ANALYZE) needs them for the new indexes too: without
    # them SQLite takes a new index for a selective one, and read every list through it.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        analyzed = cursor.fetchone() is not None
    if analyzed:
        schema_editor.execute('ANALYZE "cases_detainer"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in DESCENDING:
        schema_editor.execute(f'DROP INDEX IF EXISTS "detainer_pub_{name}_desc_idx"')


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_search_trigram_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
