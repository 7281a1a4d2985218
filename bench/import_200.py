"""Time the import of a 200-row report file, through the same service the admin uses.

    .venv/bin/python bench/import_200.py              # SQLite, a temporary on-disk database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/detainers_staff .venv/bin/python bench/import_200.py

It builds a throwaway test database (never your own data), writes tests/data/report_200.csv
if it is missing (deterministic content), then imports it into a fresh report several times
and prints each run and the median: preview + checks + one transaction with full history.
Also times the re-import of the same file (which writes nothing). The target is under 5 s.
"""

import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "report_200.csv"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detainers.settings")


def write_file(path=DATA, rows=200):
    """200 cases across 10 agencies (by ORI and by name), with charges and later arrests."""
    from cases.services.import_format import COLUMN_NAMES

    agencies = [("CA0194200", "", "")] + [("", f"Bench County Sheriff's Office {n}", "TX") for n in range(1, 10)]
    countries = ["MX", "GT", "HN", "SV", "Mexico", "CU", "IN", "CN", "DO", "Jamaica"]
    charges = [
        "dangerous-drugs: possession of a controlled substance",
        "assault (conviction): assault; 50: failure to appear",
        "burglary: burglary; burglary: possession of burglary tools",
        "traffic-offenses (conviction): driving under the influence",
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMN_NAMES)
        writer.writeheader()
        for n in range(1, rows + 1):
            ori, name, state = agencies[n % len(agencies)]
            month = 1 + n % 3
            day = 1 + n % 20
            writer.writerow(
                {
                    "row": n,
                    "page": 1 + n // 15,
                    "agency_ori": ori,
                    "agency_name": name,
                    "agency_state": state,
                    "citizenship": countries[n % len(countries)],
                    "gender": "male" if n % 4 else "female",
                    "age_at_arrest": 18 + n % 50,
                    "arrest_date": f"2018-{month:02d}-{day:02d}",
                    "arrest_charges": charges[n % len(charges)],
                    "lodged_date": f"2018-{month:02d}-{day + 1:02d}",
                    "declined_date": f"2018-{month:02d}-{day + 5:02d}",
                    "released_date": f"2018-{month:02d}-{day + 5:02d}",
                    "form": "I-247A",
                    "subsequent_arrest_1_date": f"2018-{month + 3:02d}" if n % 2 else "",
                    "subsequent_arrest_1_charges": "homicide: murder" if n % 2 else "",
                    "subsequent_arrest_2_date": f"2018-{month + 5:02d}-03" if n % 5 == 0 else "",
                    "subsequent_arrest_2_charges": "robbery: robbery" if n % 5 == 0 else "",
                }
            )


def main():
    import django

    temp = tempfile.mkdtemp(prefix="bench-import-")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = f"sqlite:///{temp}/bench.sqlite3"
    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"{temp}/test-bench.sqlite3"
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run_benchmark(connection.vendor)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


def run_benchmark(vendor):
    from cases.fiscal import FiscalQuarter
    from cases.models import Agency, Detainer, Report
    from cases.services import import_report

    if not DATA.exists():
        write_file()
    content = DATA.read_bytes()
    Agency.objects.create(
        name="Los Angeles Police Department", slug="lapd", state="CA", ori="CA0194200", agency_type="police"
    )
    for n in range(1, 10):
        Agency.objects.create(
            name=f"Bench County Sheriff's Office {n}", slug=f"bench-{n}", state="TX", agency_type="sheriff"
        )
    imports, reimports = [], []
    for run in range(RUNS):
        period = FiscalQuarter(2010 + run, 2)
        report = Report.objects.create(
            kind="quarterly",
            title=f"Bench {run}",
            slug=f"bench-{run}",
            period_start=period.start,
            period_end=period.end,
            published_on=period.end,
        )
        start = time.perf_counter()
        result = import_report.import_file(report, DATA.name, content)
        imports.append(time.perf_counter() - start)
        assert result.counts["new"] == 200 and Detainer.objects.filter(report=report).count() == 200
        start = time.perf_counter()
        again = import_report.import_file(report, DATA.name, content)
        reimports.append(time.perf_counter() - start)
        assert again.counts["unchanged"] == 200
        print(f"run {run + 1}: import {imports[-1]:.2f} s, re-import (no changes) {reimports[-1]:.2f} s")
    print(
        f"{vendor}: 200-row import median {statistics.median(imports):.2f} s "
        f"(min {min(imports):.2f}, max {max(imports):.2f}); "
        f"re-import median {statistics.median(reimports):.2f} s; target < 5 s"
    )


if __name__ == "__main__":
    main()
