"""Home, About, the agency/report/charge lists and the corrections log: what they say,
published data only, sorting, bad input, and pinned query counts at 10 and 500 cases."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse

from cases.models import ReportStatus

from .factories import AgencyFactory, CorrectionFactory, ReportFactory, bulk_cases, make_case, publish
from .public_world import text

pytestmark = pytest.mark.django_db


def table_rows(html):
    """Each body row of the first data table, as a list of cell texts."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_home_page_states_facts_and_counts_from_records(public, world):
    html = text(public.get(reverse("cases:home")))
    assert "This database lists immigration detainers that local law-enforcement agencies declined" in html
    # Totals computed from published records: 4 cases, 2 reports, 4 agencies, 3 with a later charge.
    assert '<dt>Cases</dt><dd><a href="/cases/">4</a></dd>' in html
    assert '<dt>Reports</dt><dd><a href="/reports/">2</a></dd>' in html
    assert '<dt>Declining agencies</dt><dd><a href="/agencies/">4</a></dd>' in html
    assert "<dt>Cases with a charge after release</dt><dd>3</dd>" in html
    # The latest published report, not the newer draft.
    assert re.search(
        r'Latest report</h2> <p><a href="/reports/fy2018-q2/">Declined Detainer Report, FY2018 Q2</a>', html
    )
    assert "3 cases transcribed, 16 stated by the report" in html
    assert "FY2018 Q3" not in html
    # Quick links into the filters, and a search box.
    assert '<a href="/cases/?quarter=fy2018-q2">FY2018 Q2</a> (3)' in html
    assert '<a href="/cases/?agency=travis-county-jail-tx">Travis County Jail (TX)</a> (1)' in html
    assert '<a href="/cases/?subsequent_charge=homicide">Homicide</a> (1)' in html
    assert re.search(r'<form class="search-box" method="get" action="/cases/" role="search">', html)
    assert '<label for="home-q">Search the cases</label>' in html
    assert '<a class="skip-link" href="#main">' in html


def test_home_page_latest_report_is_the_last_published_not_the_first_created(public, world):
    later = ReportFactory(fy=2018, q=4, published_on=dt.date(2020, 1, 15))
    make_case(later, 1)
    publish(later)
    html = text(public.get(reverse("cases:home")))
    assert re.search(
        r'Latest report</h2> <p><a href="/reports/fy2018-q4/">Declined Detainer Report, FY2018 Q4</a>', html
    )


def test_home_page_with_nothing_published(public):
    html = text(public.get(reverse("cases:home")))
    assert "No report has been published yet." in html
    assert '<dt>Cases</dt><dd><a href="/cases/">0</a></dd>' in html


def test_about_page_covers_sources_methods_limits_and_errors(public):
    html = text(public.get(reverse("cases:about")))
    for heading in (
        "What a declined detainer is",
        "What a declined detainer is not",
        "Sources",
        "Methodology",
        "Limits of the source data",
        "Report an error",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert "<title>About the data · Declined Detainers Database</title>" in html
    assert 'href="/corrections/"' in html


def test_agency_list_counts_published_cases_and_sorts(public, world):
    html = text(public.get(reverse("cases:agency-list")))
    # LAPD's draft case (fy2018-q3-01) is not counted.
    assert sorted((row[0], row[-1]) for row in table_rows(html)) == [
        ("Los Angeles Police Department", "1"),
        ("Philadelphia Police Department", "1"),
        ("San Luis Obispo County Sheriff's Office", "1"),
        ("Travis County Jail", "1"),
    ]
    assert "<caption>Agencies: 4. Page 1 of 1.</caption>" in html
    html = text(public.get(reverse("cases:agency-list") + "?sort=-state"))
    assert [row[2] for row in table_rows(html)] == ["Texas", "Pennsylvania", "California", "California"]
    assert 'aria-sort="descending"' in html


def test_report_list_sets_stated_total_beside_cases_held(public, admin_client, world):
    html = text(public.get(reverse("cases:report-list") + "?sort=quarter"))
    rows = table_rows(html)
    assert [(r[0], r[2], r[4], r[5]) for r in rows] == [
        ("Declined Detainer Report, FY2017 Q2", "FY2017 Q2", "—", "1"),
        ("Declined Detainer Report, FY2018 Q2", "FY2018 Q2", "16", "3"),
    ]
    assert "Status" not in html
    staff_html = text(admin_client.get(reverse("cases:report-list")))
    assert "Declined Detainer Report, FY2018 Q3" in staff_html
    assert "Draft" in staff_html


def test_charge_list_counts_prior_and_subsequent(public, world):
    html = text(public.get(reverse("cases:charge-list") + "?sort=-case_count"))
    rows = {row[1]: row for row in table_rows(html)}
    assert rows["Homicide"][2:] == ["1", "1", "2"]
    assert rows["Dangerous Drugs"][2:] == ["1", "1", "2"]
    assert rows["Burglary"][2:] == ["1", "0", "1"]
    assert table_rows(html)[0][1] in {"Homicide", "Dangerous Drugs"}


def test_directory_lists_report_a_bad_sort_or_page(public, world):
    html = text(public.get(reverse("cases:charge-list") + "?sort=nonsense&page=40"))
    assert "Sort: “nonsense” is not a column that can be sorted." in html
    assert "Page: “40” is not a page of this list" in html


def test_corrections_log_is_public_for_published_reports_only(public, world):
    CorrectionFactory(report=world.draft, what_changed="A draft correction.")
    html = text(public.get(reverse("cases:correction-list")))
    assert "Agency corrected to Travis." in html
    assert '<a href="/cases/fy2017-q2-01/">case fy2017-q2-01</a>' in html
    assert "A draft correction." not in html
    html = text(public.get(reverse("cases:correction-list") + "?page=9"))
    assert "Page: “9” is not a page of this list, which has 1 page." in html
    assert "Agency corrected to Travis." in html


def test_every_public_page_has_landmarks_and_no_inline_script_or_style(public, world):
    urls = [
        reverse("cases:home"),
        reverse("cases:about"),
        reverse("cases:case-list"),
        reverse("cases:case-detail", kwargs={"case_id": "fy2018-q2-01"}),
        reverse("cases:agency-list"),
        world.lapd.get_absolute_url(),
        reverse("cases:report-list"),
        world.q2.get_absolute_url(),
        reverse("cases:charge-list"),
        reverse("cases:charge-detail", kwargs={"slug": "homicide"}),
        reverse("cases:correction-list"),
    ]
    for url in urls:
        html = text(public.get(url))
        assert (
            '<main id="main"' in html and "<header" in html and "<footer" in html and '<nav aria-label="Main">' in html
        )
        assert html.count("<h1") == 1, url
        assert " style=" not in html, url
        assert "<script>" not in html and " on" + "click=" not in html, url
        assert '<link rel="canonical" href="http://testserver' in html, url
        for table in re.findall(r"<table.*?</table>", html):
            assert "<caption>" in table, url
            assert "<th>" not in table, url  # every header cell is scoped


LIST_QUERIES = {
    # latest report; totals (2, from the rollups); cases by quarter, by agency, by subsequent charge
    "cases:home": 6,
    "cases:agency-list": 2,  # count; rows with their counts
    "cases:report-list": 2,
    "cases:charge-list": 2,
    "cases:correction-list": 2,  # count; rows
}


@pytest.mark.parametrize("n_cases", [10, 500])
@pytest.mark.parametrize("name", sorted(LIST_QUERIES))
def test_list_query_counts_do_not_grow_with_rows(public, django_assert_num_queries, n_cases, name):
    agency = AgencyFactory(name="Many Cases County", slug="many-cases-county-ca")
    report = ReportFactory(fy=2018, q=2)
    cases = bulk_cases(report, n_cases, agency=agency)
    report.status = ReportStatus.PUBLISHED
    report.save()
    for case in cases[:3]:
        CorrectionFactory(report=report, detainer=case)
    with django_assert_num_queries(LIST_QUERIES[name]):
        response = public.get(reverse(name))
    html = text(response)
    if name == "cases:home":
        assert f'<dt>Cases</dt><dd><a href="/cases/">{n_cases}</a></dd>' in html
    if name == "cases:agency-list":
        assert table_rows(html) and table_rows(html)[0][-1] == str(n_cases)
