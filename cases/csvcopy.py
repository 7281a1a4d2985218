"""The case CSV on PostgreSQL, written by the database itself with ``COPY ... TO STDOUT``.

Python's csv writer formats about 30,000 rows a second on a slow core; PostgreSQL's COPY
formats several times that and streams them one row at a time, so the worker's memory
stays flat and the first byte leaves at once (a ``WITH HOLD`` cursor materialises the
whole result first). The bytes are the same as the Python writer's
(``tests/test_exports.py`` compares the two on awkward data):

- every text cell goes through the same formula guard (a leading apostrophe);
- an empty text is written as NULL, so both write nothing between the commas
  (COPY would write ``""`` for an empty string);
- dates keep their stored precision (``YYYY-MM`` or ``YYYY-MM-DD``);
- rows end in CRLF, as the csv module's default dialect writes them.

COPY quotes a field exactly when the csv module does (a comma, a double quote, CR or LF
in it), except a field that is exactly ``\\.``, which COPY also quotes; both read back
the same.

The COPY is one statement for the whole export, so it runs under
``EXPORT_STATEMENT_TIMEOUT_MS`` rather than the page's statement timeout.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.db import connections
from psycopg.pq import TransactionStatus

from .dates import Precision
from .exports import CASE_FIELDS, FORMULA_START, TABLE_CHARGE_FIELDS, safe_cell

OUTPUT_BYTES = 64 * 1024  # bytes gathered per write to the client
# exports.FORMULA_START as character codes: ascii() of the first character is a cheap test
# (a regular expression per cell cost more than the rest of the query).
_FORMULA_CODES = ", ".join(str(ord(c)) for c in sorted(FORMULA_START))
# The fields read, as the Python writer reads them: exports.CASE_FIELDS, then the charges.
FIELDS = (*CASE_FIELDS, *TABLE_CHARGE_FIELDS)
_ALIAS = {field: f"c{i}" for i, field in enumerate(FIELDS)}


def text(field):
    """A text cell as the csv writer prints it: a leading apostrophe before a formula start
    (exports.safe_cell), and NULL when empty (COPY writes an empty string as "")."""
    c = _ALIAS[field]
    return f"CASE WHEN ascii({c}) IN ({_FORMULA_CODES}) THEN '''' || {c} ELSE NULLIF({c}, '') END"


def number(field):
    return _ALIAS[field]


def iso_date(field):
    """A date at its stored precision, as exports._iso_of writes it. It starts with its
    year: no formula guard needed."""
    c, precision = _ALIAS[field], _ALIAS[f"{field}_precision"]
    return (
        f"CASE WHEN {precision} = '{Precision.MONTH.value}' THEN to_char({c}, 'YYYY-MM') "
        f"ELSE to_char({c}, 'YYYY-MM-DD') END"
    )


# The CSV's columns (exports.CASE_COLUMNS, in order) as SQL over the fields read. The three
# parameters, in this order: the URL before and after the case id, and {code: country name}.
OUTPUT = ", ".join(
    [
        text("case_id"),
        f"%s || {_ALIAS['case_id']} || %s",  # it starts with its scheme: no formula guard needed
        *map(text, ("report__slug", "report__title")),
        *map(number, ("row", "page")),
        *map(text, ("quarter", "declining_agency__slug", "declining_agency__name", "declining_agency__agency_type")),
        *map(text, ("declining_agency__ori", "declining_agency__city", "declining_agency__county")),
        *map(text, ("declining_agency__state", "declining_agency__aor__slug", "citizenship")),
        f"NULLIF(%s::jsonb ->> {_ALIAS['citizenship']}, '')",  # the names are guarded in Python, once
        text("individual__gender"),
        *map(iso_date, ("lodged_on", "declined_on", "released_on")),
        *map(text, ("form", "verification_status")),
        number("days_to_next_arrest"),
        *map(text, TABLE_CHARGE_FIELDS),
        text("report__source_url"),
    ]
)


def applies(queryset):
    """COPY writes this export: PostgreSQL, and a plain query (not DISTINCT, not sliced)."""
    query = queryset.query
    return connections[queryset.db].vendor == "postgresql" and not query.distinct and not query.is_sliced


def statement(queryset, url_prefix, url_suffix, countries):
    """The COPY statement and its parameters. The inner query finds and orders the cases
    (as for the Python writer); ``OFFSET 0`` keeps the planner from merging it into the
    outer one, so the cells are computed after the sort, as rows leave, not before it."""
    sql, params = queryset.values_list(*FIELDS).query.sql_with_params()
    names = ", ".join(_ALIAS.values())
    countries = json.dumps({code: safe_cell(name) for code, name in countries.items()})
    copy_sql = f"COPY (SELECT {OUTPUT} FROM ({sql} OFFSET 0) AS q ({names})) TO STDOUT WITH (FORMAT csv)"
    return copy_sql, (url_prefix, url_suffix, countries, *params)


# Both settings back to the connection's own (its startup options, or the server's).
RESTORE = "SELECT set_config(name, reset_val, false) FROM pg_settings WHERE name IN ('statement_timeout', 'jit')"


def chunks(queryset, url_prefix, url_suffix, countries):
    """The CSV's data rows, as bytes, in the queryset's order, about OUTPUT_BYTES at a time."""
    copy_sql, params = statement(queryset, url_prefix, url_suffix, countries)
    connection = connections[queryset.db]  # read now: a streamed export is read on the replica's alias
    with connection.cursor() as cursor:
        # No JIT: compiling this query's expressions took longer than running them.
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, false), set_config('jit', 'off', false)",
            [str(settings.EXPORT_STATEMENT_TIMEOUT_MS)],
        )
        started = time.monotonic()
        try:
            with cursor.cursor.copy(copy_sql, params) as copy:
                buffer, size = [], 0
                while row := copy.read():  # one row per read; it ends in "\n"
                    buffer.append(bytes(row[:-1]))
                    size += len(row) + 1
                    if size >= OUTPUT_BYTES:
                        yield b"\r\n".join(buffer) + b"\r\n"
                        buffer, size = [], 0
                if buffer:
                    yield b"\r\n".join(buffer) + b"\r\n"
        finally:
            if connection.queries_logged:  # as Django's debug cursor logs what it runs
                connection.queries_log.append({"sql": copy_sql, "time": f"{time.monotonic() - started:.3f}"})
            if connection.connection.info.transaction_status != TransactionStatus.INERROR:
                cursor.execute(RESTORE)
            # else a cancelled COPY broke the surrounding transaction, whose rollback undoes the settings
