"""Plain pages: home and about."""

from django.views.generic import TemplateView

from ..counts import rollup_totals
from ..fiscal import FiscalQuarter
from ..models import CaseCharge, CaseReportRollup, CaseRollup, ChargeReportRollup, Report
from .directory import case_list_url
from .mixins import ShareMetaMixin

QUICK_LINKS_SHOWN = 6


class HomeView(ShareMetaMixin, TemplateView):
    template_name = "cases/home.html"
    share_description = (
        "Immigration detainers that local agencies declined, as listed in ICE's Declined Detainer Reports, "
        "with the source of every record."
    )

    def get_share_title(self):
        return ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_report = CaseReportRollup.objects.all()
        by_agency = CaseRollup.objects.all()
        context.update(
            # An aggregate drops Meta.ordering, so .first() alone would give the oldest report (by id).
            latest_report=Report.objects.published()
            .with_case_counts()
            .order_by("-published_on", "-period_start")
            .first(),
            totals=rollup_totals(),
            quarter_links=[
                (FiscalQuarter.from_slug(row["quarter"]).label, case_list_url(quarter=row["quarter"]), row["n"])
                for row in sorted(by_report.count_by("quarter"), key=lambda r: r["quarter"], reverse=True)
            ][:QUICK_LINKS_SHOWN],
            agency_links=[
                (
                    f"{row['declining_agency__name']} ({row['declining_agency__state']})",
                    case_list_url(agency=row["declining_agency__slug"]),
                    row["n"],
                )
                for row in by_agency.count_by(
                    "declining_agency__slug", "declining_agency__name", "declining_agency__state"
                )[:QUICK_LINKS_SHOWN]
            ],
            charge_links=[
                (row["category__name"], case_list_url(subsequent_charge=row["category__slug"]), row["n"])
                for row in ChargeReportRollup.objects.charge_counts(CaseCharge.Timing.SUBSEQUENT)[:QUICK_LINKS_SHOWN]
            ],
        )
        return context


class AboutView(ShareMetaMixin, TemplateView):
    template_name = "cases/about.html"
    share_description = "Sources, methodology, what a declined detainer is and is not, and how to report an error."

    def get_share_title(self):
        return "About the data"
