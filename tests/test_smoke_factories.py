import pytest

from cases.models import CaseCharge, ReportStatus

from .factories import ReportFactory, make_case, published_report

pytestmark = pytest.mark.django_db


def test_make_case_derives_prior_and_subsequent_charges():
    report = ReportFactory()
    case = make_case(report, 7)
    assert case.case_id == "fy2018-q2-07"
    assert case.quarter == "fy2018-q2"
    assert case.days_to_next_arrest == 30
    assert set(case.case_charges.values_list("timing", "category__code")) == {
        (CaseCharge.Timing.PRIOR, "35"),
        (CaseCharge.Timing.SUBSEQUENT, "09"),
    }


def test_published_report_factory_publishes():
    report = published_report(fy=2019, q=3)
    assert report.status == ReportStatus.PUBLISHED
    assert report.detainers.get().case_id == "fy2019-q3-01"
