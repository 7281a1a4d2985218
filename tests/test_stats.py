"""/stats/: numbers against hand-computed values, every chart link opens exactly its cases,
the cache follows publication, and the query count does not grow with the rows."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from cases import counts, lookups, stats
from cases.models import Agency, ReportStatus

from .factories import AgencyFactory, ReportFactory, bulk_cases, publish
from .public_world import text

pytestmark = pytest.mark.django_db


def get_stats(client, query=""):
    response = client.get(reverse("cases:stats") + (f"?{query}" if query else ""), follow=True)
    assert response.status_code == 200
    return response


def bars(response, slug):
    chart = next(c for c in response.context["charts"] if c.slug == slug)
    return {bar.label: bar.value for bar in chart.bars}


def test_unfiltered_numbers_match_the_hand_count(client, world):
    # Published: fy2018-q2-01 LAPD CA MX 35→09 30 days; -02 SLO CA MX 50→11 30 days;
    # -03 Philadelphia PA JM 09, no later arrest; fy2017-q2-01 Travis TX KH 22→35 40 days.
    # The draft fy2018-q3-01 is never counted.
    response = get_stats(client)
    summary = response.context["summary"]
    assert (summary.total, summary.agency_count, summary.days_known, summary.median_days) == (4, 4, 3, 30)
    assert bars(response, "quarters") == {
        "FY2017 Q2": 1,
        "FY2017 Q3": 0,
        "FY2017 Q4": 0,
        "FY2018 Q1": 0,
        "FY2018 Q2": 3,
    }
    assert bars(response, "states") == {"California": 2, "Pennsylvania": 1, "Texas": 1}
    assert bars(response, "aors") == {"Los Angeles": 2, "Philadelphia": 1, "San Antonio": 1}
    assert bars(response, "citizenship") == {"Mexico": 2, "Jamaica": 1, "Cambodia": 1}
    assert bars(response, "agencies") == {
        "Los Angeles Police Department, CA": 1,
        "San Luis Obispo County Sheriff's Office, CA": 1,
        "Philadelphia Police Department, PA": 1,
        "Travis County Jail, TX": 1,
    }
    # Prior and subsequent share one category axis, so they read side by side.
    assert bars(response, "prior") == {
        "09 Homicide": 1,
        "11 Sexual Assault": 0,
        "22 Burglary": 1,
        "35 Dangerous Drugs": 1,
        "50 Obstructing Judiciary": 1,
    }
    assert bars(response, "subsequent") == {
        "09 Homicide": 1,
        "11 Sexual Assault": 1,
        "22 Burglary": 0,
        "35 Dangerous Drugs": 1,
        "50 Obstructing Judiciary": 0,
    }
    assert bars(response, "days")["8–30 days"] == 2
    assert bars(response, "days")["31–90 days"] == 1
    assert sum(bars(response, "days").values()) == 3
    html = text(response)
    assert '<h1 class="share-sentence">Statistics: 4 cases</h1>' in html
    assert "only when both dates are known to the day: 3 of 4 cases" in html


def test_filtered_numbers_and_link_back_to_the_list(client, world):
    response = get_stats(client, "state=CA")
    summary = response.context["summary"]
    assert (summary.total, summary.days_known, summary.median_days) == (2, 2, 30)
    assert bars(response, "subsequent") == {
        "09 Homicide": 1,
        "11 Sexual Assault": 1,
        "35 Dangerous Drugs": 0,
        "50 Obstructing Judiciary": 0,
    }
    html = text(response)
    assert "Statistics: 2 cases · California" in html
    assert f'href="{reverse("cases:case-list")}?state=CA"' in html


@pytest.mark.parametrize(
    "query", ["", "state=CA", "quarter=fy2018-q2", "prior_charge=homicide", "charge=homicide&citizenship=MX"]
)
def test_every_chart_link_opens_a_list_with_exactly_that_count(client, world, query):
    response = get_stats(client, query)
    checked = 0
    for chart in response.context["charts"]:
        for bar in chart.bars:
            if bar.url is None:
                continue
            listed = client.get(bar.url)
            assert listed.status_code == 200, bar.url
            assert listed.context["count"] == bar.value, (chart.slug, bar.label, bar.url)
            checked += 1
    assert checked >= 5
    # And the links are in the page, on the bars and in the data tables.
    html = response.content.decode()
    some = next(bar for chart in response.context["charts"] for bar in chart.bars if bar.url)
    assert html.count(f'href="{some.url.replace("&", "&amp;")}"') >= 2


def test_a_charge_bar_that_no_list_can_express_has_no_link(client, world):
    # With prior_charge=homicide chosen, a bar for another prior category counts cases with both;
    # the list ORs categories, so no list has exactly that count.
    response = get_stats(client, "prior_charge=homicide&prior_charge=burglary")
    prior = next(c for c in response.context["charts"] if c.slug == "prior")
    assert prior.bars and all(bar.url is None for bar in prior.bars)


def test_median_of_an_even_number_of_values():
    assert stats.median([(10, 1), (20, 1)]) == 15
    assert stats.median([(3, 2), (7, 1), (9, 1)]) == 5
    assert stats.median([(4, 1)]) == 4
    assert stats.median([]) is None


def test_publishing_a_report_refreshes_cached_statistics(client, no_page_cache, world):
    assert get_stats(client).context["summary"].total == 4
    assert get_stats(client).context["summary"].total == 4  # served from the cache
    assert ">FY2018 Q3</a>" not in get_stats(client).content.decode()
    publish(world.draft)
    response = get_stats(client)
    assert response.context["summary"].total == 5
    assert ">FY2018 Q3</a>" in response.content.decode()  # the cached chart markup follows the data too
    world.draft.status = ReportStatus.DRAFT
    world.draft.save()
    assert get_stats(client).context["summary"].total == 4


def test_charts_are_svg_with_title_description_and_table_and_no_inline_style(client, world):
    html = get_stats(client).content.decode()
    assert html.count("<svg") == 8
    assert html.count('class="data-table compact chart-table"') == 8
    for slug in ("quarters", "agencies", "states", "aors", "prior", "subsequent", "citizenship", "days"):
        assert f'id="chart-{slug}-title"' in html and f'aria-describedby="chart-{slug}-desc"' in html
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script


def test_invalid_filter_values_are_reported_not_a_server_error(client, world):
    response = get_stats(client, "quarter=fy2018-q9&state=ZZ")
    html = text(response)
    assert "is not a fiscal quarter" in html
    assert response.context["summary"].total == 4


def test_detail_pages_reuse_the_chart_components(client, world):
    agency = text(client.get(world.lapd.get_absolute_url()))
    assert 'id="chart-quarters"' in agency and 'id="chart-subsequent"' in agency
    report = text(client.get(world.q2.get_absolute_url()))
    assert 'id="chart-agencies"' in report and 'id="chart-prior"' in report
    charge = text(client.get(reverse("cases:charge-detail", kwargs={"slug": "homicide"})))
    assert 'id="chart-timing"' in charge and 'id="chart-quarters"' in charge


# From the rollups: the case-level counts (one statement per rollup grain, 2: GROUPING SETS
# on PostgreSQL, GROUP BYs joined by UNION ALL on SQLite), prior and subsequent charges (1); labels of
# the agencies, AORs and charge categories (3); days from release, counted over the cases (1).
# Filtered by quarter and agency: the same, all from the agency-grain rollup, plus one
# canonical-slug check for the agency, whose row the filter form then takes (no lookup of its
# own). Served again from the cache: only that check. On PostgreSQL the rollup statements are
# sent in one round trip (cases.grouping.run), so they count as one query.
FILTERED = "quarter=fy2018-q2&agency=many-cases-county-ca"
STATS_QUERIES = {"postgresql": {"": 5, FILTERED: 6}, "sqlite": {"": 7, FILTERED: 7}}
CACHED_QUERIES = {"": 0, FILTERED: 1}


@pytest.mark.parametrize("n_cases", [10, 500])
@pytest.mark.parametrize("query", sorted(CACHED_QUERIES))
def test_stats_query_count_does_not_grow_with_rows(client, no_page_cache, django_assert_num_queries, n_cases, query):
    agency = AgencyFactory(name="Many Cases County", slug="many-cases-county-ca")
    report = ReportFactory(fy=2018, q=2)
    bulk_cases(report, n_cases, agency=agency)
    publish(report)
    url = reverse("cases:stats") + (f"?{query}" if query else "")
    with django_assert_num_queries(STATS_QUERIES[connection.vendor][query]):
        response = client.get(url)
    assert response.context["summary"].total == n_cases
    with django_assert_num_queries(CACHED_QUERIES[query]):
        assert client.get(url).context["summary"].total == n_cases  # cached on the data version


COMPARE_QUERIES = 3  # quarters that have cases; per agency and quarter; per category, timing and quarter


@pytest.mark.parametrize("n_cases", [10, 500])
def test_compare_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, n_cases):
    agency = AgencyFactory(name="Many Cases County", slug="many-cases-county-ca")
    report = ReportFactory(fy=2018, q=2)
    bulk_cases(report, n_cases, agency=agency)
    publish(report)
    with django_assert_max_num_queries(COMPARE_QUERIES):
        response = client.get(reverse("cases:compare") + "?a=fy2018-q1&b=fy2018-q2")
    assert response.context["comparison"].total.b == n_cases


def _counted_one_by_one(cases):
    """The statistics counted with one GROUP BY over the cases per chart, no rollup."""
    labels = {
        pk: (slug, name, state) for pk, slug, name, state in Agency.objects.values_list("pk", "slug", "name", "state")
    }
    offices = lookups.field_offices()

    def by(column):
        return [(row[column], row["n"]) for row in cases.count_by(column)]

    def charges(timing):
        return [
            (r["category__slug"], r["category__code"], r["category__name"], r["n"]) for r in cases.charge_counts(timing)
        ]

    return {
        "total": cases.count(),
        "quarters": sorted(by("quarter")),
        "agencies": [(*labels[pk], n) for pk, n in by("declining_agency_id")],
        "states": by("state"),
        "aors": [(*offices.get(pk, (None, None)), n) for pk, n in by("aor_id")],
        "citizenship": by("citizenship"),
        "prior": charges("prior"),
        "subsequent": charges("subsequent"),
        "days": sorted((days, n) for days, n in by("days_to_next_arrest") if days is not None),
    }


@pytest.mark.parametrize(
    "query",
    [
        "",
        "quarter=fy2018-q2",
        "state=CA",
        "charge=homicide",
        "prior_charge=dangerous-drugs",
        "citizenship=MX",
        "charge=homicide&citizenship=MX",
        "charge=homicide&citizenship=MX&state=CA",
        "prior_charge=homicide&prior_charge=burglary",
        "q=philadelphia",
        "q=murder",
    ],
)
@pytest.mark.parametrize("one_statement_up_to", [0, stats.ONE_STATEMENT_UP_TO])
def test_statistics_equal_a_count_of_the_cases_one_chart_at_a_time(
    client, world, monkeypatch, query, one_statement_up_to
):
    """Whatever mix of rollups and direct counts (in one statement for a small
    view, else grouped) a view takes, every chart holds what one GROUP BY per chart over its
    cases gives (ties in any order)."""
    monkeypatch.setattr(stats, "ONE_STATEMENT_UP_TO", one_statement_up_to)
    response = get_stats(client, query)
    view = response.context["view"]
    cases = view.filterset.qs
    computed = stats.compute(cases, view.filterset)
    expected = _counted_one_by_one(cases)
    assert expected["total"] > 0 or query.startswith("q="), query
    for key, value in expected.items():
        got = computed[key]
        assert (sorted(got) if isinstance(got, list) else got) == (
            sorted(value) if isinstance(value, list) else value
        ), key


@pytest.mark.parametrize(
    ("query", "known"),
    [
        ("charge=homicide", True),  # the rollups count its quarters
        ("q=murder", True),  # a search lists its ids
        ("prior_charge=homicide&prior_charge=burglary", False),  # no rollup, no search
    ],
)
def test_the_direct_counts_share_one_statement_only_for_a_view_known_to_be_small(
    client, world, monkeypatch, query, known
):
    from cases import grouping

    statements = []
    original = grouping.case_and_charge_counts

    def counted(*args):
        statements.append(args)
        return original(*args)

    monkeypatch.setattr(grouping, "case_and_charge_counts", counted)
    response = get_stats(client, query)
    view = response.context["view"]
    bound = stats._at_most(view.filterset, counts.grouped(view.filterset, stats.GROUPS))
    if known:  # a bound: a search's ids include cases of draft reports, which the view leaves out
        assert bound >= view.filterset.qs.count() > 0
    else:
        assert bound is None
    assert bool(statements) is known
    monkeypatch.setattr(stats, "ONE_STATEMENT_UP_TO", (bound or 0) - 1)
    statements.clear()
    cache.clear()
    get_stats(client, query)
    assert not statements  # over the limit: the grouped queries instead


def test_the_link_to_the_list_counts_its_cases_in_words_that_agree(client, world):
    for query in ("state=CA", ""):
        response = get_stats(client, query)
        total = response.context["summary"].total
        html = text(response)
        if total == 1:
            assert "Open this case in the case list" in html
        else:
            assert f"Open these {total:,} cases in the case list" in html
    one = next(
        q
        for q in ("q=murder", "prior_charge=homicide", "subsequent_charge=homicide", "state=CA")
        if get_stats(client, q).context["summary"].total == 1
    )
    assert "Open this case in the case list" in text(get_stats(client, one))
    assert "these 1 case" not in text(get_stats(client, one))
