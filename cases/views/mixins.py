"""Behaviour shared by the public pages: canonical URLs, old slugs, share metadata, drafts."""

from django.http import Http404, HttpResponsePermanentRedirect

from .. import querystring as qs


class CanonicalQueryMixin:
    """Redirect (301) any non-canonical query string to its canonical form.

    ``query_params`` lists the parameters this view understands, in canonical order.
    ``slug_params`` maps a parameter to the model whose current slug it must carry.
    """

    query_params = qs.TABLE_PARAMS
    slug_params: dict = {}

    def dispatch(self, request, *args, **kwargs):
        raw = qs.raw_pairs(request.META.get("QUERY_STRING", ""))
        pairs = qs.canonical_pairs(raw, self.query_params)
        renames = self.former_slug_renames(pairs)
        if renames:
            pairs = qs.canonical_pairs(pairs, self.query_params, renames)
        self.query_pairs = request.canonical_pairs = pairs
        request.canonical_params = self.query_params
        self.problems = []
        if pairs != raw:
            return HttpResponsePermanentRedirect(qs.as_url(request.path, pairs))
        return super().dispatch(request, *args, **kwargs)

    def former_slug_renames(self, pairs):
        """``{param: {former slug: current slug}}`` for slugs that have changed."""
        renames = {}
        by_model = {}
        for param, model in self.slug_params.items():
            by_model.setdefault(model, set()).update(qs.values_of(pairs, param))
        for model, slugs in by_model.items():
            if not slugs:
                continue
            current = model.objects.current_slugs(slugs)
            changed = {old: new for old, new in current.items() if old != new}
            if changed:
                for param, param_model in self.slug_params.items():
                    if param_model is model:
                        renames[param] = changed
        return renames

    def get_table_kwargs(self):
        # The sort is checked here, before django-tables2 sees it: it would otherwise drop an
        # unknown column silently, and warn about (later refuse) dotted names.
        kwargs = super().get_table_kwargs()
        kwargs["order_by_field"] = "_sort_checked_by_view"
        sort = next(iter(qs.values_of(self.query_pairs, "sort")), None)
        if sort is not None:
            orderable = sorted(
                name for name, column in self.get_table_class().base_columns.items() if column.orderable is not False
            )
            if sort.removeprefix("-") in orderable:
                kwargs["order_by"] = (sort,)
            else:
                self.problems.append(
                    f"Sort: “{sort}” is not a column that can be sorted. "
                    f"Use one of: {', '.join(orderable)} (add - in front to reverse). The default order is used."
                )
        return kwargs

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        self.check_page(table)
        return table

    def check_page(self, table):
        """django-tables2 shows the nearest page for one that does not exist; say so."""
        page = next(iter(qs.values_of(self.query_pairs, "page")), None)
        if page is not None and hasattr(table, "page") and page != str(table.page.number):
            pages = table.paginator.num_pages
            self.problems.append(
                f"Page: “{page}” is not a page of this list, which has {pages} page{'s' if pages != 1 else ''}. "
                f"Showing page {table.page.number}."
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            query_pairs=self.query_pairs,
            query_params=self.query_params,
            canonical_url=self.request.build_absolute_uri(qs.as_url(self.request.path, self.query_pairs)),
            problems=self.problems,
        )
        return context


class FormerSlugRedirectMixin:
    """A public slug never breaks: a former one redirects (301) to the current URL."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            url = self.current_url_for_former_slug()
            if url is None:
                raise
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)

    def current_url_for_former_slug(self):
        obj, is_current = self.model.objects.resolve_slug(self.kwargs.get("slug"))
        if obj is None or is_current:
            return None
        return obj.get_absolute_url()


class ShareMetaMixin:
    """The title, description and canonical link that a shared link previews with."""

    share_description = ""

    def get_share_title(self):
        return str(getattr(self, "object", "") or "")

    def get_share_description(self):
        return self.share_description

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("page_title", self.get_share_title())
        context.setdefault("share_description", self.get_share_description())
        context.setdefault("canonical_url", self.request.build_absolute_uri(self.request.path))
        return context


class DraftNoticeMixin:
    """Staff may open a draft; the page then says loudly that it is not public."""

    def draft_report(self):
        report = getattr(self.object, "report", None)
        return report if report is not None and not report.is_published else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["draft_report"] = self.draft_report()
        return context
