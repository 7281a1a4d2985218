"""``cases.lookups.rows``: the cursor reads that replaced the ORM's for the small reference
tables and the facet labels must give what the ORM gives, in the models' default order."""

import pytest

from cases import lookups, requestmemo
from cases.models import Agency, ChargeCategory, FieldOffice, Report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model, fields",
    [
        (Agency, ["slug", "name", "state"]),
        (Report, ["slug", "title"]),
        (FieldOffice, ["slug", "name"]),
        (ChargeCategory, ["code", "slug", "name"]),
    ],
    ids=lambda value: getattr(value, "__name__", "fields"),
)
def test_rows_are_what_the_orm_reads_in_the_same_order(world, model, fields):
    everything = list(model.objects.values_list("pk", *fields))
    assert len(everything) >= 2
    assert lookups.rows(model, fields) == everything
    some = [everything[-1][0], everything[0][0]]
    assert lookups.rows(model, fields, some) == list(model.objects.filter(pk__in=some).values_list("pk", *fields))
    assert lookups.rows(model, fields, []) == []
    assert lookups.rows(model, fields, {-1}) == []


def test_the_reference_lookups_keep_their_shape(world):
    assert lookups.categories() == {
        pk: (code, slug, name)
        for pk, code, slug, name in ChargeCategory.objects.values_list("pk", "code", "slug", "name")
    }
    assert list(lookups.field_offices().items()) == [
        (pk, (slug, name)) for pk, slug, name in FieldOffice.objects.values_list("pk", "slug", "name")
    ]


def test_rows_read_from_the_database_the_router_gives(world, monkeypatch):
    from django.db import router

    asked = []

    def db_for_read(model, **hints):
        asked.append(model)
        return "default"

    monkeypatch.setattr(router, "db_for_read", db_for_read)
    lookups.rows(Agency, ["slug"], [1])
    assert asked == [Agency]


def _in_a_get_request():
    # The request memo's own receivers (the signals would also close the test's connection).
    requestmemo._started(None, environ={"REQUEST_METHOD": "GET"})


def _request_ends():
    requestmemo._finished(None)


def test_rows_together_give_what_rows_gives_and_keep_the_reference_tables(world, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    agencies = [pk for pk, *_ in lookups.rows(Agency, ["slug"])][:2]
    reports = [pk for pk, *_ in lookups.rows(Report, ["slug"])][:1]
    requests = [
        (Agency, ["slug", "name", "state"], agencies),
        (Report, ["slug", "title"], reports),
        (Agency, ["slug"], []),
    ]
    expected = [lookups.rows(*request) for request in requests]
    assert expected[0] and expected[1] and expected[2] == []
    _in_a_get_request()
    try:
        with CaptureQueriesContext(connection) as captured:
            assert lookups.rows_together(requests) == expected
            categories, offices = lookups.categories(), lookups.field_offices()
        # Labels and both reference tables in one round trip on PostgreSQL; one statement each elsewhere.
        assert len(captured) == (1 if connection.vendor == "postgresql" else 4)
    finally:
        _request_ends()
    assert categories == lookups.categories() and offices == lookups.field_offices()


def _tables(captured):
    sql = " ".join(query["sql"] for query in captured)
    return [table for table in ("cases_report", "cases_chargecategory", "cases_fieldoffice") if f'"{table}"' in sql]


def test_rows_together_read_no_reference_table_the_request_or_the_cache_holds(world, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import dataversion

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lookups"}}
    cache.clear()

    def tables_read():
        _in_a_get_request()
        try:
            with CaptureQueriesContext(connection) as captured:
                lookups.rows_together([(Report, ["slug"], None)])
                lookups.categories(), lookups.field_offices()
        finally:
            _request_ends()
        return _tables(captured)

    _in_a_get_request()
    try:
        lookups.categories()  # kept for the request and in the cache
        with CaptureQueriesContext(connection) as captured:
            lookups.rows_together([(Report, ["slug"], None)])
    finally:
        _request_ends()
    assert _tables(captured) == ["cases_report", "cases_fieldoffice"]
    # Both from the cache now, the field offices kept by rows_together.
    assert tables_read() == ["cases_report"]
    dataversion.bump()  # a change: both are read again, with the labels
    assert tables_read() == ["cases_report", "cases_chargecategory", "cases_fieldoffice"]
    assert tables_read() == ["cases_report"]


def test_outside_a_request_rows_together_read_only_what_is_asked(world, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with CaptureQueriesContext(connection) as captured:
        assert lookups.rows_together([(Report, ["slug"], None)]) == [lookups.rows(Report, ["slug"])]
    assert not any("cases_chargecategory" in q["sql"] or "cases_fieldoffice" in q["sql"] for q in captured)
