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
