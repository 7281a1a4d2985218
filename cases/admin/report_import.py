"""The "Import report" admin pages: upload a file → preview → confirm, and the templates.

The uploaded file is kept in storage under imports/pending/ between the preview and the
confirm, so the confirm imports exactly the bytes that were previewed; it is deleted after
a successful import.
"""

import datetime as dt
import re
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from ..models import Report
from ..services import import_report
from ..services.import_format import COLUMNS, MAX_FILE_BYTES, MAX_ROWS
from ..services.import_templates import template_csv, template_xlsx

PENDING = "imports/pending/"
TOKEN_RE = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    report = forms.ModelChoiceField(
        queryset=Report.objects.order_by("-period_start"),
        help_text="The report these cases come from. Create the report first if it is new.",
    )
    file = forms.FileField(
        label="Cases file",
        help_text=f"A .csv or .xlsx file with one row per case, up to {MAX_ROWS} rows and "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB. Start from the template.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(
                "Upload a .csv or .xlsx file. Other formats (such as .xls or .pdf) cannot be read."
            )
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is {MAX_FILE_BYTES // 1024 // 1024} MB."
            )
        return upload


def prune_pending(max_age=dt.timedelta(days=1)):
    """Forget uploads that were previewed but never confirmed."""
    try:
        _, names = default_storage.listdir(PENDING)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - max_age
    for name in names:
        if TOKEN_RE.match(name) and default_storage.get_modified_time(PENDING + name) < cutoff:
            default_storage.delete(PENDING + name)


class ReportImportMixin:
    """Adds the import pages to ReportAdmin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="cases_report_import"),
            path("import/confirm/", wrap(self.import_confirm_view), name="cases_report_import_confirm"),
            path("import/template.<str:fmt>", wrap(self.import_template_view), name="cases_report_import_template"),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        return request.user.has_perm("cases.import_report")

    def _check_import_permission(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied

    def import_template_view(self, request, fmt):
        self._check_import_permission(request)
        if fmt == "csv":
            response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        elif fmt == "xlsx":
            response = HttpResponse(template_xlsx(), content_type=XLSX_TYPE)
        else:
            raise Http404("Templates are .csv or .xlsx.")
        response["Content-Disposition"] = f'attachment; filename="report-import-template.{fmt}"'
        return response

    def import_view(self, request):
        self._check_import_permission(request)
        initial = {"report": request.GET.get("report")} if request.GET.get("report", "").isdigit() else {}
        form = ImportUploadForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            token = f"{uuid.uuid4().hex}.{upload.name.rsplit('.', 1)[-1].lower()}"
            prune_pending()
            default_storage.save(PENDING + token, ContentFile(content))
            report = form.cleaned_data["report"]
            result = import_report.preview(report, upload.name, content)
            return self._render_preview(request, result, token)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import report",
            "form": form,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "admin/cases/report/import_upload.html", context)

    def import_confirm_view(self, request):
        self._check_import_permission(request)
        if request.method != "POST":
            return redirect(reverse("admin:cases_report_import"))
        token = request.POST.get("token", "")
        if not TOKEN_RE.match(token) or not default_storage.exists(PENDING + token):
            messages.error(request, "That upload has expired or was already imported. Upload the file again.")
            return redirect(reverse("admin:cases_report_import"))
        report_id = request.POST.get("report", "")
        report = get_object_or_404(Report, pk=report_id) if report_id.isdigit() else None
        if report is None:
            raise Http404("No such report.")
        filename = request.POST.get("filename", "import")[:200]
        with default_storage.open(PENDING + token) as handle:
            content = handle.read()
        decisions = {}
        for prefix in ("agency:", "agency_other:"):  # a typed ORI or slug wins over the list
            for key, value in request.POST.items():
                if key.startswith(prefix) and value.strip():
                    decisions[key[len(prefix) :]] = value.strip()
        if "confirm" not in request.POST:
            return self._render_preview(request, import_report.preview(report, filename, content, decisions), token)
        try:
            result = import_report.import_file(
                report,
                filename,
                content,
                user=request.user,
                agency_decisions=decisions,
                expected_fingerprint=request.POST.get("fingerprint"),
            )
        except import_report.ImportRefused as refused:
            messages.error(request, str(refused))
            return self._render_preview(request, refused.preview, token)
        default_storage.delete(PENDING + token)
        counts = result.counts
        messages.success(
            request,
            f"Imported {filename} into {report}: {counts['new']} new, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged. Every change is in the history with the reason “Import of {filename}”.",
        )
        return redirect(reverse("admin:cases_report_change", args=[report.pk]))

    def _render_preview(self, request, result, token):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Preview: {result.filename} → {result.report}",
            "preview": result,
            "token": token,
            "rows_with_content": [r for r in result.rows if r.status != "unchanged"],
        }
        return TemplateResponse(request, "admin/cases/report/import_preview.html", context)
