"""Export the cases of the current database (DATABASE_URL) to one SQLite file shaped
for Datasette: one row per case, the columns our list shows, indexes on the filtered
columns, and charges as JSON arrays (Datasette's `__arraycontains` filter).

  DATABASE_URL=... .venv/bin/python bench/export_datasette.py bench/data/datasette.db
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detainers.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

QUERY = """
SELECT d.id, d.case_id, r.slug, d.quarter, a.slug, a.name, a.state, f.slug, i.citizenship,
       d.lodged_on, d.released_on, d.days_to_next_arrest
FROM cases_detainer d
JOIN cases_report r ON r.id = d.report_id
JOIN cases_agency a ON a.id = d.declining_agency_id
LEFT JOIN cases_fieldoffice f ON f.id = a.aor_id
JOIN cases_individual i ON i.id = d.individual_id
WHERE d.case_id IS NOT NULL
ORDER BY d.id
"""
CHARGES = """
SELECT cc.detainer_id, cc.timing, c.slug FROM cases_casecharge cc
JOIN cases_chargecategory c ON c.id = cc.category_id
WHERE cc.detainer_id BETWEEN %s AND %s
"""
BATCH = 50_000


def _row(row, charges):
    pk, case_id, report, quarter, agency, name, state, aor, citizenship, lodged, released, days = row
    found = charges.get(pk, {"prior": [], "subsequent": []})
    return (
        case_id, report, quarter, agency, name, state, aor, citizenship,
        lodged and lodged.isoformat(), released and released.isoformat(), days,
        json.dumps(sorted(found["prior"])), json.dumps(sorted(found["subsequent"])),
        json.dumps(sorted(set(found["prior"]) | set(found["subsequent"]))),
    )  # fmt: skip


def export(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    out = sqlite3.connect(path)
    out.execute(
        """CREATE TABLE cases (case_id TEXT PRIMARY KEY, report TEXT, quarter TEXT, agency TEXT, agency_name TEXT,
        state TEXT, aor TEXT, citizenship TEXT, lodged_on TEXT, released_on TEXT, days_to_next_arrest INTEGER,
        prior_charges TEXT, subsequent_charges TEXT, charges TEXT)"""
    )
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(QUERY)
        while rows := cursor.fetchmany(BATCH):
            ids = [row[0] for row in rows]
            charges: dict[int, dict[str, list[str]]] = {}
            with connection.cursor() as charge_cursor:
                charge_cursor.execute(CHARGES, [min(ids), max(ids)])
                for detainer_id, timing, slug in charge_cursor.fetchall():
                    charges.setdefault(detainer_id, {"prior": [], "subsequent": []})[timing].append(slug)
            out.executemany("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [_row(r, charges) for r in rows])
            total += len(rows)
    for column in ("quarter", "agency", "state", "aor", "citizenship", "report", "lodged_on", "days_to_next_arrest"):
        out.execute(f"CREATE INDEX cases_{column} ON cases ({column})")
    out.execute("CREATE INDEX cases_quarter_agency ON cases (quarter, agency)")
    out.commit()
    out.execute("ANALYZE")
    out.close()
    return total


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "bench" / "data" / "datasette.db")
    started = time.perf_counter()
    count = export(target)
    print(f"Exported {count:,} cases to {target} in {time.perf_counter() - started:.1f} s")
