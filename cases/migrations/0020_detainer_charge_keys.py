"""Cases hold their CaseCharge rows as integer keys (``Detainer.charge_keys``): 3 × category
id, + 1 for a prior charge, + 2 for a subsequent one, and 3 × category id alone for the
category at any arrest.

The facet counts read the keys from the cases they count: the charges of 2,351 cases are
then one unnest of a column already read, where each case cost a probe into the case
charges. On PostgreSQL the column is ``integer[]`` with a GIN index, so that the facet
counts of a charge alone can find its cases, and its statistics let the planner estimate
how many cases a category has. SQLite keeps the keys as JSON text.

The column is added with ``ALTER TABLE`` on both databases, as in migration 0019: Django's
AddField would rebuild the table on SQLite and lose the SQLite-only indexes.
"""

from django.db import migrations

import cases.models.base

FIELD = cases.models.base.IntegerListField(blank=True, default=list, editable=False)

KEYS = """
SELECT detainer_id, 3 * category_id + CASE timing WHEN 'prior' THEN 1 ELSE 2 END AS key FROM cases_casecharge
UNION SELECT detainer_id, 3 * category_id FROM cases_casecharge
"""

POSTGRESQL = [
    "ALTER TABLE cases_detainer ADD COLUMN charge_keys integer[] DEFAULT '{}' NOT NULL",
    "ALTER TABLE cases_detainer ALTER COLUMN charge_keys DROP DEFAULT",  # as AddField leaves it
    f"""UPDATE cases_detainer SET charge_keys = k.keys
    FROM (SELECT detainer_id, array_agg(key ORDER BY key) AS keys FROM ({KEYS}) AS pairs GROUP BY detainer_id) AS k
    WHERE k.detainer_id = cases_detainer.id""",
    "CREATE INDEX detainer_charge_keys_gin ON cases_detainer USING gin (charge_keys)",
]

SQLITE = [
    "ALTER TABLE cases_detainer ADD COLUMN charge_keys text DEFAULT '[]' NOT NULL",
    f"""UPDATE cases_detainer SET charge_keys = (
        SELECT json_group_array(key) FROM (SELECT key FROM ({KEYS}) WHERE detainer_id = cases_detainer.id ORDER BY key)
    ) WHERE id IN (SELECT detainer_id FROM cases_casecharge)""",
]


def add_and_fill(apps, schema_editor):
    for statement in POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)


def remove(apps, schema_editor):
    schema_editor.execute("ALTER TABLE cases_detainer DROP COLUMN charge_keys")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_detainer_agency_slug"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_and_fill, remove)],
            state_operations=[migrations.AddField(model_name="detainer", name="charge_keys", field=FIELD)],
        ),
    ]
