"""The public case list: filters, their combinations, bad input, sorting, pagination,
facet counts, the share sentence and meta tags, and a query count that does not grow."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cases.models import CaseCharge, ReportStatus
from cases.services import derive

from .factories import AgencyFactory, ReportFactory, bulk_cases, publish
from .support.derived import derived_snapshot

pytestmark = pytest.mark.django_db

CASE_LINK = re.compile(r'href="/cases/([a-z0-9-]+-\d+)/"')


def case_ids(response):
    """The case ids listed in the table, in order."""
    assert response.status_code == 200, response.status_code
    table = response.content.decode().split('<table class="data-table case-table"', 1)[1].split("</table>", 1)[0]
    return CASE_LINK.findall(table)


def get_list(client, query=""):
    """GET the list, following a redirect to the canonical form if the query is not canonical."""
    url = reverse("cases:case-list") + (f"?{query}" if query else "")
    response = client.get(url, follow=True)
    assert response.status_code == 200, f"{url} gave {response.status_code}"
    return response


ALL_PUBLISHED = ["fy2017-q2-01", "fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL_PUBLISHED),
        ("quarter=fy2018-q2", ["fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03"]),
        ("quarter=fy2017-q2", ["fy2017-q2-01"]),
        ("report=fy2017-q2", ["fy2017-q2-01"]),
        ("agency=los-angeles-police-department-ca", ["fy2018-q2-01"]),
        ("state=PA", ["fy2018-q2-03"]),
        ("state=CA", ["fy2018-q2-01", "fy2018-q2-02"]),
        ("aor=san-antonio", ["fy2017-q2-01"]),
        ("citizenship=KH", ["fy2017-q2-01"]),
        ("charge=homicide", ["fy2018-q2-01", "fy2018-q2-03"]),
        ("prior_charge=homicide", ["fy2018-q2-03"]),
        ("subsequent_charge=homicide", ["fy2018-q2-01"]),
        ("prior_charge=dangerous-drugs", ["fy2018-q2-01"]),
        ("subsequent_charge=dangerous-drugs", ["fy2017-q2-01"]),
        ("q=travis", ["fy2017-q2-01"]),
        ("q=probation", ["fy2018-q2-02"]),
        ("q=jamaica", ["fy2018-q2-03"]),
        ("q=fy2018-q2-02", ["fy2018-q2-02"]),
    ],
)
def test_each_filter_returns_the_matching_published_cases(client, world, query, expected):
    assert sorted(case_ids(get_list(client, query))) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Several values of one parameter: OR.
        ("state=CA&state=PA", ["fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03"]),
        ("quarter=fy2017-q2&quarter=fy2018-q2", ALL_PUBLISHED),
        ("citizenship=JM&citizenship=KH", ["fy2017-q2-01", "fy2018-q2-03"]),
        ("subsequent_charge=homicide&subsequent_charge=sexual-assault", ["fy2018-q2-01", "fy2018-q2-02"]),
        ("agency=philadelphia-police-pa&agency=travis-county-jail-tx", ["fy2017-q2-01", "fy2018-q2-03"]),
        # Different parameters: AND.
        ("quarter=fy2018-q2&state=CA", ["fy2018-q2-01", "fy2018-q2-02"]),
        ("quarter=fy2018-q2&subsequent_charge=homicide", ["fy2018-q2-01"]),
        ("quarter=fy2017-q2&subsequent_charge=homicide", []),
        ("charge=homicide&state=CA", ["fy2018-q2-01"]),
        ("citizenship=MX&state=CA&state=PA", ["fy2018-q2-01", "fy2018-q2-02"]),
        ("aor=los-angeles&prior_charge=obstructing-judiciary", ["fy2018-q2-02"]),
        ("prior_charge=homicide&subsequent_charge=homicide", []),
        ("q=police&state=CA&state=PA", ["fy2018-q2-01", "fy2018-q2-03"]),
    ],
)
def test_filters_combine_or_within_and_across(client, world, query, expected):
    assert sorted(case_ids(get_list(client, query))) == expected


def test_draft_cases_never_appear_in_the_list(admin_client, world):
    client = Client()  # anonymous: admin_client logs in the shared ``client`` fixture
    for c in (client, admin_client):
        assert "fy2018-q3-01" not in case_ids(get_list(c))
        assert case_ids(get_list(c, "agency=los-angeles-police-department-ca")) == ["fy2018-q2-01"]
    # A draft report is not a filter value the public can use: it is reported, not applied.
    response = get_list(client, "report=fy2018-q3")
    assert "“fy2018-q3” is not a known published report" in response.content.decode()


def test_an_empty_result_says_so(client, world):
    response = get_list(client, "quarter=fy2017-q2&subsequent_charge=homicide")
    html = response.content.decode()
    assert '<h1 class="share-sentence">0 cases · FY2017 Q2 · subsequent charge: Homicide</h1>' in html
    assert "No cases match these filters." in html
    assert "No published case matches all of these filters." in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("agency=no-such-agency", "Declining agency: “no-such-agency” is not a known agency."),
        ("quarter=fy2018-q9", "Quarter: “fy2018-q9” is not a fiscal quarter. Write it like fy2018-q2."),
        ("quarter=last-year", "Quarter: “last-year” is not a fiscal quarter."),
        ("state=ZZ", "State: “ZZ” is not a two-letter US state code, like CA."),
        ("citizenship=XX", "Citizenship: “XX” is not a two-letter country code, like MX."),
        ("aor=atlantis", "AOR: “atlantis” is not a known ICE field office (AOR)."),
        ("subsequent_charge=jaywalking", "Subsequent charge: “jaywalking” is not a known charge category."),
        ("report=fy1999-q1", "Report: “fy1999-q1” is not a known published report."),
    ],
)
def test_a_value_not_understood_is_named_and_never_silently_empties_the_list(client, world, query, message):
    response = get_list(client, query)
    html = response.content.decode()
    assert message in html
    assert "This filter was not applied." in html
    assert 'role="alert"' in html
    # The filter is left out rather than turned into an empty list that looks like real data.
    assert sorted(case_ids(response)) == ALL_PUBLISHED
    assert '<h1 class="share-sentence">4 cases</h1>' in html
    # And the value can be removed with one click.
    assert "not understood:" in html


def test_a_bad_value_leaves_the_other_filters_in_force(client, world):
    response = get_list(client, "quarter=nonsense&state=PA")
    assert case_ids(response) == ["fy2018-q2-03"]
    assert "“nonsense” is not a fiscal quarter" in response.content.decode()


def test_garbage_sort_is_reported_and_the_default_order_used(client, world):
    response = get_list(client, "sort=drop-table")
    html = response.content.decode()
    assert "Sort: “drop-table” is not a column that can be sorted." in html
    assert case_ids(response) == ["fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03", "fy2017-q2-01"]


@pytest.mark.parametrize("page", ["99999", "abc", "0", "-3"])
def test_a_page_that_does_not_exist_is_reported(client, world, page):
    response = get_list(client, f"page={page}")
    html = response.content.decode()
    assert f"Page: “{page}” is not a page of this list, which has 1 page." in html
    assert len(case_ids(response)) == 4


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("case_id", ["fy2017-q2-01", "fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03"]),
        ("-case_id", ["fy2018-q2-03", "fy2018-q2-02", "fy2018-q2-01", "fy2017-q2-01"]),
        ("quarter", ["fy2017-q2-01", "fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03"]),
        # A reversed sort reverses its tie-breaker (the case id) too.
        ("-quarter", ["fy2018-q2-03", "fy2018-q2-02", "fy2018-q2-01", "fy2017-q2-01"]),
        ("agency", ["fy2018-q2-01", "fy2018-q2-03", "fy2018-q2-02", "fy2017-q2-01"]),
        ("state", ["fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03", "fy2017-q2-01"]),
        ("-state", ["fy2017-q2-01", "fy2018-q2-03", "fy2018-q2-02", "fy2018-q2-01"]),
        ("citizenship", ["fy2018-q2-03", "fy2017-q2-01", "fy2018-q2-01", "fy2018-q2-02"]),
        ("lodged", ["fy2017-q2-01", "fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03"]),
        ("-released", ["fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03", "fy2017-q2-01"]),
        # Lowest NCIC code first: 09 < 22 < 35 < 50.
        ("prior_charges", ["fy2018-q2-03", "fy2017-q2-01", "fy2018-q2-01", "fy2018-q2-02"]),
        # Cases without a subsequent charge sort last, in both directions.
        ("subsequent_charges", ["fy2018-q2-01", "fy2018-q2-02", "fy2017-q2-01", "fy2018-q2-03"]),
        ("-subsequent_charges", ["fy2017-q2-01", "fy2018-q2-02", "fy2018-q2-01", "fy2018-q2-03"]),
        ("days_to_next_arrest", ["fy2018-q2-01", "fy2018-q2-02", "fy2017-q2-01", "fy2018-q2-03"]),
        ("-days_to_next_arrest", ["fy2017-q2-01", "fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03"]),
    ],
)
def test_every_column_sorts(client, world, sort, expected):
    response = get_list(client, f"sort={sort}")
    assert case_ids(response) == expected
    assert "not a column that can be sorted" not in response.content.decode()


def test_sorted_column_carries_aria_sort_and_headers_are_scoped(client, world):
    html = get_list(client, "sort=-lodged").content.decode()
    assert re.search(r'<th scope="col"[^>]*aria-sort="descending">\s*<a href="/cases/\?sort=lodged"', html)
    assert html.count('aria-sort="') == 1
    assert html.count('<th scope="col"') == 10
    assert "<caption>4 cases. Page 1 of 1.</caption>" in html


def test_sort_and_pagination_keep_the_filters(client, world):
    agency = AgencyFactory(name="Big County Jail", slug="big-county-jail-ca")
    report = ReportFactory(fy=2019, q=1)
    bulk_cases(report, 120, agency=agency)
    publish(report)
    response = get_list(client, "state=CA&sort=-case_id")
    html = response.content.decode()
    assert "122 cases · California" in html
    assert "page 1 of 3" in html
    ids = case_ids(response)
    assert ids[:2] == ["fy2019-q1-120", "fy2019-q1-119"]
    assert len(ids) == 50
    # The pager links keep state and sort, in canonical order.
    assert 'href="/cases/?state=CA&amp;sort=-case_id&amp;page=2"' in html
    page3 = get_list(client, "state=CA&sort=-case_id&page=3")
    assert case_ids(page3) == [f"fy2019-q1-{n:02d}" for n in range(20, 0, -1)] + ["fy2018-q2-02", "fy2018-q2-01"]
    # Sort links keep the filters and go back to page 1.
    assert 'href="/cases/?state=CA&amp;sort=case_id"' in page3.content.decode()
    # Facet and chip links keep the sort too.
    assert 'href="/cases/?sort=-case_id"' in page3.content.decode()  # remove the state chip


def facet(html, param):
    """{value: count} for a facet's options, and the set of those checked."""
    options = re.findall(
        rf'name="{param}" value="([^"]+)"( checked)?>\s*<label[^>]*>[^<]*<span class="count">\(([\d,]+)\)</span>',
        html,
    )
    counts = {value: int(count.replace(",", "")) for value, _checked, count in options}
    return counts, {v for v, checked, _ in options if checked}


def test_facet_counts_are_computed_within_the_current_filter(client, world):
    html = get_list(client).content.decode()
    counts, checked = facet(html, "state")
    assert counts == {"CA": 2, "PA": 1, "TX": 1}
    assert checked == set()
    assert facet(html, "quarter")[0] == {"fy2018-q2": 3, "fy2017-q2": 1}
    assert facet(html, "subsequent_charge")[0] == {"homicide": 1, "sexual-assault": 1, "dangerous-drugs": 1}
    assert facet(html, "charge")[0] == {
        "homicide": 2,
        "dangerous-drugs": 2,
        "obstructing-judiciary": 1,
        "sexual-assault": 1,
        "burglary": 1,
    }
    assert 'Los Angeles Police Department, CA <span class="count">(1)</span>' in html

    html = get_list(client, "quarter=fy2018-q2").content.decode()
    assert facet(html, "state")[0] == {"CA": 2, "PA": 1}
    assert facet(html, "citizenship")[0] == {"MX": 2, "JM": 1}
    # A facet is counted with every *other* filter, so other values of it stay choosable (OR).
    counts, checked = facet(html, "quarter")
    assert counts == {"fy2018-q2": 3, "fy2017-q2": 1}
    assert checked == {"fy2018-q2"}

    html = get_list(client, "state=CA&subsequent_charge=homicide").content.decode()
    assert facet(html, "agency")[0] == {"los-angeles-police-department-ca": 1}
    assert facet(html, "subsequent_charge")[0] == {"homicide": 1, "sexual-assault": 1}
    assert facet(html, "state")[0] == {"CA": 1}


@pytest.mark.parametrize(
    ("query", "uncounted", "counted"),
    [
        # A charge filter: the rollups count quarter, report, agency, state, AOR, citizenship
        # and the charge facet itself; the other charges of these cases come from the cases.
        ("charge=homicide", {"prior_charge", "subsequent_charge"}, {"quarter", "state", "charge", "citizenship"}),
        # A citizenship filter: the rollups count everything, the charges included.
        ("citizenship=MX", set(), {"quarter", "state", "citizenship", "prior_charge", "subsequent_charge", "charge"}),
        # With a state as well, the charge facets need the agency grain, and come from the cases.
        ("citizenship=MX&state=CA", {"prior_charge", "subsequent_charge", "charge"}, {"quarter", "citizenship"}),
    ],
)
def test_facets_counted_from_the_cases_are_left_out_of_a_view_of_too_many_cases(
    client, world, monkeypatch, no_page_cache, query, uncounted, counted
):
    from cases import facets

    full = get_list(client, query).content.decode()
    assert "too many to count" not in full
    monkeypatch.setattr(facets, "COUNTED_FROM_CASES_UP_TO", 1)
    response = get_list(client, query)
    html = response.content.decode()
    assert len(case_ids(response)) == 2  # the cases are listed as ever
    for param in uncounted:
        assert facet(html, param)[0] == {}, param
    for param in counted:
        # The facets the rollups count are unchanged: the same options and counts.
        assert facet(html, param) == facet(full, param), param
    assert html.count("Not counted: too many cases in view.") == len(uncounted)
    notice = "This view holds more than 1 cases, too many to count one by one for the choices of: "
    assert (notice in html) is bool(uncounted)
    # The chosen value stays in force for the next submit.
    for pair in query.split("&"):
        param, value = pair.split("=")
        if param in uncounted:
            assert f'<input type="hidden" name="{param}" value="{value}">' in html


def test_share_sentence_is_heading_title_and_preview(client, world):
    html = get_list(client, "quarter=fy2018-q2&agency=los-angeles-police-department-ca&subsequent_charge=homicide")
    html = html.content.decode()
    sentence = "1 case · FY2018 Q2 · Los Angeles Police Department (CA) · subsequent charge: Homicide"
    assert f'<h1 class="share-sentence">{sentence}</h1>' in html
    assert f"<title>{sentence} · Declined Detainers Database</title>" in html
    assert f'<meta property="og:title" content="{sentence}">' in html
    assert f'<meta property="og:description" content="{sentence}. Declined immigration detainers' in html
    assert '<meta name="twitter:card" content="summary">' in html
    canonical = (
        "http://testserver/cases/?quarter=fy2018-q2&amp;agency=los-angeles-police-department-ca"
        "&amp;subsequent_charge=homicide"
    )
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'value="{canonical}"' in html  # the copy-link field
    assert 'data-copy-target="share-url"' in html
    assert "<caption>" + sentence + ". Page 1 of 1.</caption>" in html


def test_share_sentence_joins_several_values_with_or(client, world):
    html = get_list(client, "state=CA&state=PA&citizenship=MX&q=police").content.decode()
    assert (
        '<h1 class="share-sentence">1 case · California or Pennsylvania · citizenship: Mexico · matching “police”</h1>'
        in html
    )


def test_chips_remove_one_value_and_clear_all_keeps_the_sort(client, world):
    html = get_list(client, "quarter=fy2018-q2&state=CA&state=PA&sort=lodged").content.decode()
    assert 'href="/cases/?state=CA&amp;state=PA&amp;sort=lodged">FY2018 Q2' in html
    assert 'href="/cases/?quarter=fy2018-q2&amp;state=PA&amp;sort=lodged">California' in html
    assert 'href="/cases/?sort=lodged">Clear all filters' in html


def test_the_filter_form_is_a_plain_labelled_get_form(client, world):
    html = get_list(client, "state=PA").content.decode()
    assert '<form method="get" action="/cases/" aria-label="Filter the cases">' in html
    assert '<label for="id_q">Search</label>' in html
    assert '<label for="id_sort">Sort by</label>' in html
    assert re.search(r'id="(f-state-\d+)" name="state" value="PA" checked>\s*<label for="\1">', html)
    assert "style=" not in html
    assert "<script>" not in html and "onclick" not in html


def test_bulk_built_cases_match_what_derive_computes(world):
    report = ReportFactory(fy=2019, q=1)
    (case,) = bulk_cases(report, 1, agency=world.lapd)
    before = set(case.case_charges.values_list("category__code", "timing"))
    everything_before = derived_snapshot(case.pk)
    derive.refresh_individual(case.individual_id)
    assert derived_snapshot(case.pk) == everything_before
    case.refresh_from_db()
    assert (
        set(case.case_charges.values_list("category__code", "timing"))
        == before
        == {
            ("35", CaseCharge.Timing.PRIOR),
            ("09", CaseCharge.Timing.SUBSEQUENT),
        }
    )
    assert case.days_to_next_arrest == 30


# /cases/ unfiltered: the count; the facets from the rollups (PostgreSQL: one GROUPING SETS
# query per rollup, SQLite: GROUP BYs joined by UNION ALL; one charge query); labels of the agencies,
# reports, AORs and charge categories shown; the page's rows, charges and agency name and slug
# included (derived columns).
# With three filters, add 2 canonical-slug checks (agency, charge), whose rows the filter form
# takes (no lookups of its own),
# and the facets of the filtered parameters, each counted without its own filter (from the
# rollups where they can express it, from the cases otherwise: the case-level and the charge
# facets counted from the cases share one statement; on PostgreSQL it is planned without
# parallel workers, the SET before it and the RESET after sent in the same round trip).
# On PostgreSQL the facet statements on the rollups go in one round trip (cases.grouping.run)
# and count as one query, and so do the four reads of labels (cases.lookups.rows_together).
FILTERED = "quarter=fy2018-q2&agency=many-cases-county-ca&subsequent_charge=homicide"
LIST_QUERIES = {"postgresql": {"": 4, FILTERED: 7}, "sqlite": {"": 9, FILTERED: 13}}


@pytest.mark.parametrize("n_cases", [10, 500])
@pytest.mark.parametrize("query", ["", FILTERED])
def test_case_list_query_count_does_not_grow_with_rows(client, django_assert_num_queries, n_cases, query):
    agency = AgencyFactory(name="Many Cases County", slug="many-cases-county-ca")
    report = ReportFactory(fy=2018, q=2)
    bulk_cases(report, n_cases, agency=agency)
    report.status = ReportStatus.PUBLISHED
    report.save()
    url = reverse("cases:case-list") + (f"?{query}" if query else "")
    with django_assert_num_queries(LIST_QUERIES[connection.vendor][query]):
        response = client.get(url)
    assert response.status_code == 200
    assert f'<h1 class="share-sentence">{n_cases} cases' in response.content.decode()
    assert len(case_ids(response)) == min(n_cases, 50)


def test_deep_pages_are_capped_with_a_notice(client, settings, monkeypatch):
    from cases import pagination

    monkeypatch.setattr(pagination.CappedPaginator, "max_pages", 2)
    agency = AgencyFactory(name="Deep County", slug="deep-county-ca")
    report = ReportFactory(fy=2018, q=2)
    bulk_cases(report, 120, agency=agency)
    publish(report)
    first = client.get(reverse("cases:case-list"))
    html = first.content.decode()
    assert "<strong>120</strong> cases, page 1 of 2." in html
    assert "The list pages through the first 100 cases." in html
    beyond = client.get(reverse("cases:case-list"), {"page": "3"})
    assert "Showing page 2." in beyond.content.decode()
    assert len(case_ids(beyond)) == 50


# A charge filter alone, counted or past COUNTED_FROM_CASES_UP_TO: the facets that the rollups
# cannot count then run no query (on PostgreSQL they shared one statement; on SQLite two).
# Its citizenship facet is one query on ChargeCitizenshipRollup, counted or not. On PostgreSQL
# the labels are one query (four on SQLite).
BROAD = "charge=dangerous-drugs"
BROAD_QUERIES = {"postgresql": {"counted": 6, "uncounted": 5}, "sqlite": {"counted": 12, "uncounted": 11}}


@pytest.mark.parametrize("n_cases", [10, 500])
@pytest.mark.parametrize("limit", ["counted", "uncounted"])
def test_a_broad_view_query_count_is_pinned(client, django_assert_num_queries, monkeypatch, n_cases, limit):
    from cases import facets

    if limit == "uncounted":
        monkeypatch.setattr(facets, "COUNTED_FROM_CASES_UP_TO", 1)
    report = ReportFactory(fy=2018, q=2)
    bulk_cases(report, n_cases, agency=AgencyFactory(name="Many Cases County", slug="many-cases-county-ca"))
    report.status = ReportStatus.PUBLISHED
    report.save()
    with django_assert_num_queries(BROAD_QUERIES[connection.vendor][limit]):
        response = client.get(reverse("cases:case-list") + f"?{BROAD}")
    assert response.status_code == 200
    assert ("Not counted: too many cases in view." in response.content.decode()) is (limit == "uncounted")


def test_a_long_facet_says_how_its_options_were_picked_and_which_chosen_ones_follow(client):
    """Ten options show: the most recent quarters, the most frequent of the others; a chosen
    value beyond them follows, counted, and the note says so rather than "11 most frequent"."""
    from django.core.management import call_command
    from django.db.models import Count

    from cases.models import Detainer

    call_command("generate_synthetic", "--skip-checks", cases=600, quarters=12, agencies=25, seed=5)
    by_agency = list(
        Detainer.objects.published()
        .values_list("declining_agency__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "declining_agency__slug")
    )
    assert len(by_agency) > 12
    html = get_list(client).content.decode()
    assert "The 10 most recent of 12 are shown. Use the search box" in html
    assert f"The 10 most frequent of {len(by_agency)} are shown. Use the search box" in html

    slug, n = by_agency[12]
    html = get_list(client, f"agency={slug}").content.decode()
    counts, checked = facet(html, "agency")
    assert len(counts) == 11 and counts[slug] == n and checked == {slug}
    assert f"The 10 most frequent of {len(by_agency)} are shown, then 1 chosen. Use the search box" in html


def test_facet_counts_are_written_with_thousands_separators():
    from cases.facets import Facet, Option
    from cases.templatetags.public_urls import facet_fieldsets

    html = facet_fieldsets([Facet("state", "State", [Option("CA", "California", 12345)], 1, leading=1)])
    assert 'California <span class="count">(12,345)</span>' in html
    assert "most frequent" not in html  # every option is shown
