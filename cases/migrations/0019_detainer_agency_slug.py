"""Cases copy their declining agency's slug, as they copy its name, so that a page of the
case list links each agency without loading the agencies.

The column is added with ``ALTER TABLE ... ADD COLUMN`` on both databases. Django's own
AddField rebuilds the whole table on SQLite for a column that is NOT NULL, and the rebuilt
table keeps only the indexes the models declare: the SQLite-only indexes of migrations 0014
and 0017 would be lost, and with them the list's plans (tests/test_explain.py).
"""

from django.db import migrations, models

FIELD = models.SlugField(blank=True, db_index=False, editable=False, max_length=120)

FILL = """
UPDATE cases_detainer SET agency_slug = cases_agency.slug
FROM cases_agency WHERE cases_agency.id = cases_detainer.declining_agency_id
"""


def add_and_fill(apps, schema_editor):
    execute = schema_editor.execute
    execute("ALTER TABLE cases_detainer ADD COLUMN agency_slug varchar(120) DEFAULT '' NOT NULL")
    if schema_editor.connection.vendor == "postgresql":
        execute("ALTER TABLE cases_detainer ALTER COLUMN agency_slug DROP DEFAULT")  # as AddField leaves it
    # UPDATE ... FROM: PostgreSQL, and SQLite from 3.33 (system check cases.E001).
    execute(FILL)


def remove(apps, schema_editor):
    schema_editor.execute("ALTER TABLE cases_detainer DROP COLUMN agency_slug")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_chargerollup_agency_quarter_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_and_fill, remove)],
            state_operations=[migrations.AddField(model_name="detainer", name="agency_slug", field=FIELD)],
        ),
        migrations.AddField(model_name="historicaldetainer", name="agency_slug", field=FIELD),
    ]
