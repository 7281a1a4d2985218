"""Derived facts: prior and subsequent charges, days to the next arrest, case ids."""

import datetime as dt

import pytest

from cases.models import CaseCharge, Detainer, SlugAlias

from .factories import ArrestChargeFactory, ArrestFactory, ReportFactory, category, make_case

pytestmark = pytest.mark.django_db
D = dt.date


def timings(case):
    return set(case.case_charges.values_list("timing", "category__code"))


def test_adding_and_removing_a_later_arrest_updates_subsequent_charges():
    case = make_case(ReportFactory(), 1, subsequent=())
    assert timings(case) == {(CaseCharge.Timing.PRIOR, "35")}
    assert case.days_to_next_arrest is None
    later = ArrestFactory(individual=case.individual, arrested_on=D(2018, 3, 1))
    ArrestChargeFactory(arrest=later, category=category("52"), wording="weapon", kind="charge")
    case.refresh_from_db()
    assert timings(case) == {(CaseCharge.Timing.PRIOR, "35"), (CaseCharge.Timing.SUBSEQUENT, "52")}
    assert case.days_to_next_arrest == (D(2018, 3, 1) - D(2018, 1, 20)).days
    later.delete()
    case.refresh_from_db()
    assert timings(case) == {(CaseCharge.Timing.PRIOR, "35")}
    assert case.days_to_next_arrest is None


def test_month_precision_rearrest_is_subsequent_but_has_no_day_count():
    case = make_case(ReportFactory(), 1, subsequent=())
    later = ArrestFactory(individual=case.individual, arrested_on=D(2018, 2, 1), arrested_on_precision="month")
    ArrestChargeFactory(arrest=later, category=category("09"), wording="murder", kind="charge")
    case.refresh_from_db()
    assert (CaseCharge.Timing.SUBSEQUENT, "09") in timings(case)
    assert case.days_to_next_arrest is None  # not known to the day, so not computed


def test_arrest_in_the_same_month_as_a_month_precision_release_is_not_called_subsequent():
    case = make_case(ReportFactory(), 1, subsequent=())
    Detainer.objects.filter(pk=case.pk).update(released_on=D(2018, 1, 1), released_on_precision="month")
    later = ArrestFactory(individual=case.individual, arrested_on=D(2018, 1, 25))
    ArrestChargeFactory(arrest=later, category=category("13"), wording="assault", kind="charge")
    case.refresh_from_db()
    assert (CaseCharge.Timing.SUBSEQUENT, "13") not in timings(case)
    assert (CaseCharge.Timing.PRIOR, "13") in timings(case)


def test_renaming_a_report_slug_renames_case_ids_and_keeps_the_old_slug():
    report = ReportFactory()
    case = make_case(report, 3)
    report.slug = "fy2018-q2-revised"
    report.save()
    case.refresh_from_db()
    assert case.case_id == "fy2018-q2-revised-03"
    assert SlugAlias.objects.filter(kind="report", slug="fy2018-q2", object_id=report.pk).exists()
    assert type(report).objects.resolve_slug("fy2018-q2") == (report, False)
    assert type(report).objects.resolve_slug("FY2018-Q2-REVISED") == (report, True)
    assert type(report).objects.current_slugs(["fy2018-q2", "nope"]) == {"fy2018-q2": "fy2018-q2-revised"}
    assert case.history.first().history_change_reason == "Report slug or period changed"


def test_copied_columns_follow_the_report_agency_and_individual():
    from cases.models import FieldOffice

    report = ReportFactory()
    case = make_case(report, 1)
    assert not case.is_public and not Detainer.objects.published().exists()
    report.status = "published"
    report.save()
    case.refresh_from_db()
    assert case.is_public
    assert list(Detainer.objects.published()) == [case]
    assert set(case.case_charges.values_list("is_public", "quarter")) == {(True, "fy2018-q2")}
    assert (case.state, case.citizenship, case.first_prior_code, case.first_subsequent_code) == ("CA", "MX", "35", "09")

    agency = case.declining_agency
    assert case.agency_slug == agency.slug
    agency.state, agency.ori, agency.name = "NV", "", "Renamed Sheriff's Office"
    agency.slug = "renamed-sheriffs-office-nv"
    agency.aor = FieldOffice.objects.get(name="Salt Lake City")
    agency.save()
    individual = case.individual
    individual.citizenship = "GT"
    individual.save()
    case.refresh_from_db()
    assert (case.state, case.aor.name, case.citizenship) == ("NV", "Salt Lake City", "GT")
    assert (case.agency_name, case.agency_slug) == ("Renamed Sheriff's Office", "renamed-sheriffs-office-nv")

    report.status = "draft"
    report.save()
    case.refresh_from_db()
    assert not case.is_public
    assert set(case.case_charges.values_list("is_public", flat=True)) == {False}


def test_charges_column_lists_each_groups_charges_in_date_order():
    report = ReportFactory()
    case = make_case(
        report,
        1,
        prior=(("35", "possession", "charge"), ("13", "assault", "conviction")),
        subsequent=(("09", "murder", "charge"),),
    )
    earlier = ArrestFactory(
        individual=case.individual, arresting_agency=case.declining_agency, arrested_on=dt.date(2017, 5, 1)
    )
    ArrestChargeFactory(arrest=earlier, category=category("23"), wording="theft", kind="conviction")
    case.refresh_from_db()
    ids = {code: category(code).pk for code in ("35", "13", "09", "23")}
    assert case.charges == {
        "prior": [
            [ids["23"], "conviction", "theft", "2017-05-01"],
            [ids["35"], "charge", "possession", "2018-01-10"],
            [ids["13"], "conviction", "assault", "2018-01-10"],
        ],
        "subsequent": [[ids["09"], "charge", "murder", "2018-02-19"]],
    }
    # The same charges as the CSV and XLSX exports print them, stored on the case.
    names = {code: category(code).name for code in ids}
    assert case.prior_charge_codes == "23|35|13"
    assert case.prior_charges_text == (
        f"23 {names['23']} (conviction): theft | 35 {names['35']} (charge): possession"
        f" | 13 {names['13']} (conviction): assault"
    )
    assert (case.subsequent_charge_codes, case.subsequent_charges_text) == ("09", f"09 {names['09']} (charge): murder")


def test_changing_a_category_code_refreshes_the_copied_first_codes():
    case = make_case(ReportFactory(), 1)
    assert case.first_prior_code == "35"
    possession = category("35")
    possession.code = "99"
    possession.save()
    case.refresh_from_db()
    assert (case.first_prior_code, case.first_subsequent_code) == ("99", "09")


def test_renaming_a_category_refreshes_the_stored_charge_text():
    case = make_case(ReportFactory(), 1)
    possession = category("35")
    possession.name = "Controlled substances"
    possession.save()
    case.refresh_from_db()
    assert case.prior_charges_text.startswith("35 Controlled substances (")
    assert case.first_prior_code == "35"


@pytest.mark.parametrize(
    "change, recounted",
    [({"name": "New Name"}, False), ({"slug": "new-slug-ca"}, False), ({"state": "NV"}, True)],
    ids=["name", "slug", "state"],
)
def test_only_an_agency_that_moves_recounts_the_rollups(monkeypatch, change, recounted):
    """The rollups count by state and AOR, not by name or slug: recounting the largest agency
    takes about 6 s at 1,000,000 cases, for a change that moves no count."""
    from cases.services import rollups

    case = make_case(ReportFactory(status="published"), 1)
    agency = case.declining_agency
    touched = []
    touch = rollups.touch
    monkeypatch.setattr(rollups, "touch", lambda **marks: touched.append(marks) or touch(**marks))
    for name, value in change.items():
        setattr(agency, name, value)
    agency.save()
    case.refresh_from_db()
    assert (case.agency_name, case.agency_slug, case.state) == (agency.name, agency.slug, agency.state)
    assert touched == ([{"agencies": [agency.pk]}] if recounted else [])
