"""Small reference tables read on every page, cached until the data changes, and read at
most once per request; and the labels of the few rows a list names (its facet options).

These are read with the cursor, not the ORM: the statements are simple and fixed, and the
ORM's building of them was most of their cost (ten agencies' labels 0.46 → 0.16 ms, the
charge categories 0.32 → 0.14 ms, at 1,000,000 cases on PostgreSQL). They read from the
database the router gives for a read (the replica, for a public page)."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import connections, router

from . import dataversion
from .grouping import Counting, run
from .models import ChargeCategory, FieldOffice
from .requestmemo import active, once, recall, remember


@dataclass(frozen=True)
class Reference:
    """A small table read whole, kept for the request (``once``) and in the cache."""

    name: str
    model: type
    fields: tuple
    build: object  # rows → the value kept

    def cache_key(self, version=None):
        return f"lookups:{self.name}:v{dataversion.current() if version is None else version}"

    def value(self):
        return once(self.name, lambda: cache.get_or_set(self.cache_key(), self.read, dataversion.cache_seconds()))

    def read(self):
        return self.build(rows(self.model, self.fields))


CATEGORIES = Reference(
    "categories",
    ChargeCategory,
    ("code", "slug", "name"),
    lambda rows: {pk: (code, slug, name) for pk, code, slug, name in rows},
)
FIELD_OFFICES = Reference(
    "field-offices", FieldOffice, ("slug", "name"), lambda rows: {pk: (slug, name) for pk, slug, name in rows}
)
REFERENCES = (CATEGORIES, FIELD_OFFICES)
_MISSING = object()


def categories():
    """``{pk: (code, slug, name)}`` for every charge category, in code order."""
    return CATEGORIES.value()


def field_offices():
    """``{pk: (slug, name)}`` for every ICE field office (AOR), in name order."""
    return FIELD_OFFICES.value()


def rows(model, fields, pks=None):
    """``[(pk, *fields), ...]`` of ``model``'s rows, those whose primary key is in ``pks``
    (all of them if None), in the model's default order."""
    return _read([(model, fields, pks)])[0]


def rows_together(requests):
    """``[rows(model, fields, pks), ...]`` for each ``(model, fields, pks)`` of ``requests``;
    on the way, in a GET request, the reference tables (``REFERENCES``) that it has not read
    yet and the cache does not hold are read and kept, as ``categories()`` would keep them.

    On PostgreSQL the statements go in one round trip when they read from one database
    (``grouping.run``): a list page's facet labels (its report and agency options), its
    charge categories and its field offices took four round trips, one by one."""
    references, keys = _references_to_read()
    results = _read([*requests, *((reference.model, reference.fields, None) for reference in references)])
    if references:
        values = [reference.build(found) for reference, found in zip(references, results[len(requests) :], strict=True)]
        cache.set_many(
            {keys[r.name]: value for r, value in zip(references, values, strict=True)}, dataversion.cache_seconds()
        )
        for reference, value in zip(references, values, strict=True):
            remember(reference.name, value)
    return results[: len(requests)]


def _references_to_read():
    """The reference tables that this GET request has not read and the cache does not hold,
    with every reference's cache key, worked out once, before they are read: rows read while
    a change commits are kept under the version that the change retires. Outside a GET
    request nothing would keep them: none is read."""
    if not active():
        return [], {}
    wanted = [reference for reference in REFERENCES if recall(reference.name, _MISSING) is _MISSING]
    if not wanted:
        return [], {}
    version = dataversion.current()
    keys = {reference.name: reference.cache_key(version) for reference in wanted}
    cached = cache.get_many(list(keys.values()))
    missing = []
    for reference in wanted:
        if keys[reference.name] in cached:
            remember(reference.name, cached[keys[reference.name]])
        else:
            missing.append(reference)
    return missing, keys


def _read(requests):
    """``[rows(model, fields, pks), ...]``: the statements of one database in one round trip."""
    by_alias = {}
    for index, (model, fields, pks) in enumerate(requests):
        alias = router.db_for_read(model)
        sql, params = _select(connections[alias], model, fields, pks)
        by_alias.setdefault(alias, []).append((index, Counting(sql, params, list)))
    results = [None] * len(requests)
    for alias, countings in by_alias.items():
        found = run(connections[alias], [counting for _index, counting in countings])
        for (index, _counting), rows_found in zip(countings, found, strict=True):
            results[index] = rows_found
    return results


def _select(connection, model, fields, pks):
    """``(sql, params)`` of ``rows(model, fields, pks)``; ``(None, ())`` for no primary keys."""
    if pks is not None:
        pks = list(pks)
        if not pks:
            return None, ()
    quote = connection.ops.quote_name
    opts = model._meta
    columns = [opts.pk.column, *(opts.get_field(name).column for name in fields)]
    sql = f"SELECT {', '.join(map(quote, columns))} FROM {quote(opts.db_table)}"
    if pks is not None:
        sql += f" WHERE {quote(opts.pk.column)} IN ({', '.join(['%s'] * len(pks))})"
    order = [
        f"{quote(opts.get_field(name.lstrip('-')).column)}{' DESC' if name.startswith('-') else ''}"
        for name in opts.ordering
    ]
    if order:
        sql += f" ORDER BY {', '.join(order)}"
    return sql, pks or ()
