"""The case CSV written by the database: on PostgreSQL by ``COPY ... TO STDOUT``, on SQLite
by a query that builds each line.

Python's csv writer formats about 30,000 rows a second on a slow core. PostgreSQL's COPY
formats several times that and streams them one row at a time, so the worker's memory
stays flat and the first byte leaves at once (a ``WITH HOLD`` cursor materialises the
whole result first). SQLite has no COPY; it builds each line in SQL but for the country
name, which Python adds from a dict. The bytes are the same as the Python writer's
(``tests/test_exports.py`` compares them on awkward data):

- every text cell goes through the same formula guard (a leading apostrophe);
- an empty text is written as NULL, so both write nothing between the commas
  (COPY would write ``""`` for an empty string);
- dates keep their stored precision (``YYYY-MM`` or ``YYYY-MM-DD``);
- rows end in CRLF, as the csv module's default dialect writes them.

COPY quotes a field exactly when the csv module does: when a comma, a double quote, CR
or LF is in it.

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

VENDORS = ("postgresql", "sqlite")
OUTPUT_BYTES = 64 * 1024  # bytes gathered per write to the client (PostgreSQL)
ROWS_PER_FETCH = 2000  # rows per write to the client (SQLite)
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


def applies(queryset, url_prefix, url_suffix):
    """The database writes this export: PostgreSQL or SQLite, a plain query (not DISTINCT,
    not sliced), and a URL that needs no quoting."""
    query = queryset.query
    plain = not query.distinct and not query.is_sliced
    url = url_prefix + url_suffix
    return (
        connections[queryset.db].vendor in VENDORS
        and plain
        and url[:1] not in FORMULA_START
        and not any(c in url for c in _SPECIAL)
    )


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
    """The CSV's data rows in the queryset's order, a batch at a time."""
    if connections[queryset.db].vendor == "sqlite":
        return _sqlite_chunks(queryset, url_prefix, url_suffix, countries)
    return _copy_chunks(queryset, url_prefix, url_suffix, countries)


def _copy_chunks(queryset, url_prefix, url_suffix, countries):
    """PostgreSQL: bytes, about OUTPUT_BYTES at a time."""
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


# ---------------------------------------------------------------------------------------
# SQLite: no COPY, but SQLite builds each line but one cell, and Python adds that cell
# (the country name, from a dict) and joins the lines. The csv module's per-cell work,
# most of the Python writer's time, is done in SQL.

_SPECIAL = ',"\r\n'  # the characters that make the csv module quote a cell


def csv_cell(value):
    """One cell as the csv module writes it in a row of several (formula guard included)."""
    value = safe_cell(value)
    if any(c in value for c in _SPECIAL):
        return '"' + value.replace('"', '""') + '"'
    return value


def sqlite_text(field):
    """A text cell, guarded and quoted as csv_cell does; '' for NULL."""
    c = _ALIAS[field]
    guard = f"CASE WHEN unicode({c}) IN ({_FORMULA_CODES}) THEN '''' ELSE '' END"
    special = f"instr({c}, ',') OR instr({c}, '\"') OR instr({c}, char(13)) OR instr({c}, char(10))"
    return (
        f"CASE WHEN {c} IS NULL THEN '' WHEN {special} THEN '\"' || {guard} || replace({c}, '\"', '\"\"') || '\"' "
        f"ELSE {guard} || {c} END"
    )


def sqlite_number(field):
    return f"coalesce(CAST({_ALIAS[field]} AS TEXT), '')"


def sqlite_date(field):
    """SQLite stores a date as YYYY-MM-DD."""
    c, precision = _ALIAS[field], _ALIAS[f"{field}_precision"]
    month = Precision.MONTH.value
    return f"CASE WHEN {c} IS NULL THEN '' WHEN {precision} = '{month}' THEN substr({c}, 1, 7) ELSE {c} END"


def _joined(cells):
    return " || ',' || ".join(cells)


# The line before the country name, and after it; the URL's two parts are parameters.
SQLITE_HEAD = _joined(
    [
        sqlite_text("case_id"),
        f"%s || {_ALIAS['case_id']} || %s",  # a case id needs no quoting; the URL's parts are checked
        *map(sqlite_text, ("report__slug", "report__title")),
        *map(sqlite_number, ("row", "page")),
        *map(sqlite_text, ("quarter", "declining_agency__slug", "declining_agency__name")),
        *map(sqlite_text, ("declining_agency__agency_type", "declining_agency__ori", "declining_agency__city")),
        *map(sqlite_text, ("declining_agency__county", "declining_agency__state", "declining_agency__aor__slug")),
        sqlite_text("citizenship"),
        "''",  # the country name's place: the line so far ends in a comma
    ]
)
SQLITE_TAIL = _joined(
    [
        "''",  # the line goes on with a comma
        sqlite_text("individual__gender"),
        *map(sqlite_date, ("lodged_on", "declined_on", "released_on")),
        *map(sqlite_text, ("form", "verification_status")),
        sqlite_number("days_to_next_arrest"),
        *map(sqlite_text, TABLE_CHARGE_FIELDS),
        sqlite_text("report__source_url"),
    ]
)


def sqlite_statement(queryset, url_prefix, url_suffix):
    sql, params = queryset.values_list(*FIELDS).query.sql_with_params()
    names = ", ".join(_ALIAS.values())
    select = f"SELECT {SQLITE_HEAD}, {_ALIAS['citizenship']}, {SQLITE_TAIL} FROM q"
    return f"WITH q ({names}) AS ({sql}) {select}", (*params, url_prefix, url_suffix)


def _sqlite_chunks(queryset, url_prefix, url_suffix, countries):
    sql, params = sqlite_statement(queryset, url_prefix, url_suffix)
    names = {code: csv_cell(name) for code, name in countries.items()}
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(ROWS_PER_FETCH):
            yield "".join([f"{head}{names.get(code, '')}{tail}\r\n" for head, code, tail in rows])
