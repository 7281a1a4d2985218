"""Counts by several columns at once: one GROUPING SETS query on PostgreSQL, one GROUP BY
per column elsewhere."""

from django.db import connection
from django.db.models import Count, Sum


def group_counts(queryset, columns, total=None):
    """``{column: [(value, count), ...]}``, largest first. Counts rows, or with ``total``
    sums that column (the ``cases`` of a rollup)."""
    queryset = queryset.order_by()
    if connection.vendor != "postgresql" or len(columns) == 1:
        measure = Sum(total) if total else Count("pk")
        return {
            column: [
                (value, n) for value, n in queryset.values_list(column).annotate(n=measure).order_by("-n", column) if n
            ]
            for column in columns
        }
    selected = [*columns, total] if total else columns
    sql, params = queryset.values(*selected).query.get_compiler(queryset.db).as_sql()
    quote = connection.ops.quote_name
    quoted = [quote(column) for column in columns]
    grouping = ", ".join(f"({column})" for column in quoted)
    flags = ", ".join(f"GROUPING({column})" for column in quoted)
    measure = f"SUM({quote(total)})" if total else "COUNT(*)"
    query = (
        f"SELECT {', '.join(quoted)}, {flags}, {measure} FROM ({sql}) AS counted GROUP BY GROUPING SETS ({grouping})"
    )
    result = {column: [] for column in columns}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for row in cursor.fetchall():
            values, grouped_out, count = row[: len(columns)], row[len(columns) : -1], row[-1]
            result[columns[grouped_out.index(0)]].append((values[grouped_out.index(0)], count))
    for rows in result.values():
        rows.sort(key=lambda row: (-row[1], str(row[0])))
    return result
