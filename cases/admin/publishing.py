"""Publishing and unpublishing reports (Publisher role only), with a confirmation page that
lists whatever blocks publication, and the per-report "what changed since publication" view."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path

from ..models import Report, ReportStatus
from ..services import audit

PUBLISH_PERMISSION = "cases.publish_report"


def flatten(problems):
    """{field: message or [messages]} → [messages]."""
    lines = []
    for value in problems.values():
        lines.extend(value if isinstance(value, list) else [value])
    return lines


class PublishingMixin:
    """Adds the publish/unpublish actions and the audit view to ReportAdmin."""

    actions = ["publish_reports", "unpublish_reports"]

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("status")  # only a Publisher may publish, also not by editing the field
        return fields

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/changes/", wrap(self.changes_view), name="cases_report_changes"),
            *super().get_urls(),
        ]

    @admin.action(description="Publish the selected reports…", permissions=["publish"])
    def publish_reports(self, request, queryset):
        reports = [(report, flatten(report.publication_problems())) for report in queryset]
        if request.POST.get("confirm") == "yes":
            published = []
            for report, problems in reports:
                if problems or report.is_published:
                    continue
                report.status = ReportStatus.PUBLISHED
                report._change_reason = "Published in the admin"
                report.save()
                published.append(str(report))
            blocked = [str(r) for r, problems in reports if problems]
            if published:
                messages.success(request, f"Published: {'; '.join(published)}.")
            if blocked:
                messages.error(request, f"Not published, because of the problems listed: {'; '.join(blocked)}.")
            return None
        return self._confirm(request, queryset, "publish_reports", "Publish reports", reports)

    @admin.action(description="Unpublish the selected reports…", permissions=["publish"])
    def unpublish_reports(self, request, queryset):
        if request.POST.get("confirm") == "yes":
            names = []
            for report in queryset.filter(status=ReportStatus.PUBLISHED):
                report.status = ReportStatus.DRAFT
                report._change_reason = "Unpublished in the admin"
                report.save()
                names.append(str(report))
            messages.success(request, f"Unpublished: {'; '.join(names) or 'nothing (none was published)'}.")
            return None
        return self._confirm(request, queryset, "unpublish_reports", "Unpublish reports", [(r, []) for r in queryset])

    def _confirm(self, request, queryset, action, title, reports):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "action": action,
            "reports": reports,
            "any_ready": any(not problems for _, problems in reports),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/cases/report/publish_confirm.html", context)

    def changes_view(self, request, pk):
        report = get_object_or_404(Report, pk=pk)
        if not self.has_view_or_change_permission(request, report):
            raise PermissionDenied
        since = report.made_public_at
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": report,
            "title": f"What changed since publication: {report}",
            "since": since,
            "entries": audit.changes_since(report, since) if since else [],
        }
        return TemplateResponse(request, "admin/cases/report/changes_since_publication.html", context)
