"""Agencies, reports, charge categories and corrections: their lists and detail pages."""

from django.urls import reverse
from django.views.generic import DetailView, ListView
from django_tables2 import SingleTableMixin, SingleTableView

from .. import exports, stats
from .. import querystring as qs
from ..charts import Bar, bar_chart
from ..fiscal import FiscalQuarter
from ..models import (
    Agency,
    CaseCharge,
    CaseRollup,
    ChargeCategory,
    ChargeReportRollup,
    ChargeRollup,
    Correction,
    Detainer,
    Report,
)
from ..pagination import capped_paginator
from ..tables import AgencyTable, CaseTable, ChargeCategoryTable, ReportTable
from .exporting import ExportMixin
from .mixins import CanonicalQueryMixin, DraftNoticeMixin, FormerSlugRedirectMixin, ShareMetaMixin


def case_list_url(**filters):
    return qs.as_url(reverse("cases:case-list"), qs.canonical_pairs(filters.items(), qs.CASE_LIST_PARAMS))


def stats_url(**filters):
    return qs.as_url(reverse("cases:stats"), qs.canonical_pairs(filters.items(), qs.FILTER_PARAMS))


class DirectoryListView(CanonicalQueryMixin, ShareMetaMixin, SingleTableView):
    table_pagination = {"per_page": 100}
    template_name = "cases/directory_list.html"
    heading = ""
    intro = ""

    def get_share_title(self):
        return self.heading

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = context["table"]
        table.caption = (
            f"{self.heading}: {table.paginator.count:,}. Page {table.page.number} of {table.paginator.num_pages}."
        )
        context.update(heading=self.heading, intro=self.intro)
        return context


class AgencyListView(ExportMixin, DirectoryListView):
    table_class = AgencyTable
    heading = "Agencies"
    intro = "Agencies named as declining a detainer in a published case, with the number of such cases."
    share_description = intro

    def get_queryset(self):
        return Agency.objects.visible_to(self.request.user).with_case_counts().select_related("aor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.export_format:
            context["export_links"] = self.export_links()
        return context

    def get_export(self):
        meta = self.export_meta(self.intro, Report.objects.published().order_by("period_start"))
        return exports.agency_export(self.sorted_table_queryset(), meta, self.absolute())


class ReportListView(DirectoryListView):
    table_class = ReportTable
    heading = "Reports"
    intro = (
        "Reports published by ICE. Where a report states its own total, it is shown beside the number of "
        "cases transcribed here."
    )
    share_description = intro

    def get_queryset(self):
        return Report.objects.visible_to(self.request.user).with_case_counts()

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if not self.request.user.is_staff:
            kwargs["exclude"] = ("status",)
        return kwargs


class ChargeCategoryListView(DirectoryListView):
    table_class = ChargeCategoryTable
    heading = "Charge categories"
    intro = (
        "NCIC offense categories, with the number of published cases that list a charge or conviction in each, "
        "up to release (prior) and after release (subsequent)."
    )
    share_description = intro

    def get_queryset(self):
        return ChargeCategory.objects.with_case_counts()


class CasesTableDetailView(FormerSlugRedirectMixin, CanonicalQueryMixin, ShareMetaMixin, SingleTableMixin, DetailView):
    """A detail page with the object's cases below it, sortable and paginated."""

    table_class = CaseTable
    table_pagination = {"per_page": 50}

    def get_cases(self):
        raise NotImplementedError

    def get_table_data(self):
        return self.get_cases().for_list()

    def get_rollup(self):
        """Rollup rows (a RollupQuerySet) whose sum is the number of ``get_cases()``; None when
        the rollups do not count them (a draft report's cases), and they are counted."""
        return None

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        if pagination:
            rollup = self.get_rollup()
            pagination["paginator_class"] = capped_paginator(
                counter=(lambda: rollup.total()) if rollup is not None else None, capped=False
            )
        return pagination

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = context["table"]
        table.caption = f"Cases: {table.paginator.count:,}. Page {table.page.number} of {table.paginator.num_pages}."
        return context


class AgencyDetailView(CasesTableDetailView):
    model = Agency
    template_name = "cases/agency_detail.html"

    def get_queryset(self):
        return Agency.objects.visible_to(self.request.user).for_detail()

    def get_cases(self):
        return Detainer.objects.published().filter(declining_agency=self.object)

    def get_rollup(self):
        return CaseRollup.objects.filter(declining_agency=self.object)

    def get_share_description(self):
        agency = self.object
        return f"{agency.get_agency_type_display()} in {agency.state}. Published cases in which it declined a detainer."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quarters = self.get_rollup().count_by("quarter")
        charges = ChargeRollup.objects.filter(declining_agency=self.object)
        prior = charges.charge_counts(CaseCharge.Timing.PRIOR)
        subsequent = charges.charge_counts(CaseCharge.Timing.SUBSEQUENT)
        context.update(
            by_quarter=[
                (FiscalQuarter.from_slug(row["quarter"]).label, row["n"])
                for row in sorted(quarters, key=lambda row: row["quarter"], reverse=True)
            ],
            prior_charges=prior,
            subsequent_charges=subsequent,
            cases_url=case_list_url(agency=self.object.slug),
            charts=stats.detail_charts(
                [("agency", self.object.slug)], quarters=quarters, prior=prior, subsequent=subsequent
            ),
            stats_url=stats_url(agency=self.object.slug),
        )
        return context


class ReportDetailView(DraftNoticeMixin, CasesTableDetailView):
    model = Report
    template_name = "cases/report_detail.html"

    def get_queryset(self):
        return Report.objects.visible_to(self.request.user).with_case_counts()

    def draft_report(self):
        return None if self.object.is_published else self.object

    def get_cases(self):
        return Detainer.objects.filter(report=self.object)

    def get_rollup(self):
        return CaseRollup.objects.filter(report=self.object) if self.object.is_published else None

    def get_table_data(self):
        # In row order, on the (report, row) index; the list's default order leads with the quarter.
        return super().get_table_data().order_by("row")

    def get_share_description(self):
        report = self.object
        return (
            f"{report.get_kind_display()}, {report.fiscal_period.label}, published "
            f"{report.published_on:%d %b %Y}. {report.case_count} cases transcribed here."
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        charges = ChargeReportRollup.objects.filter(report=self.object)
        context.update(
            corrections=Correction.objects.filter(report=self.object).select_related("detainer"),
            cases_url=case_list_url(report=self.object.slug),
            charts=stats.detail_charts(
                [("report", self.object.slug)],
                agencies=self.get_rollup().count_by(
                    "declining_agency__slug", "declining_agency__name", "declining_agency__state"
                ),
                prior=charges.charge_counts(CaseCharge.Timing.PRIOR),
                subsequent=charges.charge_counts(CaseCharge.Timing.SUBSEQUENT),
            )
            if self.object.is_published
            else [],
            stats_url=stats_url(report=self.object.slug) if self.object.is_published else None,
        )
        return context


class ChargeCategoryDetailView(CasesTableDetailView):
    model = ChargeCategory
    template_name = "cases/charge_detail.html"

    def get_queryset(self):
        return ChargeCategory.objects.with_case_counts()

    def get_cases(self):
        return Detainer.objects.published().with_charge([self.object])

    def get_rollup(self):
        return ChargeReportRollup.objects.filter(category=self.object, timing=ChargeRollup.Timing.ANY)

    def get_share_description(self):
        category = self.object
        return (
            f"NCIC category {category.code}: {category.case_count} published cases, {category.prior_count} with "
            f"a charge or conviction up to release and {category.subsequent_count} after release."
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slug = self.object.slug
        category = self.object
        context.update(
            prior_url=case_list_url(prior_charge=slug),
            subsequent_url=case_list_url(subsequent_charge=slug),
            cases_url=case_list_url(charge=slug),
            charts=[
                bar_chart(
                    "timing",
                    "When the charge was made",
                    "Published cases with a charge or conviction in this category, by when.",
                    [
                        Bar("Up to release (prior)", category.prior_count, case_list_url(prior_charge=slug)),
                        Bar(
                            "After release (subsequent)",
                            category.subsequent_count,
                            case_list_url(subsequent_charge=slug),
                        ),
                        Bar("At any arrest", category.case_count, case_list_url(charge=slug)),
                    ],
                ),
                *stats.detail_charts([("charge", slug)], quarters=self.get_rollup().count_by("quarter")),
            ],
            stats_url=stats_url(charge=slug),
        )
        return context


class CorrectionListView(CanonicalQueryMixin, ShareMetaMixin, ListView):
    template_name = "cases/correction_list.html"
    paginate_by = 50
    query_params = ("page",)
    context_object_name = "corrections"
    share_description = "The public log of corrections to reports and cases, newest first."

    def get_share_title(self):
        return "Corrections"

    def get_queryset(self):
        return Correction.objects.visible_to(self.request.user).for_list()

    def paginate_queryset(self, queryset, page_size):
        """A page that does not exist shows the nearest one, and says so, rather than a bare 404."""
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        requested = self.request.GET.get("page", "1")
        page = paginator.get_page(requested)
        if requested != str(page.number):
            self.problems.append(
                f"Page: “{requested}” is not a page of this list, which has {paginator.num_pages} "
                f"page{'s' if paginator.num_pages != 1 else ''}. Showing page {page.number}."
            )
        return paginator, page, page.object_list, page.has_other_pages()
