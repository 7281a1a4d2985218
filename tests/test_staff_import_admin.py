"""The admin's Import report pages: templates, upload → preview → confirm, and permissions."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Agency, Detainer
from cases.services.import_format import COLUMN_NAMES
from tests.factories import AgencyFactory, ReportFactory

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def report():
    AgencyFactory(name="Los Angeles Police Department", state="CA", ori="CA0194200")
    return ReportFactory()


def upload(client, report, name):
    content = (DATA / name).read_bytes()
    return client.post(
        reverse("admin:cases_report_import"),
        {"report": report.pk, "file": SimpleUploadedFile(name, content)},
    )


def hidden(response):
    """The hidden fields of the preview form."""
    preview = response.context["preview"]
    return {
        "token": response.context["token"],
        "report": preview.report.pk,
        "filename": preview.filename,
        "fingerprint": preview.fingerprint,
    }


def test_the_templates_have_the_header_and_one_example_row(editor):
    response = editor.get(reverse("admin:cases_report_import_template", args=["csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="report-import-template.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == COLUMN_NAMES
    assert len(rows) == 2 and rows[1][COLUMN_NAMES.index("agency_ori")] == "CA0194200"

    response = editor.get(reverse("admin:cases_report_import_template", args=["xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Cases"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == COLUMN_NAMES and len(values) == 2
    assert ["dangerous-drugs", "35", "Dangerous Drugs"] in [list(r) for r in book["Charge categories"].values]


def test_the_template_itself_imports_cleanly(editor, report):
    from cases.services import import_report
    from cases.services.import_templates import template_csv, template_xlsx

    for name, content in (("template.csv", template_csv()), ("template.xlsx", template_xlsx())):
        preview = import_report.preview(report, name, content)
        assert preview.is_ready, preview.as_text()
        assert preview.counts["new"] == 1


def test_upload_preview_confirm_with_an_unknown_agency(editor, report):
    page = editor.get(reverse("admin:cases_report_import") + f"?report={report.pk}")
    assert "Download CSV template" in page.content.decode()

    response = upload(editor, report, "report_unknown_agency.csv")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Agencies not in the database" in html
    assert "Travis County Sheriff&#x27;s Office (TX), ORI TX2270000" in html
    assert "Map to existing: Los Angeles Police Department (CA), ORI CA0194200" in html
    assert 'name="confirm"' not in html  # undecided agencies: no confirm button yet
    assert not Detainer.objects.exists()

    data = hidden(response) | {"agency:TX2270000": "create", "agency:Los Angeles Police Dept (CA)": "", "refresh": "1"}
    data["agency_other:Los Angeles Police Dept (CA)"] = "CA0194200"
    response = editor.post(reverse("admin:cases_report_import_confirm"), data)
    assert 'name="confirm"' in response.content.decode()
    assert not Detainer.objects.exists()

    data = data | {"fingerprint": response.context["preview"].fingerprint, "confirm": "1"}
    response = editor.post(reverse("admin:cases_report_import_confirm"), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:cases_report_change", args=[report.pk])
    assert Detainer.objects.filter(report=report).count() == 3
    assert Agency.objects.get(ori="TX2270000").history.get().history_user.username == "editor"
    # The pending upload is used once.
    again = editor.post(reverse("admin:cases_report_import_confirm"), data, follow=True)
    assert "That upload has expired or was already imported" in again.content.decode()


def test_a_file_with_errors_shows_them_and_offers_no_confirm(editor, report):
    response = upload(editor, report, "report_errors.csv")
    html = response.content.decode()
    assert "This file has 9 errors." in html
    assert "“Narnia” is not a country we know." in html
    assert "<td>4</td><td><code>gender</code></td><td>Gender must be male, female or empty, not “x”.</td>" in html
    assert 'name="confirm"' not in html
    # Forcing a confirm anyway writes nothing.
    data = hidden(response) | {"confirm": "1"}
    response = editor.post(reverse("admin:cases_report_import_confirm"), data)
    assert "The file has errors; nothing was imported." in response.content.decode()
    assert not Detainer.objects.exists()


def test_a_corrected_file_shows_the_field_diff(editor, report):
    AgencyFactory(name="San Luis Obispo County Sheriff's Office", state="CA")
    AgencyFactory(name="Anaheim Police Department", state="CA")
    first = upload(editor, report, "report_clean.csv")
    editor.post(reverse("admin:cases_report_import_confirm"), hidden(first) | {"confirm": "1"})
    assert Detainer.objects.count() == 4

    response = upload(editor, report, "report_corrected.csv")

    html = response.content.decode()
    assert "Arrest before the detainer: age: <del>28</del> → <ins>29</ins>" in html
    assert "Case: lodged: <del>5 Feb 2018</del> → <ins>6 Feb 2018</ins>" in html
    assert '<span class="status-unchanged">2 unchanged</span>' in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("cases.csv", b"a,b\n1,2\n", "Unknown column(s): a, b."),
    ],
)
def test_bad_uploads_get_a_clear_message_not_an_error_page(editor, report, name, content, message):
    response = editor.post(
        reverse("admin:cases_report_import"), {"report": report.pk, "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_staff_without_the_import_permission_cannot_import(client, django_user_model, report):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="a-long-test-password-1", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_report"))
    client.force_login(viewer)
    assert client.get(reverse("admin:cases_report_import")).status_code == 403
    assert client.get(reverse("admin:cases_report_import_template", args=["csv"])).status_code == 403
    assert "Import report" not in client.get(reverse("admin:cases_report_changelist")).content.decode()


def test_a_tampered_confirm_gets_a_clear_answer_not_an_error_page(editor, report):
    response = upload(editor, report, "report_clean.csv")
    url = reverse("admin:cases_report_import_confirm")
    assert editor.post(url, hidden(response) | {"report": "abc", "confirm": "1"}).status_code == 404
    expired = editor.post(url, hidden(response) | {"token": "../../settings.py", "confirm": "1"}, follow=True)
    assert "That upload has expired or was already imported" in expired.content.decode()
    assert not Detainer.objects.exists()
