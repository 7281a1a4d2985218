"""Corrections: a verification-status change needs a correction note, saved with it; published
cases are never deleted; the correction shows on the public case page. And the source PDF."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Correction, VerificationStatus
from tests.factories import ReportFactory, make_case, publish
from tests.staff import unchanged_form_data

pytestmark = pytest.mark.django_db
NEEDED = (
    "Changing the verification status needs a correction note: say what changed, why, "
    "and the source of the correction (for example the agency’s letter)."
)


@pytest.fixture
def case():
    report = ReportFactory()
    case = make_case(report, 1)
    publish(report)
    return case


def change_url(case):
    return reverse("admin:cases_detainer_change", args=[case.pk])


def test_changing_the_status_without_a_note_is_refused(editor, case):
    page = editor.get(change_url(case))
    response = editor.post(change_url(case), unchanged_form_data(page, verification_status="retracted"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["correction_reason"] == [NEEDED]
    assert set(errors) == {"correction_what_changed", "correction_reason", "correction_source"}
    case.refresh_from_db()
    assert case.verification_status == VerificationStatus.AS_REPORTED
    assert not Correction.objects.exists()


def test_a_status_change_with_its_note_saves_both_and_shows_on_the_public_page(editor, client, case):
    page = editor.get(change_url(case))
    data = unchanged_form_data(
        page,
        verification_status="retracted",
        correction_date="2019-08-02",
        correction_what_changed="This case was retracted.",
        correction_reason="The agency showed the person was held for another county.",
        correction_source="Letter from the Los Angeles Police Department, 1 Aug 2019",
    )

    response = editor.post(change_url(case), data)

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.verification_status == VerificationStatus.RETRACTED
    correction = Correction.objects.get()
    assert (correction.detainer, correction.report, correction.recorded_by.username) == (case, case.report, "editor")
    assert str(correction.published_on) == "2019-08-02"
    record = case.history.first()
    assert record.history_change_reason == "Correction: This case was retracted."
    assert record.history_user.username == "editor"
    # The retracted case stays public, with its correction.
    client.logout()
    public = client.get(reverse("cases:case-detail", kwargs={"case_id": case.case_id}))
    assert public.status_code == 200
    html = public.content.decode()
    assert "The agency showed the person was held for another county." in html
    assert "Letter from the Los Angeles Police Department, 1 Aug 2019" in html
    assert "Retracted" in html


def test_a_case_in_a_published_report_cannot_be_deleted_in_the_admin(admin_client, case):
    assert admin_client.get(reverse("admin:cases_detainer_delete", args=[case.pk])).status_code == 403
    changelist = admin_client.get(reverse("admin:cases_detainer_changelist")).content.decode()
    assert "delete_selected" not in changelist
    draft_case = make_case(ReportFactory(fy=2018, q=3), 1)
    assert admin_client.get(reverse("admin:cases_detainer_delete", args=[draft_case.pk])).status_code == 200


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def report_form(admin_client, report, upload):
    url = reverse("admin:cases_report_change", args=[report.pk])
    page = admin_client.get(url)
    return url, unchanged_form_data(page, source_document=upload)


def test_the_source_document_must_be_a_pdf(admin_client, media):
    report = ReportFactory()
    url, data = report_form(admin_client, report, SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>"))
    response = admin_client.post(url, data)
    assert response.context["adminform"].form.errors["source_document"] == [
        "This file is not a PDF. Upload the report as published, in PDF format."
    ]
    report.refresh_from_db()
    assert not report.source_document and not list(media.rglob("*.pdf"))


def test_a_pdf_is_stored_with_a_safe_name_and_its_sha256(admin_client, media):
    report = ReportFactory()
    content = b"%PDF-1.7\n% a tiny but real-enough PDF\n%%EOF\n"
    upload = SimpleUploadedFile("../../ICE report (final)!.PDF", content, content_type="application/pdf")
    url, data = report_form(admin_client, report, upload)

    assert admin_client.post(url, data).status_code == 302

    report.refresh_from_db()
    assert report.source_document.name == "reports/fy2018-q2/ice-report-final.pdf"
    assert report.source_document_sha256 == hashlib.sha256(content).hexdigest()
    assert (media / "reports/fy2018-q2/ice-report-final.pdf").read_bytes() == content


def test_an_oversized_pdf_is_refused(admin_client, media, monkeypatch):
    from cases import documents

    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 10)
    report = ReportFactory()
    url, data = report_form(admin_client, report, SimpleUploadedFile("r.pdf", b"%PDF-1.7 and more than ten bytes"))
    response = admin_client.post(url, data)
    assert response.context["adminform"].form.errors["source_document"] == [
        "The document is 0.0 MB; the limit is 0 MB."
    ]
