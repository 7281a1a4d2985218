import pytest
from django.core.management import call_command

from cases.models import (
    Agency,
    Arrest,
    ArrestCharge,
    CaseCharge,
    Correction,
    Detainer,
    Individual,
    Report,
    ReportStatus,
)

pytestmark = pytest.mark.django_db
MODELS = [Report, Agency, Individual, Arrest, ArrestCharge, Detainer, CaseCharge, Correction]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS} | {
        f"history:{model.__name__}": model.history.count() for model in MODELS if hasattr(model, "history")
    }


def test_load_sample_data_twice_changes_nothing():
    call_command("load_sample_data")
    first = counts()
    call_command("load_sample_data")
    assert counts() == first
    assert first["Report"] == 2
    assert first["Detainer"] == 7  # six cases and one detainer known only from history
    assert first["Correction"] == 2


def test_sample_data_matches_the_sources():
    call_command("load_sample_data")
    q2 = Report.objects.get(slug="fy2018-q2")
    assert q2.status == ReportStatus.PUBLISHED
    assert (q2.quarter, q2.stated_total, str(q2.published_on)) == ("fy2018-q2", 16, "2019-07-15")
    assert "incomplete transcription" in q2.source_citation
    lapd = Detainer.objects.get(case_id="fy2018-q2-01")
    assert lapd.declining_agency.ori == "CA0194200"
    assert str(lapd.lodged) == "Jan 2018"
    assert set(lapd.case_charges.values_list("timing", "category__name")) == {
        ("prior", "Dangerous Drugs"),
        ("subsequent", "Homicide"),
    }
    slo = Detainer.objects.get(case_id="fy2018-q2-02")
    history_only = slo.individual.detainers.get(report__isnull=True)
    assert str(history_only.lodged) == "Dec 2017"
    assert set(slo.case_charges.values_list("timing", "category__code")) == {("prior", "50"), ("prior", "11")}
    weekly = Report.objects.get(slug="weekly-2017-01-28")
    assert (weekly.quarter, weekly.stated_total) == ("fy2017-q2", 206)
    anaheim = Detainer.objects.get(case_id="weekly-2017-01-28-01")
    assert (str(anaheim.lodged), str(anaheim.declined)) == ("18 Jan 2017", "30 Jan 2017")
    assert anaheim.custody_arrest.arresting_agency.name == "Anaheim Police Department"
    assert anaheim.declining_agency.name == "Anaheim City Jail"
    santa_rita = Detainer.objects.get(case_id="weekly-2017-01-28-02")
    assert santa_rita.custody_arrest.charges.get().kind == "conviction"
    assert santa_rita.individual.citizenship.code == "KH"


def test_if_empty_does_not_touch_a_database_with_data():
    call_command("load_sample_data")
    Detainer.objects.filter(case_id="fy2018-q2-01").update(agency_response="checked")
    call_command("load_sample_data", "--if-empty")
    assert Detainer.objects.get(case_id="fy2018-q2-01").agency_response == "checked"
