"""The staff admin: every page renders, a whole case can be entered through the forms,
invalid input is shown next to its field with nothing saved, and history keeps old → new."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from cases.models import (
    Agency,
    Arrest,
    ArrestCharge,
    CaseCharge,
    ChargeCategory,
    Correction,
    Detainer,
    FieldOffice,
    Individual,
    Report,
)

from .factories import AgencyFactory, CorrectionFactory, ReportFactory, category, field_office, make_case
from .support.adminform import form_data

pytestmark = pytest.mark.django_db

CASES_MODELS = [m for m in admin.site._registry if m._meta.app_label == "cases"]


@pytest.fixture
def populated():
    report = ReportFactory()
    case = make_case(report, 1)
    CorrectionFactory(report=report, detainer=case)
    case.declining_agency.slug = "renamed-agency-ca"
    case.declining_agency.save()  # leaves a slug alias behind
    return case


def admin_url(model, action, *args):
    return reverse(f"admin:cases_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", CASES_MODELS, ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_render(admin_client, populated, model):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    obj = model.objects.first()
    assert obj is not None, f"no {model.__name__} to show"
    assert escape(str(obj)) in response.content.decode()
    model_admin = admin.site._registry[model]
    if model_admin.has_add_permission(response.wsgi_request):
        assert admin_client.get(admin_url(model, "add")).status_code == 200
    change = admin_client.get(admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    history = admin_client.get(admin_url(model, "history", obj.pk))
    assert history.status_code == 200


def test_every_cases_model_is_in_the_admin():
    expected = {Report, Agency, ChargeCategory, FieldOffice, Individual, Arrest, Detainer, Correction}
    assert expected <= set(CASES_MODELS)


def test_changelist_search_and_filters_work(admin_client, populated):
    response = admin_client.get(admin_url(Detainer, "changelist"), {"q": populated.case_id})
    assert populated.case_id in response.content.decode()
    response = admin_client.get(admin_url(Agency, "changelist"), {"state__exact": "TX"})
    assert populated.declining_agency.name not in response.content.decode()


def test_agency_autocomplete_finds_by_name_city_and_ori(admin_client):
    AgencyFactory(name="Los Angeles Police Department", city="Los Angeles", ori="CA0194200", slug="lapd-ca")
    url = reverse("admin:autocomplete")
    params = {"app_label": "cases", "model_name": "detainer", "field_name": "declining_agency"}
    for term in ["Police Dep", "los angeles", "CA01942"]:
        results = admin_client.get(url, {**params, "term": term}).json()["results"]
        assert [r["text"] for r in results] == ["Los Angeles Police Department (CA)"], term


def test_a_whole_case_entered_through_the_admin(admin_client):
    # 1. The report, as a draft.
    page = admin_client.get(admin_url(Report, "add"))
    data = form_data(
        page,
        "report_form",
        kind="quarterly",
        title="Declined Detainer Report, FY2019 Q1",
        slug="fy2019-q1",
        period_start="2018-10-01",
        period_end="2018-12-31",
        published_on="2019-10-01",
        source_url="https://example.org/fy2019-q1.pdf",
        status="draft",
    )
    response = admin_client.post(admin_url(Report, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    report = Report.objects.get(slug="fy2019-q1")
    assert report.quarter == "fy2019-q1"

    # 2. The agency.
    page = admin_client.get(admin_url(Agency, "add"))
    data = form_data(
        page,
        "agency_form",
        name="Franklin County Sheriff's Office",
        slug="franklin-county-sheriffs-office-pa",
        agency_type="sheriff",
        ori="PA0280000",
        city="Chambersburg",
        county="Franklin",
        state="PA",
        aor=str(field_office("Philadelphia").pk),
    )
    response = admin_client.post(admin_url(Agency, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    agency = Agency.objects.get(ori="PA0280000")

    # 3. The individual, with two arrests (charges nested in each).
    page = admin_client.get(admin_url(Individual, "add"))
    drugs, homicide, weapons = category("35"), category("09"), category("52")
    data = form_data(
        page,
        "individual_form",
        citizenship="MX",
        gender="male",
        **{
            "arrests-TOTAL_FORMS": "2",
            "arrests-0-arrested_on": "2018-10-05",
            "arrests-0-arrested_on_precision": "day",
            "arrests-0-arresting_agency": str(agency.pk),
            "arrests-0-age_at_arrest": "31",
            "arrests-0-charges-TOTAL_FORMS": "2",
            "arrests-0-charges-INITIAL_FORMS": "0",
            "arrests-0-charges-MIN_NUM_FORMS": "0",
            "arrests-0-charges-MAX_NUM_FORMS": "1000",
            "arrests-0-charges-0-category": str(drugs.pk),
            "arrests-0-charges-0-wording": "possession of methamphetamine",
            "arrests-0-charges-0-kind": "charge",
            "arrests-0-charges-1-category": str(weapons.pk),
            "arrests-0-charges-1-wording": "felon in possession of a firearm",
            "arrests-0-charges-1-kind": "conviction",
            "arrests-1-arrested_on": "2018-12-01",
            "arrests-1-arrested_on_precision": "month",
            "arrests-1-arresting_agency": str(agency.pk),
            "arrests-1-charges-TOTAL_FORMS": "1",
            "arrests-1-charges-INITIAL_FORMS": "0",
            "arrests-1-charges-MIN_NUM_FORMS": "0",
            "arrests-1-charges-MAX_NUM_FORMS": "1000",
            "arrests-1-charges-0-category": str(homicide.pk),
            "arrests-1-charges-0-wording": "murder",
            "arrests-1-charges-0-kind": "charge",
        },
    )
    response = admin_client.post(admin_url(Individual, "add"), data)
    assert response.status_code == 302, response.content.decode()[:5000]
    individual = Individual.objects.get()
    custody = individual.arrests.get(arrested_on=dt.date(2018, 10, 5))
    assert sorted(custody.charges.values_list("wording", "kind")) == [
        ("felon in possession of a firearm", "conviction"),
        ("possession of methamphetamine", "charge"),
    ]

    # 4. The detainer: the case.
    page = admin_client.get(admin_url(Detainer, "add"))
    data = form_data(
        page,
        "detainer_form",
        report=str(report.pk),
        row="7",
        page="2",
        individual=str(individual.pk),
        custody_arrest=str(custody.pk),
        declining_agency=str(agency.pk),
        form="I-247A",
        lodged_on="2018-10-06",
        declined_on="2018-10-09",
        released_on="2018-10-09",
    )
    response = admin_client.post(admin_url(Detainer, "add"), data)
    assert response.status_code == 302, response.content.decode()[:5000]
    case = Detainer.objects.get(case_id="fy2019-q1-07")
    assert case.quarter == "fy2019-q1"
    assert case.citation == "Declined Detainer Report, FY2019 Q1, p. 2, row 7"
    assert set(case.case_charges.values_list("timing", "category__code")) == {
        (CaseCharge.Timing.PRIOR, "35"),
        (CaseCharge.Timing.PRIOR, "52"),
        (CaseCharge.Timing.SUBSEQUENT, "09"),
    }
    assert ArrestCharge.objects.count() == 3
    # Every saved record has history with the staff user as author.
    assert case.history.get().history_user.username == "admin"


def test_invalid_agency_shows_the_error_next_to_the_field_and_saves_nothing(admin_client):
    page = admin_client.get(admin_url(Agency, "add"))
    data = form_data(
        page,
        "agency_form",
        name="Travis County Sheriff's Office",
        slug="travis-county-sheriffs-office-tx",
        agency_type="sheriff",
        ori="CA0000000",
        state="TX",
    )
    response = admin_client.post(admin_url(Agency, "add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "field-ori" in html and "errorlist" in html
    assert "This ORI starts with CA, but the agency is in TX." in html
    assert not Agency.objects.exists()


def test_invalid_detainer_dates_show_errors_and_save_nothing(admin_client, populated):
    page = admin_client.get(admin_url(Detainer, "change", populated.pk))
    data = form_data(page, "detainer_form", declined_on="2018-01-02")
    response = admin_client.post(admin_url(Detainer, "change", populated.pk), data)
    assert response.status_code == 200
    assert "The decline (2 Jan 2018) cannot come before the detainer was lodged (12 Jan 2018)." in (
        response.content.decode()
    )
    populated.refresh_from_db()
    assert populated.declined_on == dt.date(2018, 1, 20)


def test_publishing_an_empty_report_in_the_admin_is_refused(admin_client):
    report = ReportFactory()
    page = admin_client.get(admin_url(Report, "change", report.pk))
    data = form_data(page, "report_form", status="published")
    response = admin_client.post(admin_url(Report, "change", report.pk), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "status" in data, "an administrator may set the status on the form"
    assert "A published report needs at least one case." in html
    report.refresh_from_db()
    assert report.status == "draft"


def test_history_records_the_old_and_new_value(admin_client, populated):
    agency = populated.declining_agency
    page = admin_client.get(admin_url(Agency, "change", agency.pk))
    admin_client.post(admin_url(Agency, "change", agency.pk), form_data(page, "agency_form", city="New City"))
    latest = agency.history.first()
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("city", "Testville", "New City")]
    assert latest.history_user.username == "admin"
    page = admin_client.get(admin_url(Agency, "history", agency.pk))
    html = page.content.decode()
    assert "Testville" in html and "New City" in html


@pytest.mark.parametrize(
    ("model_name", "changes", "field", "message"),
    [
        ("agency", {"ori": "TX0000000"}, "ori", "This ORI starts with TX, but the agency is in CA."),
        ("agency", {"ori": "CA12"}, "ori", "An ORI is 9 characters"),
        ("report", {"period_end": "2017-01-01"}, "period_end", "The period cannot end before it starts."),
        ("report", {"period_end": "2018-02-28"}, "period_end", "A quarterly report covers one whole fiscal quarter."),
        ("detainer", {"row": ""}, "row", "A case in a report needs its row number, so it can be cited."),
        ("detainer", {"lodged_on": "2018-01-05"}, "lodged_on", "before the arrest it was lodged during (10 Jan 2018)"),
        ("detainer", {"released_on": "2018-01-02"}, "released_on", "cannot come before the detainer was lodged"),
        ("arrest", {"arrested_on": "2018-01-15"}, "arrested_on", "so the arrest cannot be later (15 Jan 2018)"),
        ("arrest", {"age_at_arrest": "4"}, "age_at_arrest", "Ensure this value is greater than or equal to 10."),
    ],
)
def test_each_invariant_is_shown_next_to_its_field_in_the_admin(
    admin_client, populated, model_name, changes, field, message
):
    obj = {
        "agency": populated.declining_agency,
        "report": populated.report,
        "detainer": populated,
        "arrest": populated.custody_arrest,
    }[model_name]
    url = admin_url(type(obj), "change", obj.pk)
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    response = admin_client.post(url, form_data(admin_client.get(url), f"{model_name}_form", **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    assert any(message in text for text in errors[field]), errors[field]
    html = response.content.decode()
    assert f"field-{field}" in html and "errorlist" in html
    assert type(obj).objects.filter(pk=obj.pk).values().get() == before
