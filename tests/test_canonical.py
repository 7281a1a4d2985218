"""Shared links are a promise: non-canonical URLs and former slugs redirect (301) to the canonical URL."""

import pytest
from django.urls import reverse

from cases import querystring as qs

from .factories import category

pytestmark = pytest.mark.django_db


def cases_url(query=""):
    return reverse("cases:case-list") + (f"?{query}" if query else "")


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        # Stable parameter order.
        ("state=CA&quarter=fy2018-q2", "quarter=fy2018-q2&state=CA"),
        ("sort=lodged&state=CA", "state=CA&sort=lodged"),
        ("page=2&q=police&state=CA", "state=CA&q=police&page=2"),
        # Repeated values sorted, duplicates dropped.
        ("state=PA&state=CA&state=PA", "state=CA&state=PA"),
        # Empty values and page 1 dropped.
        ("quarter=&state=CA&q=&sort=&page=1", "state=CA"),
        ("q=", ""),
        # Slugs lower case, codes upper case, the quarter label to its slug, spaces trimmed.
        ("agency=Los-Angeles-Police-Department-CA", "agency=los-angeles-police-department-ca"),
        ("state=ca&citizenship=mx", "state=CA&citizenship=MX"),
        ("quarter=FY2018+Q2", "quarter=fy2018-q2"),
        ("quarter=FY2018-Q2", "quarter=fy2018-q2"),
        ("q=++murder++charge+", "q=murder+charge"),
        # Parameters that do not describe the view are dropped.
        ("utm_source=newsletter&state=CA", "state=CA"),
    ],
)
def test_non_canonical_list_urls_redirect_permanently(client, world, query, canonical):
    response = client.get(cases_url(query))
    assert response.status_code == 301
    assert response["Location"] == cases_url(canonical)
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["", "quarter=fy2018-q2&state=CA", "state=CA&state=PA&sort=-lodged&page=2", "q=murder+charge"],
)
def test_canonical_urls_do_not_redirect(client, world, query):
    response = client.get(cases_url(query))
    assert response.status_code == 200


def test_a_value_that_is_not_understood_stays_in_the_url_so_the_page_can_name_it(client, world):
    response = client.get(cases_url("agency=No-Such-Agency"))
    assert response["Location"] == cases_url("agency=no-such-agency")
    page = client.get(response["Location"])
    assert "“no-such-agency” is not a known agency" in page.content.decode()


def test_former_slugs_in_filters_redirect_to_current_slugs(client, world):
    world.lapd.slug = "lapd-ca"
    world.lapd.save()
    world.q2_2017.slug = "fy2017-q2-edition"
    world.q2_2017.save()
    homicide = category("09")
    homicide.slug = "homicide-offenses"
    homicide.save()

    response = client.get(
        cases_url(
            "agency=los-angeles-police-department-ca&report=fy2017-q2&subsequent_charge=homicide&prior_charge=homicide"
        )
    )
    assert response.status_code == 301
    assert response["Location"] == cases_url(
        "report=fy2017-q2-edition&agency=lapd-ca&prior_charge=homicide-offenses&subsequent_charge=homicide-offenses"
    )


def test_canonicalisation_is_idempotent():
    raw = qs.raw_pairs("page=1&state=pa&state=CA&q=+a++b+&quarter=FY2018 Q2&x=1")
    once = qs.canonical_pairs(raw, qs.CASE_LIST_PARAMS)
    assert once == [("quarter", "fy2018-q2"), ("state", "CA"), ("state", "PA"), ("q", "a b")]
    assert qs.canonical_pairs(once, qs.CASE_LIST_PARAMS) == once


def test_old_agency_slug_redirects(client, world):
    old = world.lapd.get_absolute_url()
    world.lapd.slug = "lapd-ca"
    world.lapd.save()
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == reverse("cases:agency-detail", kwargs={"slug": "lapd-ca"})
    assert "Los Angeles Police Department" in client.get(response["Location"]).content.decode()


def test_old_report_slug_redirects_and_so_do_its_case_ids(client, world):
    world.q2.slug = "fy2018-q2-quarterly"
    world.q2.save()
    response = client.get(reverse("cases:report-detail", kwargs={"slug": "fy2018-q2"}))
    assert response.status_code == 301
    assert response["Location"] == reverse("cases:report-detail", kwargs={"slug": "fy2018-q2-quarterly"})

    response = client.get(reverse("cases:case-detail", kwargs={"case_id": "fy2018-q2-02"}))
    assert response.status_code == 301
    assert response["Location"] == reverse("cases:case-detail", kwargs={"case_id": "fy2018-q2-quarterly-02"})
    assert "Case fy2018-q2-quarterly-02" in client.get(response["Location"]).content.decode()


def test_case_id_in_upper_case_redirects(client, world):
    response = client.get(reverse("cases:case-detail", kwargs={"case_id": "FY2018-Q2-01"}))
    assert response.status_code == 301
    assert response["Location"] == reverse("cases:case-detail", kwargs={"case_id": "fy2018-q2-01"})


def test_old_charge_slug_redirects(client, world):
    homicide = category("09")
    homicide.slug = "homicide-offenses"
    homicide.save()
    response = client.get(reverse("cases:charge-detail", kwargs={"slug": "homicide"}))
    assert response.status_code == 301
    assert response["Location"] == reverse("cases:charge-detail", kwargs={"slug": "homicide-offenses"})


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("cases:agency-detail", {"slug": "no-such-agency"}),
        ("cases:report-detail", {"slug": "no-such-report"}),
        ("cases:charge-detail", {"slug": "no-such-charge"}),
        ("cases:case-detail", {"case_id": "no-such-report-01"}),
        ("cases:case-detail", {"case_id": "fy2018-q2-99"}),
        ("cases:case-detail", {"case_id": "garbage"}),
    ],
)
def test_unknown_slugs_are_404_not_500(client, world, name, kwargs):
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404


def test_directory_lists_canonicalise_their_query(client, world):
    response = client.get(reverse("cases:agency-list") + "?page=1&sort=&junk=1")
    assert response.status_code == 301
    assert response["Location"] == reverse("cases:agency-list")


def test_control_characters_are_dropped_from_values(client, world):
    response = client.get(cases_url("agency=los-angeles%00-police-department-ca&q=mur%00der"))
    assert response.status_code == 301
    assert response["Location"] == cases_url("agency=los-angeles-police-department-ca&q=murder")


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "agency=%00",
        "report=a%00b",
        "subsequent_charge=%00x",
        "sort=%00",
        "page=%00",
        "quarter=%00",
        "state=%00",
        "q=%FF%FE",
        "agency=" + "x" * 5000,
        "page=99999999999999999999999",
        "sort=-",
        "sort=--case_id",
        "quarter=fy0001-q1",
    ],
)
def test_hostile_input_never_gives_a_server_error(client, world, query):
    for name in ("cases:case-list", "cases:agency-list", "cases:correction-list"):
        response = client.get(reverse(name) + "?" + query, follow=True)
        assert response.status_code == 200, (name, query, response.status_code)


@pytest.mark.parametrize("path", ["/agencies/a%00b/", "/reports/%00/", "/charges/x%00/", "/cases/a%00-01/"])
def test_hostile_slugs_are_404(client, world, path):
    assert client.get(path).status_code == 404
