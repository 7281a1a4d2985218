"""Trigram indexes for free-text search, on PostgreSQL only.

Search matches ``icontains``, which Django writes ``UPPER(column) LIKE UPPER('%text%')``.
A GIN index with ``gin_trgm_ops`` on the same expression answers that without reading
the table: the case ids (the cases table is wide) and the charges' wording (the largest
table). pg_trgm ships with PostgreSQL and is a trusted extension, so the database's owner
can create it. Where it cannot be created, search still works, reading the tables, and
the migration says so. SQLite has no such index; its tables are small enough to scan.
"""

from django.db import DatabaseError, migrations, transaction

INDEXES = {
    "detainer_case_id_trgm_idx": ("cases_detainer", "case_id"),
    "arrestcharge_wording_trgm_idx": ("cases_arrestcharge", "wording"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias), schema_editor.connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        print(f"\n  pg_trgm could not be created ({error}); search will read the tables instead.")
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_drop_quarter_only_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
