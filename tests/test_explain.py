"""Every case-list filter, alone and combined, can be answered from an index: with
sequential scans disabled, PostgreSQL's plan must not scan the cases table.

Tiny test tables make any plan cheap, so the test switches sequential scans off: a plan
that still reads cases_detainer sequentially has no index to use.
"""

import itertools

import pytest
from django.db import connection, transaction
from django.test import RequestFactory

from cases.filters import CaseFilter
from cases.models import Detainer

from .factories import AgencyFactory, ReportFactory, make_case, publish

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are checked on PostgreSQL"),
]

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


@pytest.mark.parametrize("combo", COMBINATIONS, ids=lambda c: "+".join(c))
def test_each_filter_and_combination_uses_an_index(cases, combo):
    queryset = filtered({name: FILTERS[name] for name in combo})
    assert queryset.count() == 3
    for query in (queryset[:50], queryset.order_by()):
        text = plan(query)
        assert "Seq Scan on cases_detainer" not in text, text


@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_uses_an_index(cases, sort):
    from cases.tables import CaseTable

    table = CaseTable(Detainer.objects.published().for_list(), order_by=sort or None)
    text = plan(table.data.data[:50], sorts=False)
    assert "Seq Scan on cases_detainer" not in text, text
    assert "Sort Key" not in text, f"sorting {sort!r} needs a sort step instead of an index order:\n{text}"
