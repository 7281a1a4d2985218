"""Citation blocks, feed links and JSON-LD for the public pages."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import dataversion, jsonld
from .. import querystring as qs
from ..citation import Citation
from ..exports import json_dumps

register = template.Library()


@register.inclusion_tag("includes/_cite.html", takes_context=True)
def cite_this(context, title, url=None):
    """A "Cite this" block for the page; ``url`` defaults to its canonical URL."""
    request = context["request"]
    url = url or context.get("canonical_url") or request.build_absolute_uri(request.path)
    citation = Citation(settings.SITE_NAME, str(title), url, dataversion.data_as_of(), timezone.localdate())
    return {"citation": citation}


def _feed_link(title, url):
    return format_html('<link rel="alternate" type="application/atom+xml" title="{}" href="{}">', title, url)


@register.simple_tag(takes_context=True)
def feed_link(context, name):
    """``<link rel="alternate">`` to the reports or corrections feed."""
    titles = {"report-feed": "New and updated reports", "correction-feed": "Corrections"}
    return _feed_link(titles[name], context["request"].build_absolute_uri(reverse(f"cases:{name}")))


def case_feed_url(pairs):
    pairs = qs.canonical_pairs([(p, v) for p, v in pairs if p in qs.FILTER_PARAMS], qs.CASE_LIST_PARAMS)
    return qs.as_url(reverse("cases:case-feed"), pairs)


@register.simple_tag(takes_context=True)
def case_feed_link(context, **filters):
    """``<link rel="alternate">`` to the feed of the current filtered view, or of ``filters``."""
    request = context["request"]
    pairs = list(filters.items()) if filters else _current_pairs(request)
    return _feed_link("New cases in this view", request.build_absolute_uri(case_feed_url(pairs)))


@register.simple_tag(takes_context=True)
def case_feed_href(context):
    return case_feed_url(_current_pairs(context["request"]))


def _current_pairs(request):
    """The current view's understood parameters (see ExportMixin.query_filter_pairs)."""
    pairs = getattr(request, "understood_pairs", None)
    return getattr(request, "canonical_pairs", []) if pairs is None else pairs


@register.simple_tag(takes_context=True)
def dataset_jsonld(context, report=None):
    """Schema.org Dataset as JSON-LD, escaped so no text can close the script element."""
    request = context["request"]
    data = jsonld.report_dataset(request, report) if report is not None else jsonld.site_dataset(request)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(json_dumps(data)))
