"""Statistics for any view of the cases, a comparison of two quarters, the data dictionary,
and robots.txt."""

import functools

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.generic import TemplateView
from django_filters.views import FilterView

from .. import dataversion, exports, stats
from .. import querystring as qs
from ..compare import Comparison, InvalidComparison
from ..filters import CaseFilter
from ..fiscal import FiscalQuarter
from ..models import Detainer
from ..services.derive import CHARGE_SEPARATOR
from .cases import CaseListView
from .exporting import ExportMixin
from .mixins import CanonicalQueryMixin, ShareMetaMixin


class StatsView(ExportMixin, CanonicalQueryMixin, FilterView):
    """``/stats/``: the case list's filters, counted and charted."""

    filterset_class = CaseFilter
    template_name = "cases/stats.html"
    strict = False
    query_params = qs.FILTER_PARAMS
    slug_params = CaseListView.slug_params

    def get_queryset(self):
        return Detainer.objects.published()

    def statistics(self):
        """The counts, their summary, and the charts, built when first read: the page's chart
        markup is usually cached, and building the charts' links costs more than the rest."""
        pairs = self.query_filter_pairs()
        data = stats.cached(self.object_list, pairs, self.filterset)
        return data, stats.summary(data), SimpleLazyObject(functools.partial(stats.charts, data, pairs))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data, summary, charts = self.statistics()
        sentence = self.filterset.sentence(summary.total)
        self.problems[:0] = self.filterset.problems()
        context.update(
            sentence=sentence,
            page_title=f"Statistics: {sentence}",
            share_description=f"Statistics and charts for {sentence}, counted from the published records.",
            summary=summary,
            charts=charts,
            list_url=stats.ListLink(self.query_filter_pairs()).all_cases(),
            charts_cache_key=stats.cache_key(self.query_filter_pairs()),
            charts_cache_seconds=dataversion.cache_seconds(stats.CACHE_SECONDS),
            cite_url=self.request.build_absolute_uri(qs.as_url(self.request.path, self.query_filter_pairs())),
            export_links=self.export_links(),
            filtered=any(p in qs.FILTER_PARAMS for p, _ in self.query_pairs),
        )
        return context

    def get_export(self):
        _data, summary, charts = self.statistics()
        meta = self.export_meta(
            f"Statistics: {self.filterset.sentence(summary.total)}", self.reports_of(self.object_list)
        )
        meta["median_days_to_next_arrest"] = summary.median_days
        meta["cases_with_known_days"] = summary.days_known
        return exports.stats_export(charts, meta, self.absolute())


class CompareView(ShareMetaMixin, TemplateView):
    """``/stats/compare/?a=fy2018-q2&b=fy2018-q3``: two quarters side by side."""

    template_name = "cases/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cases = Detainer.objects.published()
        quarters = [FiscalQuarter.from_slug(slug) for slug in cases.quarters()]
        a, b = self.request.GET.get("a", ""), self.request.GET.get("b", "")
        context.update(quarters=quarters, a=a, b=b, problems=[])
        if a or b:
            try:
                comparison = Comparison.of(cases, a, b)
            except InvalidComparison as error:
                context["problems"] = error.problems
                self.status = 400
            else:
                context.update(
                    comparison=comparison,
                    a=comparison.a.slug,
                    b=comparison.b.slug,
                    page_title=f"{comparison.a.label} compared with {comparison.b.label}",
                    canonical_url=self.request.build_absolute_uri(
                        qs.as_url(self.request.path, [("a", comparison.a.slug), ("b", comparison.b.slug)])
                    ),
                )
        context.setdefault("page_title", "Compare two quarters")
        context["share_description"] = "Cases by agency and by charge category in two fiscal quarters, side by side."
        return context

    def render_to_response(self, context, **response_kwargs):
        response_kwargs.setdefault("status", getattr(self, "status", 200))
        return super().render_to_response(context, **response_kwargs)


class DataDictionaryView(ShareMetaMixin, TemplateView):
    template_name = "cases/data_dictionary.html"
    share_description = "Every column of the CSV, JSON and XLSX exports, and the shape of the JSON API."

    def get_share_title(self):
        return "Data dictionary"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            exports=[
                ("Cases", reverse("cases:case-list"), exports.CASE_COLUMNS),
                ("Agencies", reverse("cases:agency-list"), exports.AGENCY_COLUMNS),
                ("Statistics", reverse("cases:stats"), exports.STATS_COLUMNS),
            ],
            separator=CHARGE_SEPARATOR,
            formula_start=" ".join(repr(c)[1:-1] for c in exports.FORMULA_START),
        )
        return context


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
