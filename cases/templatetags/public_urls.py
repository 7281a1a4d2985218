"""Links that keep the current view's other parameters, always in canonical form."""

from django import template

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
