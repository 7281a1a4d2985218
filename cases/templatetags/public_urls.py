"""Links that keep the current view's other parameters, always in canonical form."""

from html import escape

from django import template
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tables2.templatetags.django_tables2 import table_page_range

from .. import querystring as qs
from .. import urlmemo

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


@register.simple_tag
def fixed_url(name):
    """``{% url name %}`` for a view that takes no arguments, reversed once (cases/urlmemo.py)."""
    return urlmemo.fixed_url(name)


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


@register.simple_tag(takes_context=True)
def table_head(context, table):
    """The header row of a django-tables2 table, as the template loop wrote it, built in
    Python (ten columns of a dozen template lookups each). With ``table_pagination``, the
    table's markup outside its rows went from 1.55 to 0.72 ms, timed with the template's
    nodes instrumented (which weighs on many small nodes the most)."""
    cells = []
    for column in table.columns:
        alias = column.order_by_alias
        ordered = column.is_ordered
        descending = ordered and alias.is_descending
        sort = f' aria-sort="{"descending" if descending else "ascending"}"' if ordered else ""
        header = _html(column.header)
        if column.orderable:
            mark = (" ▼" if descending else " ▲") if ordered else ""
            href = escape(sort_url(context, alias.next))
            header = f'<a href="{href}">{header}<span class="sort-mark" aria-hidden="true">{mark}</span></a>'
        cells.append(f'<th scope="col" {column.attrs["th"].as_html()}{sort}>{header}</th>')
    return mark_safe("\n".join(cells))


@register.simple_tag(takes_context=True)
def table_pagination(context, table):
    """The page links under a paginated table, as the template loop wrote them, built in
    Python (the loop took about 1 ms of a list, timed as above). Empty for a single page."""
    page = getattr(table, "page", None)
    if not page or table.paginator.num_pages <= 1:
        return ""
    items = []
    if page.has_previous():
        items.append(
            f'<li><a href="{escape(page_url(context, page.previous_page_number()))}" rel="prev">Previous</a></li>'
        )
    for number in table_page_range(page, table.paginator):
        if number == "...":
            items.append('<li><span class="gap">…</span></li>')
            continue
        current = ' aria-current="page"' if number == page.number else ""
        items.append(f'<li><a href="{escape(page_url(context, number))}"{current}>{number}</a></li>')
    if page.has_next():
        items.append(f'<li><a href="{escape(page_url(context, page.next_page_number()))}" rel="next">Next</a></li>')
    return mark_safe('<nav class="pagination" aria-label="Pages">\n<ul>\n' + "\n".join(items) + "\n</ul>\n</nav>")


@register.simple_tag
def table_body(table):
    """The rows of a django-tables2 table, as the template loop would write them, built in
    Python: a page of the case list is 500 cells, and the template engine's per-cell cost
    was most of the page's time. A table with ``fast_cells(record)`` (its cells' HTML, escaped,
    in column order, equal to what django-tables2 renders; tested) skips the cell machinery too."""
    columns = list(table.columns)
    starts = [
        str(format_html('<td {} data-label="{}">', column.attrs["td"].as_html(), column.header)) for column in columns
    ]
    fast = getattr(table, "fast_cells", None)
    # One format string for a row, its cells' HTML filled in (``fast_cells`` escapes its own).
    row_html = "<tr>" + "".join(start.replace("{", "{{").replace("}", "}}") + "{}</td>" for start in starts) + "</tr>"
    rows = [
        row_html.format(*(fast(row.record) if fast else [_html(cell) for _column, cell in row.items()]))
        for row in table.paginated_rows
    ]
    if not rows:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text)
    return mark_safe("\n".join(rows))


def _html(value):
    """``conditional_escape(value)`` without its per-call overhead (a page has 500 cells)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


@register.simple_tag
def facet_fieldsets(facets):
    """The case list's facets, one fieldset each, built in Python: about a hundred options
    of ten template variables each cost several milliseconds in the template engine."""
    parts = []
    for facet in facets:
        param = escape(str(facet.param))
        parts.append(f'<fieldset class="facet">\n<legend>{_html(facet.label)}</legend>')
        for counter, option in enumerate(facet.options, 1):
            checked = " checked" if option.selected else ""
            box = f"f-{param}-{counter}"
            parts.append(
                f'<div class="facet-option">\n'
                f'<input type="checkbox" id="{box}" name="{param}" value="{_html(option.value)}"{checked}>\n'
                f'<label for="{box}">{_html(option.label)} <span class="count">({option.count:,})</span></label>\n'
                f"</div>"
            )
        if not facet.counted:
            parts.append('<p class="muted small">Not counted: too many cases in view.</p>')
        elif not facet.options:
            parts.append('<p class="muted small">None among these cases.</p>')
        parts.extend(f'<input type="hidden" name="{param}" value="{_html(value)}">' for value in facet.hidden)
        if facet.total_options > len(facet.options):
            chosen = len(facet.options) - facet.leading
            then = f", then {chosen} chosen" if chosen else ""
            parts.append(
                f'<p class="muted small">The {facet.leading} {facet.picked} of {facet.total_options:,} are shown{then}.'
                " Use the search box to find others.</p>"
            )
        parts.append("</fieldset>")
    return mark_safe("\n".join(parts))
