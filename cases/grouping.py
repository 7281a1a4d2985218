"""Counts by several columns at once, in one statement: GROUPING SETS on PostgreSQL, one
GROUP BY per column joined by UNION ALL elsewhere."""

from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import IntegerField


class Top(list):
    """The largest ``(value, count)`` rows of one column, in ``group_counts``' order, then the
    rows of the values asked to be kept that are not among them; ``total`` is how many values
    have a count. Empty values (None and "") are in neither."""

    def __init__(self, rows=(), total=0):
        super().__init__(rows)
        self.total = total


def top_rows(rows, size, keep=()):
    """``Top`` of the full ``rows`` of a column (largest first): what ``group_counts`` gives
    for it with ``top={column: (size, keep)}``."""
    counted = [row for row in rows if row[0] not in (None, "")]
    kept = set(keep)
    return Top(counted[:size] + [row for row in counted[size:] if row[0] in kept], len(counted))


def group_counts(queryset, columns, total=None, top=None):
    """``{column: [(value, count), ...]}``, largest first, ties by value as text. Counts rows,
    or with ``total`` sums that column (the ``cases`` of a rollup).

    ``top`` maps some of the columns to ``(size, keep)``: those give only a ``Top`` of their
    ``size`` largest values and of the values in ``keep`` (see ``top_rows``). On PostgreSQL
    the database picks them: a quarter's agency facet is some 1,800 values, of which the
    list shows ten.

    One statement for all the columns, a single one included, read with the cursor: on
    PostgreSQL GROUPING SETS, elsewhere one GROUP BY per column joined by UNION ALL over a
    common table expression. The ORM's values took 2.98 ms against 2.42 for the agency facet
    of a quarter (some 1,800 rows) on PostgreSQL; on SQLite one ORM query per column cost
    0.2 to 0.3 ms each to build."""
    queryset = queryset.order_by()
    connection = connections[queryset.db]  # the replica's, for a public read (detainers/replica.py)
    selected = [*columns, total] if total else columns
    try:
        sql, params = queryset.values(*selected).query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # a filter that nothing can match, e.g. a search's empty list of ids
        sql, params = None, ()
    return run(connection, [counting(connection, sql, params, columns, total, top)])[0]


class Counting:
    """One counting statement, ``sql`` with its ``params``, and ``read(rows)``, which turns
    its rows into the counts. ``sql`` None: nothing can match, and ``read([])`` gives the
    empty counts without a statement."""

    __slots__ = ("sql", "params", "read")

    def __init__(self, sql, params, read):
        self.sql, self.params, self.read = sql, list(params), read


# Between the statements that ``run`` sends together on PostgreSQL.
SEPARATOR = ";\n"


def run(connection, countings):
    """``[counting.read(rows), ...]`` for each of ``countings``, in order.

    On PostgreSQL every statement goes in one round trip: sent together, separated by
    semicolons (Django binds the parameters on the client, so each may have its own), and
    their result sets read one after the other. The four statements of a quarter's facets
    took 5.05 ms one by one and 4.55 ms so, at 1,000,000 cases (medians of 60). Elsewhere
    (SQLite runs one statement per call) they run one by one. Either way a failing
    statement raises, and the counts are not made."""
    results = [None] * len(countings)
    pending = []
    for index, counted in enumerate(countings):
        if counted.sql is None:
            results[index] = counted.read([])
        else:
            pending.append((index, counted))
    if not pending:
        return results
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(SEPARATOR.join(c.sql for _, c in pending), [p for _, c in pending for p in c.params])
            for number, (index, counted) in enumerate(pending):
                if number:
                    cursor.cursor.nextset()
                results[index] = counted.read(cursor.fetchall())
        else:
            for index, counted in pending:
                cursor.execute(counted.sql, counted.params)
                results[index] = counted.read(cursor.fetchall())
    return results


def counting(connection, sql, params, columns, total=None, top=None):
    """The ``Counting`` of ``group_counts(columns, total, top)`` over the rows that ``sql``
    selects (None: no rows), which must name each of ``columns`` (and ``total``)."""
    top = top or {}
    if sql is None:
        return Counting(None, (), lambda rows: {column: Top() if column in top else [] for column in columns})
    if top and connection.vendor == "postgresql":
        return _top_counting(connection, sql, params, columns, total, top)
    quote = connection.ops.quote_name
    quoted = [quote(column) for column in columns]
    measure = f"SUM({quote(total)})" if total else "COUNT(*)"

    def finish(result):
        for rows in result.values():
            _largest_first(rows)
        for column, (size, keep) in top.items():
            result[column] = top_rows(result[column], size, keep)
        return result

    if connection.vendor == "postgresql":
        grouping = ", ".join(f"({column})" for column in quoted)
        flags = ", ".join(f"GROUPING({column})" for column in quoted)
        statement = (
            f"SELECT {', '.join(quoted)}, {flags}, {measure} FROM ({sql}) AS counted "
            f"GROUP BY GROUPING SETS ({grouping})"
        )

        def read(rows):
            result = {column: [] for column in columns}
            by_index = list(result.values())
            flags_end = 2 * len(columns)
            for row in rows:
                index = row.index(0, len(columns), flags_end) - len(columns)  # the GROUPING flag that is 0
                by_index[index].append((row[index], row[-1]))
            return finish(result)

        return Counting(statement, params, read)
    parts = " UNION ALL ".join(
        f"SELECT {index}, {column}, {measure} FROM counted GROUP BY {column}" for index, column in enumerate(quoted)
    )

    def read(rows):
        result = {column: [] for column in columns}
        by_index = list(result.values())
        for index, value, n in rows:
            if n:
                by_index[index].append((value, n))
        return finish(result)

    return Counting(f"WITH counted AS ({sql}) {parts}", params, read)


def _top_counting(connection, sql, params, columns, total, top):
    """``counting`` with ``top`` on PostgreSQL: the grouping sets counted once (a
    materialized CTE), then for each column of ``top`` its largest values (LIMIT), the kept
    ones and how many there are, all in one statement. Ties are ordered by the value as text
    in the "C" collation, code point by code point, as Python orders strings."""
    quote = connection.ops.quote_name
    quoted = [quote(column) for column in columns]
    measure = f"SUM({quote(total)})" if total else "COUNT(*)"
    flags = ", ".join(f"GROUPING({column}) AS g{index}" for index, column in enumerate(quoted))
    grouping = ", ".join(f"({column})" for column in quoted)
    # Each part reads one grouping set's rows, whose other columns are NULL, and selects
    # every column: each keeps its own type (NULLs of unknown type in two parts make text).
    values = ", ".join(quoted)
    parts, part_params = [], []
    for index, column in enumerate(quoted):
        own = f"g{index} = 0"
        if columns[index] not in top:
            parts.append(f"SELECT {index}, {values}, n FROM grouped WHERE {own}")
            continue
        size, keep = top[columns[index]]
        own += f" AND {column} IS NOT NULL AND {column}::text <> ''"
        parts.append(
            f"(SELECT {index}, {values}, n FROM grouped WHERE {own} "
            f'ORDER BY n DESC, {column}::text COLLATE "C" LIMIT %s)'
        )
        part_params.append(size)
        if keep:  # tagged apart: their rows may repeat some of the largest
            parts.append(f"SELECT {len(columns) + index}, {values}, n FROM grouped WHERE {own} AND {column} = ANY(%s)")
            part_params.append(list(keep))
        nulls = ", ".join("NULL" for _ in columns)
        parts.append(f"SELECT {-1 - index}, {nulls}, COUNT(*) FROM grouped WHERE {own}")
    statement = (
        f"WITH grouped AS MATERIALIZED (SELECT {', '.join(quoted)}, {flags}, {measure} AS n FROM ({sql}) AS counted "
        f"GROUP BY GROUPING SETS ({grouping})) {' UNION ALL '.join(parts)}"
    )

    def read(rows):
        result = {column: [] for column in columns}
        kept = {column: [] for column in columns}
        totals = {}
        for row in rows:
            tag = row[0]
            if tag < 0:
                totals[columns[-1 - tag]] = row[-1]
            elif tag < len(columns):
                result[columns[tag]].append((row[1 + tag], row[-1]))
            else:
                index = tag - len(columns)
                kept[columns[index]].append((row[1 + index], row[-1]))
        for column, rows in result.items():
            _largest_first(rows)  # UNION ALL keeps no order of its own
            if column in top:
                shown = {value for value, _n in rows}
                extra = [row for row in kept[column] if row[0] not in shown]
                _largest_first(extra)
                result[column] = Top(rows + extra, totals[column])
        return result

    return Counting(statement, [*params, *part_params], read)


def _largest_first(rows):
    """Sort ``(value, count)`` rows largest first, ties by value as text. Two stable sorts,
    the second on a C-level key: a quarter's agencies are some 2,000 rows, and one sort on a
    tuple key took twice as long."""
    rows.sort(key=_as_text)
    rows.sort(key=itemgetter(1), reverse=True)


def _as_text(row):
    return str(row[0])


def case_and_charge_counts(queryset, columns, timings):
    """``group_counts(columns)`` and the cases' charge categories by timing
    (``DetainerQuerySet.charge_group_counts``) in one statement, the matching cases found
    once (a CTE, MATERIALIZED on PostgreSQL) rather than once per count. Returns
    ``(by_column, by_timing)``.

    The charges are counted from the cases' own ``charge_keys``, a column the statement reads
    anyway (PostgreSQL unnests the array, SQLite walks the JSON with ``json_each``): each key
    is one CaseCharge row (or a category at any arrest), and appears once in a case, so
    counting keys counts cases. The charges of the 2,351 cases of a quarter, an agency and a
    charge took 6.3 ms as probes into the case charges, 2 ms so, on PostgreSQL."""
    from .models.detainers import KEY_TIMINGS, key_parts

    queryset = queryset.order_by()
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    try:
        sql, params = queryset.values(*columns, "charge_keys").query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return {column: [] for column in columns}, {timing: [] for timing in timings}
    postgresql = connection.vendor == "postgresql"
    offsets = [KEY_TIMINGS[timing] for timing in timings]
    parts, part_params = [], []
    for index, column in enumerate(columns):
        value = f"{quote(column)}::text, NULL::bigint" if postgresql else f"{quote(column)}, NULL"
        parts.append(f"SELECT {index}, {value}, COUNT(*) FROM s GROUP BY 2")
    if timings:
        key = "key" if postgresql else "key.value"
        wanted, part_params = _offsets_wanted(key, offsets)
        keys = (
            "(SELECT unnest(charge_keys) AS key FROM s) AS keys" if postgresql else "s, json_each(s.charge_keys) AS key"
        )
        parts.append(f"SELECT -1, NULL, {key}, COUNT(*) FROM {keys} WHERE {wanted} GROUP BY 3")
    by_column = {column: [] for column in columns}
    by_timing = {timing: [] for timing in timings}
    # On PostgreSQL every value comes back as text (one column for all groups): integers
    # are read back.
    integer = {column for column in columns if _is_integer(queryset.model._meta.get_field(column))}
    with connection.cursor() as cursor:
        if postgresql:
            statement = f"WITH s AS MATERIALIZED ({sql}) {' UNION ALL '.join(parts)}"
            rows = _without_parallel_workers(cursor, statement, [*params, *part_params])
        else:
            cursor.execute(f"WITH s AS ({sql}) {' UNION ALL '.join(parts)}", [*params, *part_params])
            rows = cursor.fetchall()
        for tag, value, key, n in rows:
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


def _offsets_wanted(key, offsets):
    """``(condition, params)`` keeping the charge keys of ``offsets`` (``KEY_TIMINGS``): the
    prior and the subsequent charges together, the list's two charge facets under a charge
    filter, as the keys that are not of any arrest. Their 2,351 cases' 14,079 keys took 8.6 ms
    with ``key % 3 = ANY('{2,1}')`` and 8.2 with ``key % 3 <> 0`` (medians of 30, one run, on
    a slow stretch of the machine)."""
    others = set(range(3)) - set(offsets)
    if len(others) == 1:
        return f"{key} %% 3 <> %s", [others.pop()]
    return f"{key} %% 3 IN ({', '.join('%s' for _ in offsets)})", list(offsets)


# PostgreSQL plans the counts without parallel workers. For the small sets of cases counted
# from the cases (at most 10,000 for a facet, 50,000 for /stats/) starting two workers cost
# more than they saved: the facets of the list with three filters took 24.6 ms with them and
# 16.6 ms without, at 1,000,000 cases on 2 cores. The setting is made and undone in the same
# round trip as the statement: several statements sent at once run as one transaction, so
# if the count fails the setting is rolled back with it, and inside a transaction of the
# caller's the count's error aborts it and its rollback undoes the setting.
WITHOUT_PARALLEL_WORKERS = "SET max_parallel_workers_per_gather = 0; {}; RESET max_parallel_workers_per_gather"


def _without_parallel_workers(cursor, sql, params):
    """The rows of ``sql``, run with no parallel workers (see above), in one round trip:
    the SET and the RESET cost 0.15 ms each as statements of their own."""
    cursor.execute(WITHOUT_PARALLEL_WORKERS.format(sql), params)
    cursor.cursor.nextset()  # past the SET, to the statement's rows
    return cursor.fetchall()


def _is_integer(field):
    """An integer column: an integer field (auto and big ones too), or a key to one."""
    return isinstance(getattr(field, "target_field", field), IntegerField)
