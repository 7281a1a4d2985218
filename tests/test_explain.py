"""Every case-list filter, alone and combined, can be answered from an index: with
sequential scans disabled, PostgreSQL's plan must not scan the cases table.

Tiny test tables make any plan cheap, so the test switches sequential scans off: a plan
that still reads cases_detainer sequentially has no index to use.

On SQLite, whose planner has no such switch, the plan must search an index for every
filter and sort (no SCAN of the cases table, no temporary B-tree for the whole order).
"""

import itertools
from importlib import import_module

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cases import grouping
from cases.filters import CaseFilter
from cases.models import Detainer

from .factories import AgencyFactory, ReportFactory, make_case, publish

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan (SQLite's is below)")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan (PostgreSQL's is above)")

FILTERS = {
    "quarter": "fy2018-q2",
    "report": "fy2018-q2",
    "agency": "index-county-ca",
    "state": "CA",
    "aor": "los-angeles",
    "citizenship": "MX",
    "charge": "dangerous-drugs",
    "prior_charge": "dangerous-drugs",
    "subsequent_charge": "homicide",
}
SORTS = ["", "case_id", "-case_id", "quarter", "-quarter", "state", "-state", "citizenship", "-citizenship",
         "lodged", "-lodged", "released", "-released", "days_to_next_arrest", "-days_to_next_arrest",
         "prior_charges", "-prior_charges", "subsequent_charges", "-subsequent_charges"]  # fmt: skip


@pytest.fixture
def cases():
    report = ReportFactory(fy=2018, q=2)
    agency = AgencyFactory(name="Index County", slug="index-county-ca")
    for row in range(1, 4):
        make_case(report, row, agency=agency)
    publish(report)


def plan(queryset, *, sorts=True):
    """The plan with sequential scans (and, for sort checks, explicit sorts) discouraged: a
    discouraged step still appears when nothing else can answer, which is what we detect."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sorts:
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_incremental_sort = off")
        return queryset.explain()


def filtered(params):
    request = RequestFactory().get("/cases/", params)
    filterset = CaseFilter(request.GET, queryset=Detainer.objects.published().for_list(), request=request)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


COMBINATIONS = [
    combo for size in (1, 2, 3) for combo in itertools.combinations(FILTERS, size) if size == 1 or "quarter" in combo
]


@postgresql_only
@pytest.mark.parametrize("combo", COMBINATIONS, ids=lambda c: "+".join(c))
def test_each_filter_and_combination_uses_an_index(cases, combo):
    queryset = filtered({name: FILTERS[name] for name in combo})
    assert queryset.count() == 3
    for query in (queryset[:50], queryset.order_by()):
        text = plan(query)
        assert "Seq Scan on cases_detainer" not in text, text


def sorted_page(sort):
    from cases.tables import CaseTable

    return CaseTable(Detainer.objects.published().for_list(), order_by=sort or None).data.data[:50]


@postgresql_only
@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_uses_an_index(cases, sort):
    text = plan(sorted_page(sort), sorts=False)
    assert "Seq Scan on cases_detainer" not in text, text
    assert "Sort Key" not in text, f"sorting {sort!r} needs a sort step instead of an index order:\n{text}"


def sqlite_plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(row[-1] for row in cursor.fetchall())


@sqlite_only
@pytest.mark.parametrize("combo", COMBINATIONS, ids=lambda c: "+".join(c))
def test_each_filter_and_combination_searches_an_index_on_sqlite(cases, combo):
    queryset = filtered({name: FILTERS[name] for name in combo})
    assert queryset.count() == 3
    text = sqlite_plan(queryset[:50])
    assert "SCAN cases_detainer" not in text, text


@sqlite_only
@pytest.mark.parametrize("name", ["state", "aor", "citizenship"])
def test_a_filter_on_a_common_value_reads_its_cases_in_the_default_order_on_sqlite(cases, name):
    """A state, an AOR or a citizenship can hold a third of the cases: SQLite read them all
    and sorted them to show the first 50 (migration 0017)."""
    queryset = filtered({name: FILTERS[name]})
    assert queryset.count() == 3
    text = sqlite_plan(queryset[:50])
    assert f"detainer_pub_{name}_newest_idx" in text and "USE TEMP B-TREE" not in text, text


@sqlite_only
@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_reads_an_index_in_order_on_sqlite(cases, sort):
    """``filter(is_public=True)`` written as a bare ``WHERE is_public`` matched no index: every
    list was a table scan and a full sort (at 100,000 cases, a deep page took 0.5 s)."""
    text = sqlite_plan(sorted_page(sort))
    assert "SEARCH cases_detainer USING" in text and "(is_public=?" in text, text
    assert "SCAN cases_detainer" not in text, text
    assert "USE TEMP B-TREE FOR ORDER BY" not in text, f"sorting {sort!r} sorts every row:\n{text}"
    # Nor the rows of each value again (the descending sorts whose ties stay in ascending
    # case-id order: migration 0014).
    assert "USE TEMP B-TREE" not in text, f"sorting {sort!r} sorts the rows of each value:\n{text}"


@sqlite_only
def test_the_descending_sort_indexes_get_statistics_where_the_database_has_them(cases):
    """Created after an ANALYZE and left without statistics, the new indexes looked selective
    to SQLite, which then read every list through one of them (at 100,000 cases the default
    list went from 68 to 196 ms, the deep page from 58 to 395 ms)."""
    migration = import_module("cases.migrations.0014_sqlite_descending_sort_indexes")
    names = {f"detainer_pub_{name}_desc_idx" for name in migration.DESCENDING}

    class Editor:  # the migration's schema editor, on the test's own transaction
        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    Editor.connection = connection
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        for name in names:
            cursor.execute(f'DROP INDEX "{name}"')
    migration.create(None, Editor())
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'cases_detainer'")
        analyzed = {row[0] for row in cursor.fetchall()}
    assert names <= analyzed
    assert "USE TEMP B-TREE" not in sqlite_plan(sorted_page(""))


@postgresql_only
@pytest.mark.parametrize("term", ["zzzz", "fy2018", "dangerous drugs", "mex"])
def test_search_reads_indexes_not_the_big_tables(cases, term):
    """Free-text search: the case ids and the charges' wording through their trigram indexes
    (migration 0013), the other matches through the small tables and the case indexes."""
    text = plan(Detainer.objects.search_ids(term))
    assert "Seq Scan on cases_detainer" not in text, text
    assert "Seq Scan on cases_arrestcharge" not in text, text
    assert "trgm_idx" in text, text


@postgresql_only
def test_the_charge_facets_of_an_agency_in_a_quarter_read_one_index(cases):
    """The list filtered by quarter and agency counts its charge facets from ChargeRollup.
    With an index on the agency alone, PostgreSQL combined two bitmaps (the agency's rows of
    every quarter and the quarter's rows of every agency): 1.3 ms at 1,000,000 cases, against
    0.2 ms through one index on both (migration 0018)."""
    from django.db.models import Sum

    from cases.counts import rollup_for
    from cases.models import ChargeRollup

    request = RequestFactory().get("/cases/", {"quarter": FILTERS["quarter"], "agency": FILTERS["agency"]})
    filterset = CaseFilter(request.GET, queryset=Detainer.objects.published().for_list(), request=request)
    assert filterset.is_valid(), filterset.errors
    model, lookups = rollup_for(filterset, set(filterset.applied_params()), group="charge")
    assert model is ChargeRollup
    summed = model.objects.filter(**lookups, timing__in=["any", "prior"]).values_list("timing", "category_id")
    text = plan(summed.annotate(n=Sum("cases")).order_by())
    assert "chargerollup_agency_q_idx" in text, text
    assert "BitmapAnd" not in text, text


@postgresql_only
@pytest.mark.parametrize("combo", COMBINATIONS, ids=lambda c: "+".join(c))
def test_the_cases_counted_for_the_facets_are_found_by_an_index(cases, combo):
    """The facet counts find their cases with the charge filters read from the cases'
    charge keys (``qs_without(counting=True)``): a charge alone must use the GIN index."""
    request = RequestFactory().get("/cases/", {name: FILTERS[name] for name in combo})
    filterset = CaseFilter(request.GET, queryset=Detainer.objects.published(), request=request)
    assert filterset.is_valid(), filterset.errors
    queryset = filterset.qs_without(None, counting=True)
    assert queryset.count() == 3
    text = plan(queryset.order_by().values("citizenship", "charge_keys"))
    assert "Seq Scan on cases_detainer" not in text, text


@postgresql_only
@pytest.mark.parametrize("timing", [None, "prior", "subsequent"])
def test_a_charge_read_from_the_charge_keys_has_an_index(cases, timing):
    """Every case passes ``is_public``, so the test above would pass on its index alone: here
    the charge is the only condition, and the GIN index of migration 0020 must answer it."""
    from cases.models import ChargeCategory

    queryset = Detainer.objects.with_charge_keys([ChargeCategory.objects.get(slug="dangerous-drugs")], timing)
    text = plan(queryset.values("pk"))
    assert "detainer_charge_keys_gin" in text, text


@postgresql_only
def test_the_agency_index_carries_what_the_facet_counts_read():
    """The agency index includes the citizenship and the charge keys (migration 0021), so the
    facet counts of an agency's cases need not visit the table: at 1,000,000 cases the plan is
    an Index Only Scan (README, Performance), which tiny test tables do not reproduce."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'detainer_pub_agency_idx'")
        (definition,) = cursor.fetchone()
    assert definition.endswith("(is_public, declining_agency_id, quarter) INCLUDE (citizenship, charge_keys)"), (
        definition
    )


# The facet counts of one citizenship or one charge, over every report: each reads a rollup
# index that holds the counted columns (migration 0022).
COVERED = {
    "citizenship": {"cases_chargecitizenshiprollup": "chargecitrollup_cit_cat_idx",
                    "cases_caseagencyrollup": "caseagencyrollup_cit_cnt_idx"},
    "charge": {"cases_chargeagencyrollup": "chargeagencyrollup_cat_cnt_idx"},
}  # fmt: skip


@pytest.mark.parametrize("name", COVERED)
def test_the_facets_of_a_citizenship_or_a_charge_read_the_counts_from_an_index(client, cases, name):
    """At 100,000 cases on SQLite the charge facets of Mexico's cases read 5,520 rollup rows
    one by one from the table after the index: 4.8 ms; from the index alone, 0.7 ms."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/cases/", {name: FILTERS[name]}).status_code == 200
    for table, index in COVERED[name].items():
        # Statements sent together (cases.grouping.run) are explained one by one.
        statements = [sql for q in captured.captured_queries for sql in q["sql"].split(grouping.SEPARATOR)]
        counts = [sql for sql in statements if f'FROM "{table}"' in sql]
        assert counts, f"no count read {table}"
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_bitmapscan = off")
                cursor.execute(f"EXPLAIN {counts[0]}")
                text = "\n".join(row[0] for row in cursor.fetchall())
                assert f"Index Only Scan using {index}" in text, text
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {counts[0]}")
                text = "\n".join(row[-1] for row in cursor.fetchall())
                assert f"USING COVERING INDEX {index}" in text, text
