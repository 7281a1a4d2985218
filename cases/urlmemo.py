"""URLs reversed once per URLconf and script prefix rather than on every use: each page's
layout links to eleven views that take no arguments, and the case page to an agency, a
report and each charge's category; ``reverse`` costs some 25 µs each (session 17).

Both keys are what ``reverse`` itself reads: the URLconf's resolver (``get_resolver`` is
cached until ``clear_url_caches``, which a change of ``ROOT_URLCONF`` calls, and a new
resolver is a new key) and the script prefix of the request being served."""

import re
from functools import lru_cache

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

# What the slug path converter accepts: such a value goes into the URL as it is (reverse
# quotes the path, and leaves these characters alone). Any other value is reversed in full,
# so that reverse still refuses it (NoReverseMatch).
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
PLACEHOLDER = "__key__"  # a slug itself


def fixed_url(name):
    """``reverse(name)`` for a view that takes no arguments."""
    return _memo(name, None)


def pattern(name, kwarg):
    """The URL of a view with one slug in its path, ``PLACEHOLDER`` in the slug's place: a
    page or an export with many such links puts each slug there."""
    return _memo(name, kwarg)


def slug_url(name, kwarg, value):
    """``reverse(name, kwargs={kwarg: value})`` for a view with one slug in its path."""
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        return reverse(name, kwargs={kwarg: value})
    return pattern(name, kwarg).replace(PLACEHOLDER, value)


def _memo(name, kwarg):
    return _reversed(get_resolver(get_urlconf()), get_script_prefix(), name, kwarg)


@lru_cache(maxsize=512)
def _reversed(resolver, prefix, name, kwarg):
    kwargs = {kwarg: PLACEHOLDER} if kwarg else None
    return reverse(name, urlconf=resolver.urlconf_name, kwargs=kwargs)
