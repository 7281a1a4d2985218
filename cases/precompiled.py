"""Querysets of a fixed shape, compiled to SQL once per database connection.

Building a queryset and compiling it costs more than running it when the query is short:
on the case page at 1,000,000 cases, the ORM spent 1.25 ms compiling the detainers' query
that PostgreSQL answered in 0.9 ms. A page whose queries always have the same shape, with
only their values changing, can compile each of them once and keep the SQL.

    case_by_id = Precompiled(Detainer, lambda case_id: Detainer.objects.filter(case_id=case_id), str)
    case_by_id.fetch("fy2018-q2-01")   # a list of Detainer, as list(queryset) gives

The queryset is built twice with two sets of placeholder values (sentinels) in place of the
real ones; where each value's sentinels land in the compiled parameters is recorded, and
later calls put their values there. A lookup that transforms its value (``icontains`` wraps it in ``%``) would
hide the sentinel: that is an error when the query is first compiled, never a wrong query.
The statement runs through ``connection.cursor()``, so query logging, ``assertNumQueries``
and execute wrappers see it, and rows become instances as ``ModelIterable`` makes them
(``select_related`` included; ``prefetch_related`` is refused: prefetch explicitly).

The compiled SQL is kept on the connection object (``connections[alias]``), which Django
gives each thread its own, so nothing is shared between threads and a new connection, or
another engine, compiles its own.
"""

from __future__ import annotations

import itertools

from django.db import connections, router
from django.db.models.query import ModelIterable, get_related_populators

_counter = itertools.count()


class SentinelLost(ValueError):
    """A placeholder value did not reach the SQL parameters unchanged."""


def _sentinels(kinds, variant):
    """Placeholder values, one per kind; ``variant`` 0 and 1 differ at every value.

    Integers stay within every integer field's range (Django finds nothing, without a query,
    for a value a column cannot hold), so a constant of the query could equal one: each query
    is compiled with both variants, and a value's position is where both sentinels land.
    """
    return [
        31000 + 1000 * variant + n if kind is int else f"\ue000precompiled {variant}.{n}\ue000"
        for n, kind in enumerate(kinds)
    ]


class Precompiled:
    """``build(*values, *shape)`` returns a queryset whose SQL depends on ``shape`` only.

    ``kinds`` gives each value's type (``str`` or ``int``), so that its sentinel passes the
    field's own conversion unchanged. ``shape`` arguments (booleans, say: is the user staff?)
    select one of several compiled forms; they must be hashable and few.
    """

    def __init__(self, model, build, *kinds):
        self.model = model  # the database router picks the alias by it, per call
        self.build = build
        self.kinds = kinds
        self.key = ("precompiled", next(_counter))

    def queryset(self, *values, shape=()):
        """The same query, built by the ORM with the real values (for tests, and as the reference)."""
        return self.build(*values, *shape)

    def compiled(self, alias, shape=()):
        connection = connections[alias]
        cache = connection.__dict__.setdefault("_precompiled", {})
        key = (self.key, shape)
        if key not in cache:
            cache[key] = self._compile(alias, shape)
        return cache[key]

    def _compile(self, alias, shape):
        compiled = [self._compile_with(_sentinels(self.kinds, variant), alias, shape) for variant in (0, 1)]
        (sql, params, compiler), (other_sql, other_params, _compiler) = compiled
        if sql != other_sql or len(params) != len(other_params):
            raise SentinelLost("Precompiled: the SQL changes with the values, not only with the shape.")
        first, second = _sentinels(self.kinds, 0), _sentinels(self.kinds, 1)
        slots = []
        for position, (param, other) in enumerate(zip(params, other_params, strict=True)):
            matched = [i for i in range(len(first)) if param == first[i] and other == second[i]]
            if matched:
                slots.append((position, matched[0]))
            elif param != other:
                raise SentinelLost(f"Precompiled: a value is transformed by its lookup ({param!r}).")
        missing = sorted(set(range(len(first))) - {index for _position, index in slots})
        if missing:
            raise SentinelLost(f"Precompiled: value(s) {missing} do not reach the SQL unchanged.")
        klass_info, select = compiler.klass_info, compiler.select
        columns = [column[0] for column in select[: compiler.col_count]]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return {
            "sql": sql,
            "params": list(params),
            "slots": slots,
            "compiler": compiler,
            "model": klass_info["model"],
            "init_list": [column[0].target.attname for column in select[start:end]],
            "start": start,
            "end": end,
            "annotations": compiler.annotation_col_map,
            "populators": get_related_populators(klass_info, select, alias),
            # What results_iter finds again on every call: the columns' conversions from the
            # database, and whether any column is a composite key.
            "converters": compiler.get_converters(columns),
            "composite": columns if compiler.has_composite_fields(columns) else None,
        }

    def _compile_with(self, sentinels, alias, shape):
        queryset = self.build(*sentinels, *shape)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise TypeError("Precompiled: prefetch the related objects explicitly.")
        if queryset._iterable_class is not ModelIterable:
            raise TypeError("Precompiled: only querysets of model instances.")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        return sql, params, compiler

    def fetch(self, *values, shape=()):
        """The instances ``list(self.queryset(*values, shape=shape))`` would give, in its order."""
        alias = router.db_for_read(self.model)
        compiled = self.compiled(alias, shape)
        params = list(compiled["params"])
        for position, index in compiled["slots"]:
            params[position] = values[index]
        with _cursor(connections[alias]) as cursor:
            cursor.execute(compiled["sql"], params)
            rows = cursor.fetchall()
        if not rows:
            return []
        compiler = compiled["compiler"]
        model_cls, init_list = compiled["model"], compiled["init_list"]
        start, end, annotations = compiled["start"], compiled["end"], compiled["annotations"]
        populators = compiled["populators"]
        objects = []
        converters = compiled["converters"]
        rows = compiler.apply_converters(rows, converters) if converters else rows
        if compiled["composite"]:
            rows = compiler.composite_fields_to_tuples(rows, compiled["composite"])
        for row in rows:
            obj = model_cls.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


def _cursor(connection):
    """A cursor of ``connection`` that, on PostgreSQL, prepares each statement on the server."""
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        return connection.cursor()
    # As BaseDatabaseWrapper._cursor does, with a server-binding psycopg cursor in place of
    # the client-binding one that create_cursor makes: the wrapper logs and counts it alike.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_PreparingCursor(connection.connection))


try:
    import psycopg
except ImportError:  # pragma: no cover - SQLite only
    psycopg = None
else:

    class _PreparingCursor(psycopg.Cursor):
        """Binds parameters on the server and prepares the statement on its first execution;
        psycopg keeps the prepared statements of each connection (up to prepared_max)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            result = super().execute(query, params, prepare=True, binary=binary)
            self._query = _LoggedQuery(self.connection, query, params)
            return result

    class _LoggedQuery:
        """What Django's query log reads of a cursor (``cursor._query.query``, the statement
        with its values, as a client-binding cursor keeps it), composed only when read."""

        __slots__ = ("_connection", "_sql", "_params")

        def __init__(self, connection, sql, params):
            self._connection, self._sql, self._params = connection, sql, params

        @property
        def query(self):
            return psycopg.ClientCursor(self._connection).mogrify(self._sql, self._params).encode()
