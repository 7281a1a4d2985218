"""A data version for caches: a counter bumped on every change to public-facing records.

Publishing or unpublishing a report, a correction, or any change to a case, arrest or
charge bumps it, so cached statistics are keyed on it and never outlive the data. The
counter lives in the Django cache: with Redis (REDIS_URL) every worker shares it; the
per-process memory cache of development also expires entries after ``TIMEOUT``.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import (
    Agency,
    Arrest,
    ArrestCharge,
    CaseCharge,
    ChargeCategory,
    Correction,
    Detainer,
    FieldOffice,
    Individual,
    Report,
)
from .requestmemo import once

VERSION_KEY = "insight:data-version"
AS_OF_KEY = "insight:data-as-of"
TIMEOUT = 300  # seconds a per-process cache may lag another process's change

TRACKED = (
    Report,
    Detainer,
    Correction,
    Arrest,
    ArrestCharge,
    CaseCharge,
    Individual,
    Agency,
    ChargeCategory,
    FieldOffice,
)


def cache_seconds(wanted):
    """How long to keep an entry keyed on the version: ``wanted`` with a shared cache (Redis);
    with a per-process cache another worker's change is unseen, so at most ``TIMEOUT``."""
    backend = settings.CACHES["default"]["BACKEND"]
    return wanted if "redis" in backend.lower() else min(wanted, TIMEOUT)


def current():
    """The current data version (a small integer), created on first use."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, timeout=None)
    return version


def bump(**kwargs):
    if kwargs.get("raw"):
        return
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)
    cache.set(AS_OF_KEY, timezone.now(), timeout=None)


def data_as_of():
    """When the data last changed: kept by ``bump``; after a restart, the latest report or
    correction. Read once per request (the page, its citation and Last-Modified share it)."""
    return once("data-as-of", _data_as_of)


def _data_as_of():
    value = cache.get(AS_OF_KEY)
    if value is None:
        from django.db.models import Max

        latest = Report.objects.published().aggregate(at=Max("updated_at"))["at"]
        value = latest or timezone.now()
        cache.set(AS_OF_KEY, value, timeout=TIMEOUT)
    return value


def connect():
    for model in TRACKED:
        post_save.connect(bump, sender=model, dispatch_uid=f"dataversion-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"dataversion-delete-{model.__name__}")
