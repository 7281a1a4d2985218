"""Counts by several columns at once: one GROUPING SETS query on PostgreSQL, one GROUP BY
per column elsewhere."""

from contextlib import contextmanager
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, IntegerField, Sum
from psycopg.pq import TransactionStatus


def group_counts(queryset, columns, total=None):
    """``{column: [(value, count), ...]}``, largest first. Counts rows, or with ``total``
    sums that column (the ``cases`` of a rollup).

    On PostgreSQL one statement for all the columns, a single one included, read with the
    cursor: the agency facet of a quarter is some 1,800 rows, which the ORM's values took
    2.98 ms to read against 2.42 this way (and 0.77 against 0.51 ms for the quarter facet)."""
    queryset = queryset.order_by()
    connection = connections[queryset.db]  # the replica's, for a public read (detainers/replica.py)
    if connection.vendor != "postgresql":
        measure = Sum(total) if total else Count("pk")
        return {
            column: [
                (value, n) for value, n in queryset.values_list(column).annotate(n=measure).order_by("-n", column) if n
            ]
            for column in columns
        }
    selected = [*columns, total] if total else columns
    try:
        sql, params = queryset.values(*selected).query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # a filter that nothing can match, e.g. a search's empty list of ids
        return {column: [] for column in columns}
    quote = connection.ops.quote_name
    quoted = [quote(column) for column in columns]
    grouping = ", ".join(f"({column})" for column in quoted)
    flags = ", ".join(f"GROUPING({column})" for column in quoted)
    measure = f"SUM({quote(total)})" if total else "COUNT(*)"
    query = (
        f"SELECT {', '.join(quoted)}, {flags}, {measure} FROM ({sql}) AS counted GROUP BY GROUPING SETS ({grouping})"
    )
    result = {column: [] for column in columns}
    by_index = list(result.values())
    flags_end = 2 * len(columns)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for row in cursor.fetchall():
            index = row.index(0, len(columns), flags_end) - len(columns)  # the GROUPING flag that is 0
            by_index[index].append((row[index], row[-1]))
    for rows in by_index:
        _largest_first(rows)
    return result


def _largest_first(rows):
    """Sort ``(value, count)`` rows largest first, ties by value as text. Two stable sorts,
    the second on a C-level key: a quarter's agencies are some 2,000 rows, and one sort on a
    tuple key took twice as long."""
    rows.sort(key=_as_text)
    rows.sort(key=itemgetter(1), reverse=True)


def _as_text(row):
    return str(row[0])


def case_and_charge_counts(queryset, columns, timings):
    """PostgreSQL: ``group_counts(columns)`` and the cases' charge categories by timing
    (``DetainerQuerySet.charge_group_counts``) in one statement, the matching cases found
    once (a MATERIALIZED CTE) rather than once per count. Returns ``(by_column, by_timing)``.

    The charges are counted from the cases' own ``charge_keys``, one unnest of a column the
    statement reads anyway: each key is one CaseCharge row (or a category at any arrest), and
    appears once in a case, so counting keys counts cases. The charges of the 2,351 cases of
    a quarter, an agency and a charge took 6.3 ms as probes into the case charges, 2 ms so."""
    from .models.detainers import KEY_TIMINGS, key_parts

    queryset = queryset.order_by()
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    try:
        sql, params = queryset.values(*columns, "charge_keys").query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return {column: [] for column in columns}, {timing: [] for timing in timings}
    parts, part_params = [], []
    for index, column in enumerate(columns):
        parts.append(f"SELECT {index}, {quote(column)}::text, NULL::bigint, COUNT(*) FROM s GROUP BY 2")
    if timings:
        parts.append(
            "SELECT -1, NULL, key, COUNT(*) FROM (SELECT unnest(charge_keys) AS key FROM s) AS keys "
            "WHERE key %% 3 = ANY(%s) GROUP BY 3"
        )
        part_params.append([KEY_TIMINGS[timing] for timing in timings])
    by_column = {column: [] for column in columns}
    by_timing = {timing: [] for timing in timings}
    # Every value comes back as text (one column for all groups): integers are read back.
    integer = {column for column in columns if _is_integer(queryset.model._meta.get_field(column))}
    with connection.cursor() as cursor, _without_parallel_workers(cursor):
        cursor.execute(f"WITH s AS MATERIALIZED ({sql}) {' UNION ALL '.join(parts)}", [*params, *part_params])
        for tag, value, key, n in cursor.fetchall():
            if tag >= 0:
                column = columns[tag]
                by_column[column].append((int(value) if value is not None and column in integer else value, n))
            else:
                category_id, timing = key_parts(key)
                by_timing[timing].append((category_id, n))
    for rows in by_column.values():
        _largest_first(rows)
    for rows in by_timing.values():
        rows.sort(key=lambda row: (-row[1], row[0]))
    return by_column, by_timing


@contextmanager
def _without_parallel_workers(cursor):
    """PostgreSQL plans the statements run inside without parallel workers. For the small
    sets of cases counted here (at most 10,000 for a facet, 50,000 for /stats/) starting
    two workers cost more than they saved: the facets of the list with three filters took
    24.6 ms with them and 16.6 ms without, at 1,000,000 cases on 2 cores. The connection's
    own value comes back afterwards; if the statement broke a surrounding transaction,
    its rollback undoes the setting."""
    cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        yield
    finally:
        if cursor.db.connection.info.transaction_status != TransactionStatus.INERROR:
            cursor.execute("RESET max_parallel_workers_per_gather")


def _is_integer(field):
    """An integer column: an integer field (auto and big ones too), or a key to one."""
    return isinstance(getattr(field, "target_field", field), IntegerField)
