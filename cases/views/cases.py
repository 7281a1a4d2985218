"""The case list (filters, facets, shareable URLs) and the case detail page."""

import re

from django.http import Http404
from django.urls import reverse
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .. import casepage, exports
from .. import facets as facet_counts
from .. import querystring as qs
from ..counts import rollup_count
from ..filters import CaseFilter
from ..models import Agency, ChargeCategory, Detainer, Report, case_id_for
from ..pagination import capped_paginator
from ..tables import CaseTable
from ..timeline import case_timeline
from .exporting import ExportMixin, filter_title
from .mixins import CanonicalQueryMixin, DraftNoticeMixin, FormerSlugRedirectMixin, ShareMetaMixin

CASE_ID_RE = re.compile(r"^(?P<report>.+)-(?P<row>\d+)$")


class CaseListView(ExportMixin, CanonicalQueryMixin, SingleTableMixin, FilterView):
    filterset_class = CaseFilter
    table_class = CaseTable
    template_name = "cases/case_list.html"
    table_pagination = {"per_page": 50}

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        if pagination:
            shared = not self.filterset.applied_params()
            pagination["paginator_class"] = capped_paginator(
                "case-list-count" if shared else None, counter=lambda: rollup_count(self.filterset)
            )
        return pagination

    strict = False  # a value that is not understood is reported, never turned into an empty list
    query_params = qs.CASE_LIST_PARAMS
    slug_params = {
        "report": Report,
        "agency": Agency,
        "charge": ChargeCategory,
        "prior_charge": ChargeCategory,
        "subsequent_charge": ChargeCategory,
    }

    def get_queryset(self):
        return Detainer.objects.published().for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = context["table"]
        count = table.paginator.count
        sentence = self.filterset.sentence(count)
        self.problems[:0] = self.filterset.problems()
        applied = self.filterset.applied()
        facets = self.facets(count)
        table.caption = f"{sentence}. Page {table.page.number} of {table.paginator.num_pages}."
        context.update(
            capped=getattr(table.paginator, "is_capped", False),
            max_rows=getattr(table.paginator, "max_pages", 0) * table.paginator.per_page,
            count=count,
            sentence=sentence,
            page_title=sentence,
            share_description=f"{sentence}. Declined immigration detainers, each with its source.",
            chips=applied,
            rejected=[
                (param, value)
                # An unbound filter set has no errors: no form is built for it (it is not rendered).
                for param in (self.filterset.form.errors if self.filterset.is_bound else ())
                for value in qs.values_of(self.query_pairs, param)
            ],
            facets=facets,
            uncounted_notice=self.uncounted_notice(facets),
            search_text=next(iter(qs.values_of(self.query_pairs, "q")), ""),
            sort=next(iter(qs.values_of(self.query_pairs, "sort")), ""),
            sort_options=[
                (f"{prefix}{column.name}", f"{column.header}, {direction}")
                for column in table.columns
                if column.orderable
                for prefix, direction in (("", "ascending"), ("-", "descending"))
            ],
            export_links=self.export_links(),
            stats_url=qs.as_url(
                reverse("cases:stats"), [p for p in self.query_filter_pairs() if p[0] in qs.FILTER_PARAMS]
            ),
            cite_url=self.request.build_absolute_uri(qs.as_url(self.request.path, self.query_filter_pairs())),
        )
        return context

    def facets(self, count):
        selected = lambda param: qs.values_of(self.query_pairs, param)  # noqa: E731
        return facet_counts.case_facets(self.filterset, selected, count)

    @staticmethod
    def uncounted_notice(facets):
        labels = [facet.label for facet in facets if not facet.counted]
        if not labels:
            return ""
        return (
            f"This view holds more than {facet_counts.COUNTED_FROM_CASES_UP_TO:,} cases, too many to count "
            f"one by one for the choices of: {'; '.join(labels)}. Those choices are not shown; "
            "narrow the view with another filter or a more specific search to see them."
        )

    def get_export(self):
        cases = self.sorted_table_queryset()
        meta = self.export_meta(filter_title("Cases", self.filterset), self.reports_of(self.object_list))
        return exports.case_export(cases, meta, self.absolute())


class CaseDetailView(FormerSlugRedirectMixin, DraftNoticeMixin, ShareMetaMixin, DetailView):
    model = Detainer
    slug_field = "case_id"
    slug_url_kwarg = "case_id"
    context_object_name = "case"
    template_name = "cases/case_detail.html"

    def get_object(self, queryset=None):
        """The case, picked from its individual's detainers (the timeline's), loaded in one query."""
        case_id = self.kwargs[self.slug_url_kwarg]
        self.detainers = casepage.detainers(case_id, self.request.user)
        case = next((detainer for detainer in self.detainers if detainer.case_id == case_id), None)
        if case is None:
            raise Http404(f"No {Detainer._meta.verbose_name} found matching the query")
        return case

    def current_url_for_former_slug(self):
        """A case id whose report slug has since changed: fy2018q2-07 → fy2018-q2-07."""
        match = CASE_ID_RE.match(self.kwargs["case_id"].strip().lower())
        if not match:
            return None
        report, is_current = Report.objects.resolve_slug(match["report"])
        if report is None or (is_current and match.group(0) == self.kwargs["case_id"]):
            return None
        return reverse("cases:case-detail", kwargs={"case_id": case_id_for(report.slug, int(match["row"]))})

    def get_share_title(self):
        case = self.object
        return f"Case {case.case_id} · {case.declining_agency}"

    def get_share_description(self):
        case = self.object
        parts = [f"Detainer declined by {case.declining_agency}"]
        if case.lodged:
            parts.append(f"lodged {case.lodged}")
        parts.append(f"listed in {case.report.title}, row {case.row}")
        return ", ".join(parts) + "."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.object
        arrests, charges = casepage.arrests_with_charges(case.individual_id)
        context.update(
            timeline=case_timeline(case, arrests, charges, self.detainers),
            custody_arrest=next((a for a in arrests if a.pk == case.custody_arrest_id), None),
            # With their reports: the list says which are in a draft report (staff only).
            corrections=casepage.corrections(case, self.request.user),
            report=case.report,
        )
        return context
