"""The case list's slug filters take their rows from the canonical-URL check that has just
read them (cases.filters.SlugChoiceField), and still refuse what they always refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.filters import CaseFilter
from cases.models import Detainer

from .factories import AgencyFactory, ReportFactory, make_case, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed():
    agency = AgencyFactory(name="Rows County", slug="rows-county-ca")
    report = ReportFactory(fy=2018, q=2)
    for row in (1, 2):
        make_case(report, row, agency=agency)
    make_case(report, 3)  # another agency
    publish(report)
    draft = ReportFactory(fy=2018, q=3)
    make_case(draft, 1, agency=agency)
    return draft


def _get(client, query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:case-list") + "?" + query)
    return response, [q["sql"] for q in queries.captured_queries]


def test_each_slug_is_read_once_per_request(client, listed, no_page_cache):
    response, sql = _get(client, "agency=rows-county-ca&charge=dangerous-drugs")
    assert response.status_code == 200
    assert response.context["filter"].qs.count() == 2
    assert sum('"cases_agency"."slug" IN' in s for s in sql) == 1
    assert sum('"cases_chargecategory"."slug" IN' in s for s in sql) == 1


def test_an_unknown_slug_beside_a_known_one_is_still_refused(client, listed, no_page_cache):
    response, _sql = _get(client, "agency=nowhere-county-ca&agency=rows-county-ca")
    html = response.content.decode()
    assert "“nowhere-county-ca” is not a known agency." in html
    assert response.context["filter"].qs.count() == 3  # the filter is left out, and says so


def test_a_draft_report_read_by_the_canonical_check_is_not_a_choice(client, listed, no_page_cache):
    """The canonical check reads every report; the report filter offers published ones only,
    so it must not take the draft from there."""
    response, _sql = _get(client, f"report={listed.slug}")
    html = response.content.decode()
    assert f"“{listed.slug}” is not a known published report." in html
    assert response.context["filter"].qs.count() == 3


def test_outside_a_request_the_filter_asks_the_database(listed):
    filterset = CaseFilter({"agency": ["rows-county-ca"]}, queryset=Detainer.objects.published())
    with CaptureQueriesContext(connection) as queries:
        assert filterset.is_valid()
    assert any('"cases_agency"."slug" IN' in q["sql"] for q in queries.captured_queries)
    assert filterset.qs.count() == 2
