"""``manage.py import_report``: the same checks and preview as the admin import."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import Agency, Detainer
from tests.factories import AgencyFactory, ReportFactory

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    AgencyFactory(name="Los Angeles Police Department", state="CA", ori="CA0194200")
    AgencyFactory(name="San Luis Obispo County Sheriff's Office", state="CA")
    AgencyFactory(name="Anaheim Police Department", state="CA")
    return ReportFactory()


def command(*args):
    out = io.StringIO()
    call_command("import_report", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_preview_and_writes_nothing(report):
    output = command(str(DATA / "report_clean.csv"), "--report", report.slug, "--dry-run")
    assert "4 rows: 4 new, 0 changed, 0 unchanged, 0 with errors" in output
    assert (
        "NEW       fy2018-q2-03: Los Angeles Police Department (CA), Guatemala, lodged 5 Feb 2018, 2 later arrests"
        in output
    )
    assert "Dry run: the file is ready to import. Nothing was written." in output
    assert not Detainer.objects.exists()


def test_import_then_corrected_import_reports_the_changes(report, django_user_model):
    django_user_model.objects.create_user("alice", password="a-long-test-password-1")
    command(str(DATA / "report_clean.csv"), "--report", report.slug, "--user", "alice")
    assert Detainer.objects.count() == 4
    assert Detainer.objects.get(row=1).history.get().history_user.username == "alice"

    output = command(str(DATA / "report_corrected.csv"), "--report", report.slug)
    assert "CHANGED   fy2018-q2-02\n      Arrest before the detainer: age: 28 → 29" in output
    assert "Imported: 0 new, 2 changed, 2 unchanged." in output


def test_errors_are_printed_on_their_line_and_column_and_nothing_is_written(report):
    with pytest.raises(CommandError, match="The file has errors; nothing was imported."):
        command(str(DATA / "report_errors.csv"), "--report", report.slug)
    assert not Detainer.objects.exists()
    with pytest.raises(CommandError, match=r"9 error\(s\); nothing would be imported."):
        command(str(DATA / "report_errors.csv"), "--report", report.slug, "--dry-run")


def test_unknown_agencies_need_an_explicit_decision(report):
    path = str(DATA / "report_unknown_agency.csv")
    with pytest.raises(CommandError, match="Unknown agencies need --create-agency or --map-agency"):
        command(path, "--report", report.slug, "--dry-run")
    output = command(
        path,
        "--report",
        report.slug,
        "--create-agency",
        "TX2270000",
        "--map-agency",
        "Los Angeles Police Dept (CA)=CA0194200",
    )
    assert "Imported: 3 new" in output
    assert Agency.objects.filter(ori="TX2270000").exists()
    assert Detainer.objects.get(row=3).declining_agency.ori == "CA0194200"


def test_bad_arguments_are_clear(report):
    with pytest.raises(CommandError, match="No report has the slug “fy1999-q1”"):
        command(str(DATA / "report_clean.csv"), "--report", "fy1999-q1")
    with pytest.raises(CommandError, match="No such file"):
        command(str(DATA / "missing.csv"), "--report", report.slug)
