"""Reference tables are read at most once per GET request, and never longer than a request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import lookups
from cases.models import ChargeCategory

pytestmark = pytest.mark.django_db

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _category_reads(captured):
    return sum('FROM "cases_chargecategory"' in q["sql"] and '"code"' in q["sql"] for q in captured)


def test_one_page_reads_the_categories_once_even_with_every_cache_off(client, world, settings):
    settings.CACHES = NO_CACHE
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/cases/?quarter=fy2018-q2")
    assert response.status_code == 200
    assert _category_reads(captured.captured_queries) == 1


def test_a_rename_shows_on_the_next_request(client, world, settings):
    settings.CACHES = NO_CACHE
    drugs = ChargeCategory.objects.get(code="35")
    assert drugs.name in client.get("/cases/").content.decode()
    drugs.name = "Controlled substances (renamed)"
    drugs.save()
    assert "Controlled substances (renamed)" in client.get("/cases/").content.decode()


def test_outside_a_request_nothing_is_memoised(settings):
    settings.CACHES = NO_CACHE
    ChargeCategory.objects.filter(code="35").update(name="Before")
    assert "Before" in {name for _code, _slug, name in lookups.categories().values()}
    ChargeCategory.objects.filter(code="35").update(name="After")
    assert "After" in {name for _code, _slug, name in lookups.categories().values()}
