"""Every invariant of DOMAIN.md, twice: clean() refuses it with a readable message,
and the database refuses it too (for the ones a row constraint can express)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import Agency, Arrest, Detainer, Report, ReportStatus

from .factories import (
    AgencyFactory,
    ArrestFactory,
    DetainerFactory,
    IndividualFactory,
    ReportFactory,
    make_case,
)

pytestmark = pytest.mark.django_db
D = dt.date


def refused_by_database(queryset_update):
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset_update()


def errors_of(obj):
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    return info.value.message_dict


# --- ORI and state ---------------------------------------------------------------


def test_ori_prefix_must_match_state():
    agency = AgencyFactory.build(ori="TX0194200", state="CA", slug="x-ca")
    assert "begins with its agency's state code" in errors_of(agency)["ori"][0]
    saved = AgencyFactory(ori="CA0194200", state="CA")
    refused_by_database(lambda: Agency.objects.filter(pk=saved.pk).update(ori="TX0194200"))


def test_ori_is_unique_when_present_but_may_be_blank_many_times():
    AgencyFactory(ori="CA0194200")
    AgencyFactory(ori="")
    AgencyFactory(ori="")
    duplicate = AgencyFactory.build(ori="CA0194200", slug="another-ca")
    assert "ori" in str(errors_of(duplicate))
    refused_by_database(lambda: AgencyFactory(ori="CA0194200", slug="third-ca"))


def test_ori_format_is_checked():
    agency = AgencyFactory.build(ori="CA01", state="CA", slug="short-ca")
    assert "9 characters" in errors_of(agency)["ori"][0]


def test_same_name_in_another_state_is_another_agency():
    AgencyFactory(name="Franklin County Sheriff's Office", state="PA")
    AgencyFactory(name="Franklin County Sheriff's Office", state="NY")
    assert Agency.objects.filter(name="Franklin County Sheriff's Office").count() == 2
    refused_by_database(lambda: AgencyFactory(name="Franklin County Sheriff's Office", state="PA", slug="dupe-pa"))


# --- Reports ---------------------------------------------------------------------


def test_published_report_needs_a_source():
    report = ReportFactory(source_url="")
    make_case(report, 1)
    report.status = ReportStatus.PUBLISHED
    assert "needs a source" in errors_of(report)["source_url"][0]
    refused_by_database(lambda: Report.objects.filter(pk=report.pk).update(status=ReportStatus.PUBLISHED))


def test_published_report_needs_at_least_one_case():
    report = ReportFactory()
    report.status = ReportStatus.PUBLISHED
    assert errors_of(report)["status"] == ["A published report needs at least one case."]


def test_report_period_cannot_end_before_it_starts():
    report = ReportFactory.build(kind="weekly", period_start=D(2017, 2, 3), period_end=D(2017, 1, 28), slug="w")
    assert "cannot end before it starts" in errors_of(report)["period_end"][0]
    saved = ReportFactory()
    refused_by_database(lambda: Report.objects.filter(pk=saved.pk).update(period_end=D(2000, 1, 1)))


def test_quarterly_report_covers_a_whole_fiscal_quarter():
    report = ReportFactory.build(period_start=D(2018, 1, 1), period_end=D(2018, 2, 28), slug="q")
    assert "FY2018 Q2 runs from 01 Jan 2018 to 31 Mar 2018" in errors_of(report)["period_end"][0]


# --- Cases -----------------------------------------------------------------------


def test_case_in_a_report_needs_a_row_citation():
    case = DetainerFactory.build(
        report=ReportFactory(), row=None, individual=IndividualFactory(), declining_agency=AgencyFactory()
    )
    assert "needs its row number" in errors_of(case)["row"][0]
    saved = make_case(ReportFactory(fy=2019, q=1), 1)
    refused_by_database(lambda: Detainer.objects.filter(pk=saved.pk).update(row=None))


def test_row_is_unique_within_a_report():
    report = ReportFactory()
    make_case(report, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(report, 1)


def test_detainer_cannot_be_declined_or_released_before_it_was_lodged():
    case = make_case(ReportFactory(), 1)
    case.declined_on = D(2018, 1, 5)
    case.released_on = D(2018, 1, 4)
    errors = errors_of(case)
    assert "cannot come before the detainer was lodged (12 Jan 2018)" in errors["declined_on"][0]
    assert "cannot come before the detainer was lodged" in errors["released_on"][0]
    refused_by_database(lambda: Detainer.objects.filter(pk=case.pk).update(declined_on=D(2018, 1, 5)))
    refused_by_database(lambda: Detainer.objects.filter(pk=case.pk).update(released_on=D(2018, 1, 4)))


def test_month_precision_release_allows_a_lodged_day_in_that_month():
    case = make_case(ReportFactory(), 1)
    # Released "January 2018" with a lodged date of 12 January: consistent.
    Detainer.objects.filter(pk=case.pk).update(released_on=D(2018, 1, 1), released_on_precision="month")
    case.refresh_from_db()
    case.full_clean()
    # ... but released "December 2017" is not.
    refused_by_database(
        lambda: Detainer.objects.filter(pk=case.pk).update(released_on=D(2017, 12, 1), released_on_precision="month")
    )


def test_month_precision_dates_are_stored_on_the_first():
    case = make_case(ReportFactory(), 1)
    case.lodged_on, case.lodged_on_precision = D(2018, 1, 12), "month"
    case.save()
    case.refresh_from_db()
    assert case.lodged_on == D(2018, 1, 1)
    assert str(case.lodged) == "Jan 2018"
    refused_by_database(lambda: Detainer.objects.filter(pk=case.pk).update(lodged_on=D(2018, 1, 12)))
    refused_by_database(
        lambda: Arrest.objects.filter(pk=case.custody_arrest_id).update(
            arrested_on=D(2018, 1, 10), arrested_on_precision="month"
        )
    )


def test_detainer_cannot_be_lodged_before_its_custody_arrest():
    case = make_case(ReportFactory(), 1, arrested_on=D(2018, 1, 10))
    case.lodged_on = D(2018, 1, 5)
    assert "before the arrest it was lodged during (10 Jan 2018)" in errors_of(case)["lodged_on"][0]
    arrest = case.custody_arrest
    arrest.arrested_on = D(2018, 1, 15)
    assert "cannot be later (15 Jan 2018)" in errors_of(arrest)["arrested_on"][0]


def test_custody_arrest_must_belong_to_the_same_individual():
    case = make_case(ReportFactory(), 1)
    case.custody_arrest = ArrestFactory()
    assert errors_of(case)["custody_arrest"] == ["This arrest belongs to a different individual."]


def test_history_only_detainer_has_no_report_and_no_case_id():
    case = make_case(ReportFactory(), 1)
    earlier = Detainer.objects.create(
        individual=case.individual, declining_agency=case.declining_agency, lodged_on=D(2017, 12, 1)
    )
    assert earlier.case_id is None and earlier.get_absolute_url() is None
    assert str(earlier).endswith("(not in a report)")
    refused_by_database(lambda: Detainer.objects.filter(pk=earlier.pk).update(row=3))


def test_age_must_be_plausible():
    arrest = ArrestFactory()
    arrest.age_at_arrest = 4
    assert "age_at_arrest" in errors_of(arrest)
    refused_by_database(lambda: Arrest.objects.filter(pk=arrest.pk).update(age_at_arrest=200))
