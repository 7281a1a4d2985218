"""Links that keep the current view's other parameters, always in canonical form."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from .. import querystring as qs

register = template.Library()


# The view's canonical query rides on the request, because django-tables2 renders its
# template with a context of its own.


def _link(context, pairs):
    request = context["request"]
    params = getattr(request, "canonical_params", qs.TABLE_PARAMS)
    return qs.as_url(request.path, qs.canonical_pairs(pairs, params))


def _current(context):
    request = context["request"]
    pairs = getattr(request, "canonical_pairs", None)
    if pairs is None:
        pairs = qs.raw_pairs(request.META.get("QUERY_STRING", ""))
    return pairs


@register.simple_tag(takes_context=True)
def sort_url(context, value):
    return _link(context, qs.replace(_current(context), "sort", value))


@register.simple_tag(takes_context=True)
def page_url(context, number):
    pairs = [(p, v) for p, v in _current(context) if p != "page"]
    return _link(context, [*pairs, ("page", str(number))])


@register.simple_tag(takes_context=True)
def toggle_url(context, param, value):
    return _link(context, qs.toggle(_current(context), param, value))


@register.simple_tag(takes_context=True)
def clear_filters_url(context):
    return _link(context, qs.without_filters(_current(context)))


@register.simple_tag
def table_body(table):
    """The rows of a django-tables2 table, as the template loop would write them, built in
    Python: a page of the case list is 500 cells, and the template engine's per-cell cost
    was most of the page's time. A table with ``fast_cells(record)`` (its cells' HTML, in
    column order, equal to what django-tables2 renders; tested) skips the cell machinery too."""
    columns = list(table.columns)
    starts = [format_html('<td {} data-label="{}">', column.attrs["td"].as_html(), column.header) for column in columns]
    fast = getattr(table, "fast_cells", None)
    rows = []
    for row in table.paginated_rows:
        cells = fast(row.record) if fast else [cell for _column, cell in row.items()]
        rows.append(
            "<tr>"
            + "".join(start + conditional_escape(cell) + "</td>" for start, cell in zip(starts, cells, strict=False))
            + "</tr>"
        )
    if not rows:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text)
    return mark_safe("\n".join(rows))
