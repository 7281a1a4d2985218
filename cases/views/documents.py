"""The source document of a published report, served from storage with safe headers."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views import View

from ..models import Report


class ReportDocumentView(View):
    """``/reports/<slug>/source.pdf``: the PDF as uploaded, its SHA-256 in a header.

    Served as a download (``attachment``) with its own type and no sniffing, so a file that
    is not what it claims to be can never run as a page of this site.
    """

    def get(self, request, slug):
        report = get_object_or_404(Report.objects.visible_to(request.user), slug=slug)
        if not report.source_document:
            raise Http404("This report has no uploaded source document.")
        try:
            handle = report.source_document.open("rb")
        except FileNotFoundError:
            raise Http404("The source document is missing from storage.") from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{slugify(report.slug)}.pdf",
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        if report.source_document_sha256:
            response["X-Checksum-SHA256"] = report.source_document_sha256
        return response
