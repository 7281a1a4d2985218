"""The source PDF is offered on the public report page, with its checksum, served safely;
public pages say when their record was last updated."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from .factories import ReportFactory, make_case, published_report

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% test document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def report_with_pdf(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = published_report()
    report.source_document.save("ICE report <final>.pdf", ContentFile(PDF), save=True)
    report.refresh_from_db()
    return report


def test_report_page_offers_the_pdf_and_its_checksum(client, report_with_pdf):
    digest = hashlib.sha256(PDF).hexdigest()
    assert report_with_pdf.source_document_sha256 == digest
    html = client.get(report_with_pdf.get_absolute_url()).content.decode()
    url = reverse("cases:report-document", kwargs={"slug": report_with_pdf.slug})
    assert f'href="{url}"' in html
    assert digest in html


def test_pdf_is_served_as_a_download_with_safe_headers(client, report_with_pdf):
    response = client.get(reverse("cases:report-document", kwargs={"slug": report_with_pdf.slug}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="fy2018-q2.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Checksum-SHA256"] == hashlib.sha256(PDF).hexdigest()


def test_draft_or_missing_documents_are_404(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = ReportFactory(fy=2019, q=1)
    draft.source_document.save("draft.pdf", ContentFile(PDF), save=True)
    assert client.get(reverse("cases:report-document", kwargs={"slug": draft.slug})).status_code == 404
    without = published_report(fy=2019, q=2)
    assert client.get(reverse("cases:report-document", kwargs={"slug": without.slug})).status_code == 404


def test_public_pages_show_when_their_record_was_last_updated(client):
    report = published_report()
    case = make_case(report, 2)
    for obj in (case, report, case.declining_agency):
        html = client.get(obj.get_absolute_url()).content.decode()
        assert "<dt>Last updated</dt>" in html
        assert f'<time datetime="{obj.updated_at.isoformat()}' in html or obj.updated_at.strftime("%-d %b %Y") in html
