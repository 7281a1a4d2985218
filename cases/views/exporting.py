"""``?_export=csv|json|xlsx`` on a list or statistics view: the whole current view, streamed.

``ExportMixin`` goes before ``CanonicalQueryMixin``: it takes ``_export`` out of the query
string, so the rest of the view sees (and canonicalises) the view's own parameters, and
puts it back on a canonical redirect. The view then builds its page as usual, minus the
page's own extras, and ``get_export()`` says what to write.
"""

from django.http import HttpResponseBadRequest
from django.http.response import HttpResponseRedirectBase
from django.urls import reverse
from django.utils import timezone

from .. import dataversion, exports
from .. import querystring as qs
from ..models import Report

EXPORT_PARAM = "_export"


class ExportMixin:
    export_format = None

    def dispatch(self, request, *args, **kwargs):
        raw = qs.raw_pairs(request.META.get("QUERY_STRING", ""))
        wanted = [value for param, value in raw if param == EXPORT_PARAM]
        if wanted:
            try:
                self.export_format = exports.export_format(wanted[-1])
            except exports.InvalidExport as error:
                return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
            request.META["QUERY_STRING"] = qs.encode([(p, v) for p, v in raw if p != EXPORT_PARAM])
        response = super().dispatch(request, *args, **kwargs)
        if self.export_format and isinstance(response, HttpResponseRedirectBase):
            location = response["Location"]
            response["Location"] = f"{location}{'&' if '?' in location else '?'}{EXPORT_PARAM}={self.export_format}"
        return response

    def get(self, request, *args, **kwargs):
        if not self.export_format:
            return super().get(request, *args, **kwargs)
        # The same rows as the page, without the page's extras (facets, counts, pagination).
        if hasattr(self, "get_filterset_class"):
            self.filterset = self.get_filterset(self.get_filterset_class())
            self.object_list = self.filterset.qs
        else:
            self.object_list = self.get_queryset()
        return exports.response(self.get_export(), self.export_format)

    def get_table_pagination(self, table):
        return False if self.export_format else super().get_table_pagination(table)

    def export_links(self):
        path = self.request.path
        return [
            (fmt.upper(), qs.as_url(path, [*self.query_filter_pairs(), (EXPORT_PARAM, fmt)])) for fmt in exports.FORMATS
        ]

    def query_filter_pairs(self):
        """The view's parameters for links to its exports, feed and statistics: without the
        page, and without values that were not understood (they select nothing, and an
        absurd value would otherwise be repeated in every link)."""
        rejected = set(self.filterset.form.errors) if getattr(self, "filterset", None) is not None else set()
        self.request.understood_pairs = [(p, v) for p, v in self.query_pairs if p != "page" and p not in rejected]
        return self.request.understood_pairs

    def sorted_table_queryset(self):
        """The view's rows in the table's order (sort applied), unpaginated."""
        table = self.get_table(**self.get_table_kwargs())
        return table.data.data

    def absolute(self):
        base = self.request.build_absolute_uri("/")[:-1]
        return lambda path: base + path

    def export_meta(self, title, reports):
        absolute = self.absolute()
        permalink = absolute(qs.as_url(self.request.path, self.query_filter_pairs()))
        return {
            "title": title,
            "filter": title,
            "permalink": permalink,
            "exported_at": timezone.now().isoformat(timespec="seconds"),
            "data_as_of": dataversion.data_as_of().isoformat(timespec="seconds"),
            "data_dictionary": absolute(reverse("cases:data-dictionary")),
            "source_reports": [
                {
                    "slug": report.slug,
                    "title": report.title,
                    "url": absolute(report.get_absolute_url()),
                    "source_url": report.source_url,
                    "published_on": report.published_on.isoformat(),
                }
                for report in reports
            ],
            "notes": "Transcriptions of ICE's Declined Detainer Reports, not ICE's own data files. "
            "Totals are counted from the records held here.",
        }

    @staticmethod
    def reports_of(cases):
        return Report.objects.published().filter(pk__in=cases.order_by().values("report_id")).order_by("period_start")


def filter_title(noun, filterset):
    """ "Cases · FY2018 Q2 · state: CA": the view in words, without counting it first."""
    labels = filterset.sentence(0).split(" · ")[1:]
    return " · ".join([noun, *labels]) if labels else f"{noun} · all published"
