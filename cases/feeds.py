"""Atom feeds: new and updated reports, corrections, and the new cases of any filtered view.

Text that staff entered is HTML-escaped before it goes into a summary: Atom readers
render ``type="html"`` summaries as HTML, so it must arrive as inert text.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import QueryDict
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from . import querystring as qs
from .filters import CaseFilter
from .models import Correction, Detainer, Report

ITEMS = 50


class AtomFeed(Feed):
    feed_type = Atom1Feed

    def author_name(self):
        return settings.SITE_NAME


class ReportFeed(AtomFeed):
    title = f"{settings.SITE_NAME}: new and updated reports"
    subtitle = "Declined Detainer Reports as they are published here, and again when they are updated."

    def link(self):
        return reverse("cases:report-list")

    def items(self):
        return Report.objects.published().with_case_counts().order_by("-updated_at", "-pk")[:ITEMS]

    def item_title(self, report):
        return report.title

    def item_description(self, report):
        text = (
            f"{report.get_kind_display()}, {report.fiscal_period.label}, published by {report.publisher} "
            f"on {report.published_on:%d %b %Y}. {report.case_count} cases transcribed here"
        )
        if report.stated_total is not None:
            text += f"; the report states {report.stated_total}"
        return escape(text + ".")

    def item_pubdate(self, report):
        return report.made_public_at or report.created_at

    def item_updateddate(self, report):
        return report.updated_at


class CorrectionFeed(AtomFeed):
    title = f"{settings.SITE_NAME}: corrections"
    subtitle = "Dated public corrections to reports and cases."

    def link(self):
        return reverse("cases:correction-list")

    def items(self):
        return Correction.objects.published().for_list().order_by("-published_on", "-pk")[:ITEMS]

    def item_title(self, correction):
        return str(correction)

    def item_link(self, correction):
        if correction.detainer_id:
            return correction.detainer.get_absolute_url()
        return correction.report.get_absolute_url()

    def item_guid(self, correction):
        return f"correction-{correction.pk}"

    item_guid_is_permalink = False

    def item_description(self, correction):
        return escape(f"What changed: {correction.what_changed} Why: {correction.reason} Source: {correction.source}")

    def item_pubdate(self, correction):
        return correction.created_at


class CaseFeed(AtomFeed):
    """``/cases/feed/?<the case list's filters>``: newest cases first, by when they were made public."""

    def get_object(self, request):
        pairs = qs.canonical_pairs(qs.raw_pairs(request.META.get("QUERY_STRING", "")), qs.FILTER_PARAMS)
        filterset = CaseFilter(
            data=QueryDict(qs.encode(pairs)),
            queryset=Detainer.objects.published().select_related("report", "declining_agency", "individual"),
        )
        filterset.is_valid()
        return {"pairs": pairs, "filterset": filterset}

    def title(self, obj):
        labels = obj["filterset"].sentence(0).split(" · ")[1:]
        return f"{settings.SITE_NAME}: new cases" + (f" · {' · '.join(labels)}" if labels else "")

    def subtitle(self, obj):
        problems = obj["filterset"].problems()
        text = "Cases as their reports are published here, newest first."
        return text + (" " + " ".join(problems) if problems else "")

    def link(self, obj):
        return qs.as_url(reverse("cases:case-list"), obj["pairs"])

    def items(self, obj):
        """The newest ITEMS cases, by when their report was made public: report by report,
        newest first, each read on its (report, row) index, until there are enough. One
        sort of every matching case by its report's date would read them all."""
        cases = obj["filterset"].qs
        reports = Report.objects.published().order_by("-made_public_at", "-period_start", "-pk")
        found = []
        for report_id in reports.values_list("pk", flat=True):
            found += cases.filter(report_id=report_id).order_by("-row")[: ITEMS - len(found)]
            if len(found) >= ITEMS:
                break
        return found

    def item_title(self, case):
        return f"Case {case.case_id}: {case.declining_agency}"

    def item_description(self, case):
        parts = [f"Detainer declined by {case.declining_agency}"]
        if case.lodged:
            parts.append(f"lodged {case.lodged}")
        parts.append(f"citizenship {case.individual.citizenship.name or 'not reported'}")
        parts.append(f"listed in {case.report.title}, row {case.row}")
        return escape(", ".join(parts) + ".")

    def item_pubdate(self, case):
        return case.report.made_public_at or case.created_at

    def item_updateddate(self, case):
        return case.updated_at
