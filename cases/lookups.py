"""Small reference tables read on every page, cached until the data changes."""

from django.core.cache import cache

from . import dataversion
from .models import ChargeCategory


def categories():
    """``{pk: (code, slug, name)}`` for every charge category."""
    return cache.get_or_set(
        f"lookups:categories:v{dataversion.current()}",
        lambda: {pk: (code, slug, name) for pk, code, slug, name in ChargeCategory.objects.values_list(
            "pk", "code", "slug", "name")},
        timeout=dataversion.TIMEOUT,
    )  # fmt: skip
