"""Small reference tables read on every page, cached until the data changes, and read at
most once per request."""

from django.core.cache import cache

from . import dataversion
from .models import ChargeCategory, FieldOffice
from .requestmemo import once


def categories():
    """``{pk: (code, slug, name)}`` for every charge category."""
    return once("categories", _categories)


def _categories():
    return cache.get_or_set(
        f"lookups:categories:v{dataversion.current()}",
        lambda: {pk: (code, slug, name) for pk, code, slug, name in ChargeCategory.objects.values_list(
            "pk", "code", "slug", "name")},
        timeout=dataversion.cache_seconds(),
    )  # fmt: skip


def field_offices():
    """``{pk: (slug, name)}`` for every ICE field office (AOR)."""
    return once("field-offices", _field_offices)


def _field_offices():
    return cache.get_or_set(
        f"lookups:field-offices:v{dataversion.current()}",
        lambda: {pk: (slug, name) for pk, slug, name in FieldOffice.objects.values_list("pk", "slug", "name")},
        timeout=dataversion.cache_seconds(),
    )
