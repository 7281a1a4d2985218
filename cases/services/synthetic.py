"""Clearly synthetic data at scale, for benchmarks only.

Writes straight to the tables with PostgreSQL COPY (or batched inserts on SQLite):
history is not needed for synthetic data, and a million cases must load in minutes.
Derived columns (case ids, quarters, prior/subsequent case charges, days to the next
arrest) are computed here with the same rules as cases.services.derive.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import queue
import random
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ..fiscal import FiscalQuarter
from ..geo import US_STATES
from ..models import Agency, ChargeCategory, Detainer, FieldOffice, Report
from ..models.detainers import charge_keys
from . import rollups
from .derive import CHARGE_COLUMNS, charge_columns

SYNTHETIC_PREFIX = "synthetic-"
CHUNK = 20_000

# Approximate ICE field office for each state, so that AOR filters behave realistically.
STATE_AOR = {
    "AL": "New Orleans", "AK": "Seattle", "AZ": "Phoenix", "AR": "New Orleans", "CA": "Los Angeles",
    "CO": "Denver", "CT": "Boston", "DE": "Philadelphia", "DC": "Washington", "FL": "Miami",
    "GA": "Atlanta", "HI": "San Francisco", "ID": "Salt Lake City", "IL": "Chicago", "IN": "Chicago",
    "IA": "St. Paul", "KS": "Chicago", "KY": "Chicago", "LA": "New Orleans", "ME": "Boston",
    "MD": "Baltimore", "MA": "Boston", "MI": "Detroit", "MN": "St. Paul", "MS": "New Orleans",
    "MO": "Chicago", "MT": "Salt Lake City", "NE": "St. Paul", "NV": "Salt Lake City", "NH": "Boston",
    "NJ": "Newark", "NM": "El Paso", "NY": "New York City", "NC": "Atlanta", "ND": "St. Paul",
    "OH": "Detroit", "OK": "Dallas", "OR": "Seattle", "PA": "Philadelphia", "RI": "Boston",
    "SC": "Atlanta", "SD": "St. Paul", "TN": "New Orleans", "TX": "Houston", "UT": "Salt Lake City",
    "VT": "Boston", "VA": "Washington", "WA": "Seattle", "WV": "Philadelphia", "WI": "Chicago",
    "WY": "Denver", "AS": "San Francisco", "GU": "San Francisco", "MP": "San Francisco",
    "PR": "Miami", "VI": "Miami",
}  # fmt: skip
STATE_WEIGHTS = {"CA": 30, "TX": 14, "NY": 8, "IL": 6, "NJ": 5, "WA": 4, "OR": 3, "CO": 3, "MA": 3, "PA": 3}
COUNTRIES = [("MX", 55), ("GT", 12), ("HN", 10), ("SV", 8), ("DO", 3), ("CU", 2), ("JM", 1), ("IN", 1)]
COMMON_CHARGES = {"35": 30, "54": 25, "13": 20, "23": 10, "50": 10, "22": 6, "52": 5, "26": 4, "29": 4}
AGENCY_TYPES = [("sheriff", 45), ("police", 35), ("county_jail", 15), ("state", 3), ("other", 2)]


class RealDataPresent(Exception):
    """The database holds reports that are not synthetic."""


@dataclass
class Plan:
    cases: int
    quarters: int = 40
    agencies: int = 2000
    seed: int = 1


def guard():
    real = Report.objects.exclude(slug__startswith=SYNTHETIC_PREFIX)
    if real.exists():
        raise RealDataPresent(
            f"This database holds {real.count()} real report(s) (e.g. {real.first().slug}). "
            "generate_synthetic only writes to a separate benchmark database: set DATABASE_URL to one."
        )


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return lambda k=1: rng.choices(values, weights=weights, k=k)


class _Writer:
    """Appends rows to tables: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"
        self._queue = None
        self._errors = []

    def write(self, table, columns, rows):
        if self._errors:
            raise self._errors[0]
        if self._queue is not None:
            self._queue.put((table, columns, rows))
        else:
            self._write(table, columns, rows)

    @contextmanager
    def in_background(self):
        """On PostgreSQL, rows written in this block are sent by a second thread, so that the
        next chunk is generated while the database stores this one (half the time was spent
        waiting for it). Nothing else may use the connection inside the block."""
        if not self.postgres:
            yield
            return
        jobs = queue.Queue(maxsize=10)  # a chunk is five tables: at most about two chunks waiting

        def send():
            while (job := jobs.get()) is not None:
                if not self._errors:
                    try:
                        self._write(*job)
                    except BaseException as error:  # raised again in the caller's thread
                        self._errors.append(error)

        sender = threading.Thread(target=send, name="synthetic-copy", daemon=True)
        self._queue = jobs
        sender.start()
        try:
            yield
        finally:
            self._queue = None
            jobs.put(None)
            sender.join()
        if self._errors:
            raise self._errors[0]

    def _write(self, table, columns, rows):
        if not rows:
            return
        if self.postgres:
            cols = ", ".join(columns)
            with self.cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("%s" for _ in columns)
            self.cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


# The tables a chunk of cases is written to (see _generate_chunk), and those of the rollups
# counted while they are (_RollupTally): 1,355,638 ChargeRollup rows at 1,000,000 cases.
CHUNK_TABLES = ("cases_individual", "cases_arrest", "cases_arrestcharge", "cases_detainer", "cases_casecharge")
TALLY_TABLES = ("cases_caserollup", "cases_chargerollup", "cases_chargecitizenshiprollup")


@contextmanager
def _indexes_built_after(cursor, tables):
    """On PostgreSQL, drop the indexes of ``tables`` (but those behind a primary key or a
    unique constraint) for the block, and build them again at its end, in the same
    transaction: building an index over a million rows at once is much faster than
    keeping 41 indexes up to date row by row, which was most of the database's time
    (and 24 on the rollup tables)."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexname::regclass)
        ORDER BY i.indexname
        """,
        [list(tables)],
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in indexes:
        cursor.execute(definition)


def _skip_foreign_key_triggers(cursor):
    """On PostgreSQL, skip the per-row foreign-key checks for this transaction when the
    role may (a superuser, as on a benchmark machine): the generator builds every
    reference itself, and the checks are most of the load time at a million cases."""
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


def _next_id(model):
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _reset_sequences(models):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}")


def delete_synthetic():
    from ..models import (
        Arrest,
        ArrestCharge,
        CaseCharge,
        CaseRollup,
        ChargeCitizenshipRollup,
        ChargeRollup,
        Correction,
        Individual,
    )

    tables = [
        CaseRollup,
        ChargeRollup,
        ChargeCitizenshipRollup,
        CaseCharge,
        Correction,
        Detainer,
        ArrestCharge,
        Arrest,
        Individual,
        Report,
        Agency,
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(m._meta.db_table for m in tables)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred checks
            cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for model in tables:
                cursor.execute(f"DELETE FROM {model._meta.db_table}")


def generate(plan: Plan, *, progress=lambda message: None):
    """Fill the database. Returns a dict of row counts written."""
    from ..models import Arrest, ArrestCharge, CaseCharge, Individual

    guard()
    rng = random.Random(plan.seed)
    now = timezone.now()
    counts = dict.fromkeys(["reports", "agencies", "individuals", "arrests", "charges", "cases", "case_charges"], 0)
    offices = dict(FieldOffice.objects.values_list("name", "pk"))
    categories = list(ChargeCategory.objects.order_by("code").values_list("code", "pk"))
    codes = {pk: (code, name) for pk, code, name in ChargeCategory.objects.values_list("pk", "code", "name")}
    category_weights = [COMMON_CHARGES.get(code, 1) for code, _ in categories]
    pick_category = lambda k: rng.choices(categories, weights=category_weights, k=k)  # noqa: E731
    pick_country = _weighted(rng, COUNTRIES)
    states = [code for code, _ in US_STATES]
    pick_state = _weighted(rng, [(s, STATE_WEIGHTS.get(s, 1)) for s in states])
    pick_type = _weighted(rng, AGENCY_TYPES)

    with transaction.atomic(), connection.cursor() as cursor:
        writer = _Writer(cursor)
        _skip_foreign_key_triggers(cursor)
        # Reports: the last `quarters` fiscal quarters up to FY2026 Q4, one quarterly report each.
        last = FiscalQuarter(2026, 4)
        quarters = [last]
        while len(quarters) < plan.quarters:
            quarters.insert(0, quarters[0].previous())
        report_id = _next_id(Report)
        reports = []
        rows = []
        for offset, quarter in enumerate(quarters):
            slug = f"{SYNTHETIC_PREFIX}{quarter.slug}"
            reports.append((report_id + offset, slug, quarter))
            rows.append(
                (report_id + offset, now, now, "quarterly", f"SYNTHETIC benchmark report, {quarter.label}", slug,
                 quarter.start, quarter.end, quarter.year, quarter.quarter, quarter.slug, quarter.end,
                 "Synthetic data generator", "", "", "", "", "Synthetic benchmark data. Not real.", None, "", "",
                 "published", now)
            )  # fmt: skip
        writer.write(
            Report._meta.db_table,
            ["id", "created_at", "updated_at", "kind", "title", "slug", "period_start", "period_end", "fiscal_year",
             "fiscal_quarter", "quarter", "published_on", "publisher", "source_url", "source_document",
             "source_document_sha256", "archived_url", "source_citation", "stated_total", "scope_notes",
             "methodology_notes", "status", "made_public_at"],
            rows,
        )  # fmt: skip
        counts["reports"] = len(rows)

        # Agencies: Zipf-like weights, so a few agencies hold most cases.
        agency_id = _next_id(Agency)
        agencies, rows, agency_places = [], [], {}
        for n in range(plan.agencies):
            state = pick_state()[0]
            kind = pick_type()[0]
            name = f"Synthetic {kind.replace('_', ' ').title()} {n + 1:04d}"
            ori = f"{state}{n + 1:07d}"
            pk = agency_id + n
            agencies.append(pk)
            slug = f"{SYNTHETIC_PREFIX}{n + 1:04d}-{state.lower()}"
            agency_places[pk] = (state, offices.get(STATE_AOR[state]), name, slug)
            rows.append(
                (pk, now, now, name, slug, kind, ori, "Synthetic City",
                 "Synthetic County", state, "Synthetic benchmark data.", None, offices.get(STATE_AOR[state]))
            )  # fmt: skip
        writer.write(
            Agency._meta.db_table,
            ["id", "created_at", "updated_at", "name", "slug", "agency_type", "ori", "city", "county", "state",
             "notes", "parent_id", "aor_id"],
            rows,
        )  # fmt: skip
        counts["agencies"] = len(rows)
        agency_weights = [1 / (rank + 1) ** 1.1 for rank in range(len(agencies))]

        # Cases are spread over quarters with a mild upward trend.
        quarter_weights = [1 + 0.5 * i / len(reports) for i in range(len(reports))]
        per_quarter = [0] * len(reports)
        for index in rng.choices(range(len(reports)), weights=quarter_weights, k=plan.cases):
            per_quarter[index] += 1
        if max(per_quarter) > 32000:
            raise ValueError("Too many cases per quarter for the row number; use more quarters.")

        next_ids = {
            "individual": _next_id(Individual),
            "arrest": _next_id(Arrest),
            "charge": _next_id(ArrestCharge),
            "case": _next_id(Detainer),
            "case_charge": _next_id(CaseCharge),
        }
        plan_rows = ((report, row) for report, n in zip(reports, per_quarter, strict=True) for row in range(1, n + 1))
        done = 0
        tally = _RollupTally()
        with _indexes_built_after(cursor, CHUNK_TABLES), writer.in_background():
            while True:
                batch = list(itertools.islice(plan_rows, CHUNK))
                if not batch:
                    break
                tables = _generate_chunk(
                    rng, batch, next_ids, now, agencies, agency_weights, agency_places, pick_category, pick_country,
                    codes,
                )  # fmt: skip
                for table, (columns, rows) in tables.items():
                    writer.write(table, columns, rows)
                tally.add(tables)
                counts["individuals"] += len(tables["cases_individual"][1])
                counts["arrests"] += len(tables["cases_arrest"][1])
                counts["charges"] += len(tables["cases_arrestcharge"][1])
                counts["cases"] += len(tables["cases_detainer"][1])
                counts["case_charges"] += len(tables["cases_casecharge"][1])
                done += len(batch)
                progress(f"{done:,} / {plan.cases:,} cases")
        progress("writing the rollups")
        with _indexes_built_after(cursor, TALLY_TABLES):
            tally.write(writer)
    _reset_sequences([Report, Agency, Individual, Arrest, ArrestCharge, Detainer, CaseCharge])
    rollups.sum_all_from_pairs()
    written = [Report, Agency, Individual, Arrest, ArrestCharge, Detainer, CaseCharge, *rollups.ROLLUP_MODELS]
    tables = ", ".join(model._meta.db_table for model in written)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}" if connection.vendor == "postgresql" else "ANALYZE")
    return counts


class _RollupTally:
    """The per-agency rollups and ChargeCitizenshipRollup, counted while the cases are generated (counting them again
    from a million written cases would take longer than writing them); the per-report rows
    are then summed from these by cases.services.rollups, and tests compare both with a
    fresh count."""

    def __init__(self):
        self.cases = Counter()
        self.later = Counter()
        self.charges = Counter()
        self.citizenship_charges = Counter()

    def add(self, tables):
        columns, rows = tables["cases_detainer"]
        at = {name: columns.index(name) for name in (*rollups.CASE_COLUMNS, "id", "first_subsequent_code")}
        keys = {}
        for row in rows:
            key = tuple(row[at[c]] for c in rollups.CASE_COLUMNS)
            keys[row[at["id"]]] = (
                tuple(row[at[c]] for c in rollups.CHARGE_COLUMNS),
                tuple(row[at[c]] for c in rollups.CHARGE_CITIZENSHIP_COLUMNS),
            )
            self.cases[key] += 1
            self.later[key] += row[at["first_subsequent_code"]] is not None
        columns, rows = tables["cases_casecharge"]
        timing, category, detainer = (columns.index(c) for c in ("timing", "category_id", "detainer_id"))
        seen = set()
        for row in rows:
            key, citizenship_key = keys[row[detainer]]
            self.charges[(*key, row[timing], row[category])] += 1
            self.citizenship_charges[(*citizenship_key, row[timing], row[category])] += 1
            if (row[detainer], row[category]) not in seen:
                seen.add((row[detainer], row[category]))
                self.charges[(*key, "any", row[category])] += 1
                self.citizenship_charges[(*citizenship_key, "any", row[category])] += 1

    def write(self, writer):
        from ..models import CaseRollup, ChargeCitizenshipRollup, ChargeRollup

        writer.write(
            CaseRollup._meta.db_table,
            [*rollups.CASE_COLUMNS, "cases", "with_subsequent_charge"],
            ((*key, n, self.later[key]) for key, n in self.cases.items()),
        )
        writer.write(
            ChargeRollup._meta.db_table,
            [*rollups.CHARGE_COLUMNS, "timing", "category_id", "cases"],
            ((*key, n) for key, n in self.charges.items()),
        )
        writer.write(
            ChargeCitizenshipRollup._meta.db_table,
            [*rollups.CHARGE_CITIZENSHIP_COLUMNS, "timing", "category_id", "cases"],
            ((*key, n) for key, n in self.citizenship_charges.items()),
        )


def keys_literal(keys):
    """``Detainer.charge_keys`` as COPY (PostgreSQL's array text) or SQLite (JSON) takes it."""
    if connection.vendor == "postgresql":
        return "{" + ",".join(map(str, keys)) + "}"
    return json.dumps(keys)


def _generate_chunk(rng, batch, ids, now, agencies, agency_weights, places, pick_category, pick_country, codes):
    individuals, arrests, charges, cases, case_charges = [], [], [], [], []
    chosen_agencies = rng.choices(agencies, weights=agency_weights, k=len(batch))
    countries = pick_country(len(batch))
    for ((report_id, slug, quarter), row), agency, country in zip(batch, chosen_agencies, countries, strict=True):
        individual = ids["individual"]
        ids["individual"] += 1
        individuals.append((individual, now, now, country, rng.choice(("male", "male", "male", "female", "")), ""))
        span = (quarter.end - quarter.start).days
        lodged = quarter.start + dt.timedelta(days=rng.randrange(span + 1))
        arrested = lodged - dt.timedelta(days=rng.randrange(4))
        released = lodged + dt.timedelta(days=rng.randrange(31))
        custody = ids["arrest"]
        ids["arrest"] += 1
        arrests.append((custody, now, now, arrested, "day", rng.randrange(18, 70), "", agency, individual))
        prior_codes = set()
        summary = {"prior": [], "subsequent": []}
        for code, category in pick_category(rng.choice((1, 1, 2, 3))):
            kind, wording = rng.choice(("charge", "charge", "conviction")), f"synthetic {code} charge"
            charges.append((ids["charge"], wording, kind, custody, category))
            summary["prior"].append([category, kind, wording, arrested.isoformat()])
            ids["charge"] += 1
            prior_codes.add(category)
        subsequent_codes, days = set(), None
        if rng.random() < 0.8:
            days = 1 + int(rng.expovariate(1 / 120))
            later, later_on = ids["arrest"], released + dt.timedelta(days=days)
            ids["arrest"] += 1
            arrests.append((later, now, now, later_on, "day", None, "", agency, individual))
            for code, category in pick_category(rng.choice((1, 2))):
                wording = f"synthetic {code} charge"
                charges.append((ids["charge"], wording, "charge", later, category))
                summary["subsequent"].append([category, "charge", wording, later_on.isoformat()])
                ids["charge"] += 1
                subsequent_codes.add(category)
        case = ids["case"]
        ids["case"] += 1
        state, aor, agency_name, agency_slug = places[agency]
        first_prior = min((codes[c][0] for c in prior_codes), default=None)
        first_later = min((codes[c][0] for c in subsequent_codes), default=None)
        text = charge_columns(summary, codes)
        keys = charge_keys([*((c, "prior") for c in prior_codes), *((c, "subsequent") for c in subsequent_codes)])
        cases.append(
            (case, report_id, row, None, f"{slug}-{row:02d}", individual, custody, agency, lodged, "day", released,
             "day", released, "day", "I-247A", "as_reported", "", quarter.slug, days, now, now,
             True, state, aor, country, first_prior, first_later, agency_name, agency_slug, json.dumps(summary),
             *(text[column] for column in CHARGE_COLUMNS), keys_literal(keys))
        )  # fmt: skip
        for timing, group in (("prior", prior_codes), ("subsequent", subsequent_codes)):
            for category in sorted(group):
                case_charges.append((ids["case_charge"], timing, category, case, True, quarter.slug))
                ids["case_charge"] += 1
    return {
        "cases_individual": (["id", "created_at", "updated_at", "citizenship", "gender", "notes"], individuals),
        "cases_arrest": (
            ["id", "created_at", "updated_at", "arrested_on", "arrested_on_precision", "age_at_arrest", "citation",
             "arresting_agency_id", "individual_id"],
            arrests,
        ),
        "cases_arrestcharge": (["id", "wording", "kind", "arrest_id", "category_id"], charges),
        "cases_detainer": (
            ["id", "report_id", "row", "page", "case_id", "individual_id", "custody_arrest_id", "declining_agency_id",
             "lodged_on", "lodged_on_precision", "declined_on", "declined_on_precision", "released_on",
             "released_on_precision", "form", "verification_status", "agency_response", "quarter",
             "days_to_next_arrest", "created_at", "updated_at", "is_public", "state", "aor_id", "citizenship",
             "first_prior_code", "first_subsequent_code", "agency_name", "agency_slug", "charges", *CHARGE_COLUMNS,
             "charge_keys"],
            cases,
        ),
        "cases_casecharge": (["id", "timing", "category_id", "detainer_id", "is_public", "quarter"], case_charges),
    }  # fmt: skip
