"""Free-text search matches exactly what its definition says, whichever way it is computed.

``Detainer.objects.search`` matches the small tables first and the cases by their own
columns (fast at a million cases). The reference below is the definition written row by
row: each case against its own agency, report, individual and every charge of every
arrest of its individual. The two must agree on every term.
"""

import datetime as dt

import pytest
from django.db.models import Exists, OuterRef, Q
from django_countries import countries

from cases.models import ArrestCharge, Detainer
from cases.services import derive

from .factories import ArrestChargeFactory, ArrestFactory, category
from .public_world import text

pytestmark = pytest.mark.django_db


def reference_search(queryset, term):
    codes = [code for code, name in countries if term.lower() in name.lower()]
    charges = ArrestCharge.objects.filter(arrest__individual=OuterRef("individual")).filter(
        Q(wording__icontains=term) | Q(category__name__icontains=term)
    )
    return queryset.filter(
        Q(case_id__icontains=term)
        | Q(declining_agency__name__icontains=term)
        | Q(declining_agency__city__icontains=term)
        | Q(declining_agency__county__icontains=term)
        | Q(report__title__icontains=term)
        | Q(individual__citizenship__in=codes)
        | Exists(charges)
    )


TERMS = [
    "travis",  # agency name
    "los angeles",  # agency city and county
    "FY2017",  # report title
    "fy2018-q2-0",  # case ids
    "Jamaica",  # country
    "cambodia",
    "probation",  # wording
    "RAPE",  # wording, any case
    "homicide",  # category name and wording
    "sexual",  # category name only
    "burglary",  # a prior conviction of one case
    "possession",  # a later charge
    "dangerous drugs",  # category name
    "nothing like this",
    "%",  # LIKE wildcards are literal
    "_",
]


@pytest.mark.parametrize("term", TERMS)
def test_search_matches_the_row_by_row_definition(world, term):
    for queryset in (Detainer.objects.published(), Detainer.objects.cases(), Detainer.objects.all()):
        found = set(queryset.search(term).values_list("pk", flat=True))
        assert found == set(reference_search(queryset, term).values_list("pk", flat=True)), term


def test_terms_cover_every_way_to_match(world):
    """The terms above are not vacuous: most of them match something, and not everything."""
    every = Detainer.objects.count()
    counts = [Detainer.objects.search(term).count() for term in TERMS]
    assert sum(1 for n in counts if 0 < n < every) >= 10, counts


def test_a_charge_added_to_an_earlier_arrest_matches_every_case_of_that_individual(world):
    """A later case of the same individual: an older arrest's charge is 'prior' for both."""
    case = world.q2.detainers.get(row=3)
    with derive.batch():
        earlier = ArrestFactory(individual=case.individual, arrested_on=dt.date(2016, 5, 1))
        ArrestChargeFactory(arrest=earlier, category=category("50"), wording="trespass at a depot")
    assert list(Detainer.objects.search("depot").values_list("case_id", flat=True)) == ["fy2018-q2-03"]
    assert set(Detainer.objects.search("judiciary").values_list("case_id", flat=True)) == {
        "fy2018-q2-02",
        "fy2018-q2-03",
    }


def test_search_page_lists_the_matches(client, world):
    html = text(client.get("/cases/?q=probation"))
    assert '<a href="/cases/fy2018-q2-02/">fy2018-q2-02</a>' in html
    assert "fy2018-q2-01" not in html.split("<table", 1)[1]


@pytest.mark.parametrize(
    "url", ["/cases/?q=nothing+like+this", "/cases/?state=CA&q=nothing+like+this", "/stats/?q=zzzz"]
)
def test_a_search_matching_nothing_shows_an_empty_result(client, world, url):
    """The search's list of matching ids is empty: every count and facet query still runs."""
    html = text(client.get(url))
    assert "0 cases" in html


def test_a_search_matching_more_cases_than_the_id_list_holds_matches_the_same(world, monkeypatch):
    """Past SEARCH_IDS_LISTED matches, the cases are filtered by the union itself."""
    from cases.models import detainers

    listed = set(Detainer.objects.published().search("police").values_list("pk", flat=True))
    monkeypatch.setattr(detainers, "SEARCH_IDS_LISTED", 1)
    assert set(Detainer.objects.published().search("police").values_list("pk", flat=True)) == listed
    assert len(listed) > 1


def test_a_broad_search_lists_its_cases_with_facets_uncounted(client, world, monkeypatch):
    from cases import facets

    monkeypatch.setattr(facets, "COUNTED_FROM_CASES_UP_TO", 1)
    html = text(client.get("/cases/?state=CA&q=fy2018-q2"))  # two cases
    assert "This view holds more than 1 cases, too many to count one by one for the choices of: Quarter; " in html
    assert html.count("Not counted: too many cases in view.") == len(facets.ORDER)
    assert 'type="checkbox"' not in html
    # The chosen filter is kept for the next submit; the matching case is listed.
    assert '<input type="hidden" name="state" value="CA">' in html
    assert '<a href="/cases/fy2018-q2-01/">fy2018-q2-01</a>' in html
    # Without a search, the same number of cases is counted as usual.
    html = text(client.get("/cases/?state=CA"))
    assert "too many to count" not in html
    assert 'type="checkbox"' in html


def test_a_search_within_the_limit_counts_its_facets(client, world):
    html = text(client.get("/cases/?q=police"))
    assert "too many to count" not in html
    assert 'name="state" value="CA"' in html and '<span class="count">(1)</span>' in html


# The search's union of matching ids, read once per request although the list and its facets
# each build a queryset; then what any list filtered beyond the rollups reads: the count; the
# facets (the case-level and charge facets in one statement; on PostgreSQL planned without
# parallel workers, the SET and RESET sent with it); the labels
# of the options shown (reports, agencies, AORs, categories: one round trip on PostgreSQL);
# the page's rows.
SEARCH_QUERIES = {"postgresql": 5, "sqlite": 8}


@pytest.mark.parametrize("n_cases", [10, 500])
def test_search_query_count_does_not_grow_with_rows(client, django_assert_num_queries, n_cases):
    from django.db import connection

    from cases.models import ReportStatus

    from .factories import AgencyFactory, ReportFactory, bulk_cases

    report = ReportFactory(fy=2018, q=2)
    bulk_cases(report, n_cases, agency=AgencyFactory(name="Many Cases County", slug="many-cases-county-ca"))
    report.status = ReportStatus.PUBLISHED
    report.save()
    with django_assert_num_queries(SEARCH_QUERIES[connection.vendor]):
        html = text(client.get("/cases/?q=many+cases"))
    assert f'<h1 class="share-sentence">{n_cases} cases' in html
