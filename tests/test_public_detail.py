"""Detail pages: case, agency, report and charge category. What they say, drafts hidden from the
public but shown to staff with a banner, and a query count that does not grow with the rows."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from cases.models import Agency, ReportStatus, VerificationStatus
from cases.services import derive

from .factories import (
    AgencyFactory,
    ArrestChargeFactory,
    ArrestFactory,
    CorrectionFactory,
    DetainerFactory,
    ReportFactory,
    bulk_cases,
    category,
)
from .public_world import text

pytestmark = pytest.mark.django_db


def case_url(case_id):
    return reverse("cases:case-detail", kwargs={"case_id": case_id})


def test_case_page_shows_timeline_charges_agencies_status_and_source(client, world):
    case = world.q2.detainers.get(row=1)
    case.verification_status = VerificationStatus.DISPUTED
    case.agency_response = "The department says the person was never in its custody."
    case.page = 4
    case.save()
    html = text(client.get(case_url("fy2018-q2-01")))

    assert "<h1>Case fy2018-q2-01</h1>" in html
    assert "<title>Case fy2018-q2-01 · Los Angeles Police Department (CA) · Declined Detainers Database</title>" in html
    # Agencies: the one that declined and the one that arrested.
    assert '<dt>Declining agency</dt> <dd><a href="/agencies/los-angeles-police-department-ca/">' in html
    assert '<dt>Arresting agency</dt> <dd><a href="/agencies/los-angeles-police-department-ca/">' in html
    assert "Disputed by agency" in html
    assert "never in its custody" in html
    # Timeline in date order: arrest, lodged, declined, released, later arrest.
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    steps = re.findall(
        r"(Arrest after release|Arrest by|Detainer lodged|Detainer declined|Released from custody)", timeline
    )
    assert steps == [
        "Arrest by",
        "Detainer lodged",
        "Detainer declined",
        "Released from custody",
        "Arrest after release",
    ]
    assert '<time datetime="2018-01-10">10 Jan 2018</time>' in html
    assert '<time datetime="2018-02-19">19 Feb 2018</time>' in html
    # Each charge: its kind, its wording and its category.
    assert (
        '<span class="kind kind-charge">Charge</span> “possession of a controlled substance” '
        '<span class="muted">— <a href="/charges/dangerous-drugs/">35 Dangerous Drugs</a>'
    ) in html
    assert '“murder” <span class="muted">— <a href="/charges/homicide/">09 Homicide</a>' in html
    assert "<dt>Days from release to next arrest</dt><dd>30</dd>" in html
    # Source and citation.
    assert "<dt>Citation</dt><dd>Declined Detainer Report, FY2018 Q2, p. 4, row 1</dd>" in html
    assert '<a href="/reports/fy2018-q2/">Declined Detainer Report, FY2018 Q2</a>' in html
    assert '<a href="https://example.org/report.pdf" rel="noopener">' in html
    assert "No correction has been made to this case." in html


def test_case_page_never_blurs_a_conviction_into_a_charge(client, world):
    html = text(client.get(case_url("fy2017-q2-01")))
    assert '<span class="kind kind-conviction">Conviction</span> “burglary”' in html
    assert '<span class="kind kind-charge">Charge</span> “possession”' in html
    assert "Agency corrected to Travis." in html  # its correction


def test_case_page_shows_month_precision_and_history_detainers(client, world):
    """The San Luis Obispo pattern: an earlier arrest and detainer, known to the month, in no report."""
    slo_case = world.q2.detainers.get(row=2)
    with derive.batch():
        earlier = ArrestFactory(
            individual=slo_case.individual,
            arresting_agency=world.slo,
            arrested_on=dt.date(2017, 12, 1),
            arrested_on_precision="month",
        )
        ArrestChargeFactory(arrest=earlier, category=category("50"), wording="probation violation")
        DetainerFactory(
            report=None,
            row=None,
            individual=slo_case.individual,
            custody_arrest=earlier,
            declining_agency=world.slo,
            lodged_on=dt.date(2017, 12, 1),
            lodged_on_precision="month",
            declined_on=None,
            released_on=None,
        )
    html = text(client.get(case_url("fy2018-q2-02")))
    assert '<time datetime="2017-12">Dec 2017</time>' in html
    assert "listed in no report" in html
    assert html.index("Dec 2017") < html.index("10 Jan 2018")


def test_case_in_a_draft_report_is_404_for_the_public_and_flagged_for_staff(public, admin_client, world):
    assert public.get(case_url("fy2018-q3-01")).status_code == 404
    html = text(admin_client.get(case_url("fy2018-q3-01")))
    assert 'class="banner-draft" role="status"' in html
    assert "Draft: Declined Detainer Report, FY2018 Q3 is not published." in html
    assert 'class="banner-draft"' not in text(admin_client.get(case_url("fy2018-q2-01")))


def test_history_of_a_draft_case_is_not_shown_on_a_public_case(client, world):
    """The same individual listed again in a draft report: the public case page must not reveal it."""
    case = world.q2.detainers.get(row=1)
    DetainerFactory(
        report=world.draft,
        row=7,
        individual=case.individual,
        declining_agency=world.lapd,
        lodged_on=dt.date(2018, 2, 20),
        declined_on=dt.date(2018, 2, 21),
        released_on=dt.date(2018, 2, 21),
    )
    assert "fy2018-q3-07" not in text(client.get(case_url("fy2018-q2-01")))


@pytest.fixture
def full_history(world):
    """fy2018-q2-01's individual with every kind of fact the case page shows: an earlier arrest
    and detainer known to the month and listed in no report, an arrest with neither date,
    agency nor charge, two more detainers in published reports, one in a draft, and
    corrections published with the report or still in a draft."""
    case = world.q2.detainers.get(row=1)
    individual = case.individual
    with derive.batch():
        earlier = ArrestFactory(
            individual=individual,
            arresting_agency=world.slo,
            arrested_on=dt.date(2017, 12, 1),
            arrested_on_precision="month",
            age_at_arrest=None,
        )
        ArrestChargeFactory(arrest=earlier, category=category("50"), wording="probation violation", kind="conviction")
        ArrestFactory(
            individual=individual,
            arresting_agency=None,
            arrested_on=None,
            age_at_arrest=None,
            citation="Court file 17-1",
        )
        DetainerFactory(
            report=None,
            row=None,
            individual=individual,
            custody_arrest=earlier,
            declining_agency=world.slo,
            lodged_on=dt.date(2017, 12, 1),
            lodged_on_precision="month",
            declined_on=None,
            released_on=None,
        )
        DetainerFactory(report=world.q2, row=9, individual=individual, declining_agency=world.philly)
        DetainerFactory(report=world.q2_2017, row=9, individual=individual, declining_agency=world.travis)
        DetainerFactory(
            report=world.draft,
            row=9,
            individual=individual,
            declining_agency=world.lapd,
            lodged_on=dt.date(2018, 2, 25),
            declined_on=None,
            released_on=None,
        )
    individual.gender = "male"
    individual.save()
    case.form = "I-247A"
    case.agency_response = "The department disputes the dates."
    case.save()
    for day, what in ((1, "Lodged date corrected."), (2, "Row number corrected."), (3, "Agency corrected.")):
        CorrectionFactory(report=world.q2, detainer=case, published_on=dt.date(2019, 8, day), what_changed=what)
    CorrectionFactory(report=world.draft, detainer=case, what_changed="Not yet published.")
    return case


def test_case_page_shows_every_fact_of_a_full_history_in_the_pinned_queries(
    client, django_assert_num_queries, full_history
):
    with django_assert_num_queries(DETAIL_QUERIES["case"]):
        html = text(client.get(case_url("fy2018-q2-01")))

    # Summary: both agencies, the individual, the custody arrest and the detainer itself.
    assert (
        '<dt>Declining agency</dt> <dd><a href="/agencies/los-angeles-police-department-ca/">'
        "Los Angeles Police Department</a>, police department, CA</dd>"
    ) in html
    assert (
        '<dt>Arresting agency</dt> <dd><a href="/agencies/los-angeles-police-department-ca/">'
        "Los Angeles Police Department</a>, CA</dd>"
    ) in html
    assert "<dt>Quarter</dt><dd>FY2018 Q2</dd>" in html
    assert "<dt>Citizenship</dt><dd>Mexico</dd>" in html
    assert "<dt>Gender</dt><dd>Male</dd>" in html
    assert "<dt>Age at arrest</dt><dd>30</dd>" in html
    assert "<dt>Detainer lodged</dt><dd>12 Jan 2018</dd>" in html
    assert "<dt>Decline recorded by ICE</dt><dd>20 Jan 2018</dd>" in html
    assert "<dt>Released</dt><dd>20 Jan 2018</dd>" in html
    assert "<dt>Detainer form</dt><dd>I-247A</dd>" in html
    assert "<dt>Days from release to next arrest</dt><dd>30</dd>" in html
    assert "<dt>Agency response</dt><dd>The department disputes the dates.</dd>" in html

    # Timeline: every arrest and every visible detainer, in date order; the draft one is hidden.
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert '<time datetime="2017-12">Dec 2017</time>' in timeline
    assert (
        'Arrest by <a href="/agencies/san-luis-obispo-sheriff-ca/">San Luis Obispo County Sheriff&#x27;s Office</a>, CA'
        in timeline
    )
    assert '<span class="kind kind-conviction">Conviction</span> “probation violation”' in timeline
    assert "listed in no report" in timeline
    assert "With San Luis Obispo County Sheriff&#x27;s Office, CA" in timeline
    assert '<a href="/cases/fy2018-q2-09/">case fy2018-q2-09</a>' in timeline
    assert '<a href="/cases/fy2017-q2-09/">case fy2017-q2-09</a>' in timeline
    assert "With Philadelphia Police Department, PA" in timeline
    assert "fy2018-q3-09" not in html
    assert timeline.count('<span class="tag">this case</span>') == 3  # lodged, declined, released
    assert "Date not reported" in timeline
    assert '<p class="muted">No charge reported.</p>' in timeline
    assert "Documented in: Court file 17-1" in timeline
    assert "Arrest after release by" in timeline
    assert '“murder” <span class="muted">— <a href="/charges/homicide/">09 Homicide</a>' in timeline
    assert timeline.index("Dec 2017") < timeline.index("10 Jan 2018") < timeline.index("19 Feb 2018")

    # Corrections: the published ones, newest first; none from a draft report.
    corrections = html.split('<ol class="corrections">', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r"<dt>What changed</dt><dd>(.*?)</dd>", corrections) == [
        "Agency corrected.",
        "Row number corrected.",
        "Lodged date corrected.",
    ]
    assert "Not yet published." not in html

    # Source and "Cite this".
    assert "<dt>Citation</dt><dd>Declined Detainer Report, FY2018 Q2, row 1</dd>" in html
    assert '<textarea id="cite-text" class="cite-box" readonly rows="3">' in html


def test_staff_see_draft_detainers_and_corrections_on_a_case_page(admin_client, full_history):
    html = text(admin_client.get(case_url("fy2018-q2-01")))
    assert '<a href="/cases/fy2018-q3-09/">case fy2018-q3-09</a>' in html
    assert "<dt>What changed</dt><dd>Not yet published.</dd>" in html
    assert html.count('<span class="tag">draft report: staff only</span>') == 1


def test_a_draft_case_of_someone_with_a_public_case_is_404_for_the_public(public, admin_client, full_history):
    assert public.get(case_url("fy2018-q3-09")).status_code == 404
    html = text(admin_client.get(case_url("fy2018-q3-09")))
    assert "Draft: Declined Detainer Report, FY2018 Q3 is not published." in html
    assert '<a href="/cases/fy2018-q2-01/">case fy2018-q2-01</a>' in html


def test_agency_page_shows_identity_cases_and_counts(client, world):
    parent = AgencyFactory(name="Los Angeles County Sheriff", slug="la-county-sheriff-ca")
    Agency.objects.filter(pk=world.lapd.pk).update(parent=parent)
    html = text(client.get(world.lapd.get_absolute_url()))
    assert '<h1>Los Angeles Police Department <span class="muted">(CA)</span></h1>' in html
    assert "<dt>Type</dt><dd>Police department</dd>" in html
    assert "<dt>ORI</dt><dd>CA0194200</dd>" in html
    assert "<dt>ICE field office (AOR)</dt><dd>Los Angeles</dd>" in html
    assert '<a href="/agencies/la-county-sheriff-ca/">Los Angeles County Sheriff (CA)</a>' in html
    assert "<caption>Cases by quarter</caption>" in html
    assert '<tr><td>FY2018 Q2</td><td class="number">1</td></tr>' in html
    assert re.search(r"Cases by subsequent charge.*09 Homicide</a></td><td class=\"number\">1</td>", html)
    # Its cases: the published one only (the draft fy2018-q3-01 is also LAPD's).
    assert re.findall(r'href="/cases/([a-z0-9-]+)/"', html) == ["fy2018-q2-01"]
    assert 'href="/cases/?agency=los-angeles-police-department-ca"' in html


def test_agency_named_only_in_drafts_is_hidden_from_the_public(public, admin_client, world):
    hidden = AgencyFactory(name="Draft Only Jail", slug="draft-only-jail-ca")
    DetainerFactory(report=world.draft, row=5, declining_agency=hidden)
    assert public.get(hidden.get_absolute_url()).status_code == 404
    assert "Draft Only Jail" not in text(public.get(reverse("cases:agency-list")))
    assert admin_client.get(hidden.get_absolute_url()).status_code == 200


def test_report_page_shows_stated_total_beside_computed_count(client, world):
    world.q2.scope_notes = "Detainers lodged 1 January to 31 March 2018."
    world.q2.save()
    CorrectionFactory(report=world.q2, what_changed="Row 2 date corrected.")
    html = text(client.get(world.q2.get_absolute_url()))
    assert "<h1>Declined Detainer Report, FY2018 Q2</h1>" in html
    assert "<dt>Total stated by the report</dt><dd>16</dd>" in html
    assert "<dt>Cases transcribed here</dt><dd>3</dd>" in html
    assert "The report states 16; this database holds 3 of its rows." in html
    assert "<dt>Period covered</dt><dd>1 Jan 2018 to 31 Mar 2018 (FY2018 Q2)</dd>" in html
    assert "Detainers lodged 1 January to 31 March 2018." in html
    assert "Row 2 date corrected." in html
    assert sorted(re.findall(r'href="/cases/(fy[0-9a-z-]+)/"', html)) == [
        "fy2018-q2-01",
        "fy2018-q2-02",
        "fy2018-q2-03",
    ]
    assert '<meta property="og:description" content="Quarterly Declined Detainer Report, FY2018 Q2' in html


def test_draft_report_is_404_for_the_public_and_bannered_for_staff(public, admin_client, world):
    url = world.draft.get_absolute_url()
    assert public.get(url).status_code == 404
    html = text(admin_client.get(url))
    assert "Draft: Declined Detainer Report, FY2018 Q3 is not published." in html
    assert "fy2018-q3-01" in html


def test_charge_page_splits_prior_and_subsequent(client, world):
    html = text(client.get(reverse("cases:charge-detail", kwargs={"slug": "homicide"})))
    assert "<h1>09 Homicide</h1>" in html
    assert '<a href="/cases/?prior_charge=homicide">Up to release (prior)</a></td><td class="number">1</td>' in html
    assert (
        '<a href="/cases/?subsequent_charge=homicide">After release (subsequent)</a></td><td class="number">1</td>'
        in html
    )
    assert '<a href="/cases/?charge=homicide">At any arrest</a></td><td class="number">2</td>' in html
    assert sorted(re.findall(r'href="/cases/(fy[0-9a-z-]+)/"', html)) == ["fy2018-q2-01", "fy2018-q2-03"]


# Pinned query counts. Each page is loaded with 10 and with 500 cases behind it.
DETAIL_QUERIES = {
    # the case and its individual's detainers, with their reports, agencies and individual, in one;
    # arrests; their charges; corrections with their reports
    "case": 4,
    # agency; its cases' count; rows (with their agencies' names and slugs, copied); charge category
    # names; by quarter; prior and subsequent charge counts
    "agency": 7,
    # report with its count; count; rows; charge category names; corrections; charts: by agency,
    # prior, subsequent
    "report": 8,
    # category with its counts; count; rows; charge category names; chart: by quarter
    "charge": 5,
}


@pytest.fixture(params=[10, 500])
def many(request):
    agency = AgencyFactory(name="Many Cases County", slug="many-cases-county-ca")
    report = ReportFactory(fy=2018, q=2, stated_total=600)
    bulk_cases(report, request.param, agency=agency)
    report.status = ReportStatus.PUBLISHED
    report.save()
    return request.param, report, agency


@pytest.mark.parametrize("page", sorted(DETAIL_QUERIES))
def test_detail_query_counts_do_not_grow_with_rows(client, django_assert_num_queries, many, page):
    n_cases, report, agency = many
    url = {
        "case": case_url("fy2018-q2-07"),
        "agency": agency.get_absolute_url(),
        "report": report.get_absolute_url(),
        "charge": reverse("cases:charge-detail", kwargs={"slug": "homicide"}),
    }[page]
    with django_assert_num_queries(DETAIL_QUERIES[page]):
        response = client.get(url)
    html = text(response)
    if page != "case":
        assert f"Cases: {n_cases:,}. Page 1 of {(n_cases + 49) // 50}." in html
        assert len(re.findall(r'href="/cases/(fy2018-q2-\d+)/"', html)) == min(n_cases, 50)
    else:
        assert "<h1>Case fy2018-q2-07</h1>" in html
