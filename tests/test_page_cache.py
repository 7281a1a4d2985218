"""The whole-page cache for anonymous visitors (detainers/pagecache.py): a shared link is
rendered once per data version, revalidates with a 304, and never outlives a change."""

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import ReportStatus

from .factories import CorrectionFactory, publish

pytestmark = pytest.mark.django_db

SHARED = "/cases/?quarter=fy2018-q2&subsequent_charge=homicide"


def test_a_repeated_shared_link_is_served_from_the_cache_without_a_query(public, world, django_assert_num_queries):
    first = public.get(SHARED)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        again = public.get(SHARED)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["ETag"] == first["ETag"] and again["Last-Modified"]


def test_security_headers_are_on_every_cached_page(public, world):
    public.get(SHARED)
    hit = public.get(SHARED)
    assert hit["X-Page-Cache"] == "hit"
    assert "frame-ancestors 'none'" in hit["Content-Security-Policy"]
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["X-Content-Type-Options"] == "nosniff"
    assert "no-cache" in hit["Cache-Control"]


def test_conditional_get_answers_304_with_no_body(public, world):
    etag = public.get(SHARED)["ETag"]
    response = public.get(SHARED, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag
    assert public.get(SHARED, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_publishing_and_unpublishing_show_at_once(public, world):
    before = public.get("/cases/").content.decode()
    assert "fy2018-q3-01" not in before
    publish(world.draft)
    after = public.get("/cases/")
    assert after["X-Page-Cache"] == "miss"
    assert "fy2018-q3-01" in after.content.decode()
    world.draft.status = ReportStatus.DRAFT
    world.draft.save()
    assert "fy2018-q3-01" not in public.get("/cases/").content.decode()


def test_a_correction_shows_at_once_and_changes_the_etag(public, world):
    url = "/cases/fy2018-q2-01/"
    first = public.get(url)
    assert "The agency disputes the row" not in first.content.decode()
    CorrectionFactory(
        report=world.q2, detainer=world.q2.detainers.get(row=1), what_changed="The agency disputes the row"
    )
    second = public.get(url)
    assert "The agency disputes the row" in second.content.decode()
    assert second["ETag"] != first["ETag"]
    assert public.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_staff_with_a_session_always_get_a_fresh_page(admin_client, world):
    url = "/cases/fy2018-q3-01/"  # a draft: staff see it, the public does not
    assert Client().get(url).status_code == 404
    for _ in range(2):
        response = admin_client.get(url)
        assert response.status_code == 200 and "X-Page-Cache" not in response
    assert Client().get(url).status_code == 404


def test_what_is_never_cached(public, world):
    export = public.get("/cases/?_export=csv")
    assert "X-Page-Cache" not in export and export["Cache-Control"] == "no-store"
    assert "X-Page-Cache" not in public.get("/cases/?quarter=FY2018-Q2")  # a redirect to the canonical URL
    assert "X-Page-Cache" not in public.get("/no-such-page/")
    assert "X-Page-Cache" not in public.get(reverse("healthz"))
    assert "X-Page-Cache" not in public.get("/" + "admin/login/")
    public.cookies["messages"] = "x"
    assert "X-Page-Cache" not in public.get(SHARED)


def test_the_page_cache_can_be_turned_off(public, world, no_page_cache):
    assert "X-Page-Cache" not in public.get(SHARED)
    assert "X-Page-Cache" not in public.get(SHARED)


def test_last_modified_is_when_a_published_report_last_changed(world):
    """``latest_publication`` reads the time in SQL written out (every page asks): it must
    give what the ORM gives, on both engines, and nothing when no report is published."""
    import datetime as dt

    from django.core.cache import cache
    from django.db.models import Max
    from django.utils.http import http_date

    from cases import dataversion
    from cases.models import Report

    def orm():
        return Report.objects.published().aggregate(at=Max("updated_at"))["at"]

    assert orm() is not None
    at = dataversion.latest_publication()
    assert at == orm() and at.utcoffset() == dt.timedelta(0)
    later = dt.datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)
    Report.objects.filter(status=ReportStatus.PUBLISHED).update(updated_at=later)
    Report.objects.exclude(status=ReportStatus.PUBLISHED).update(updated_at=later + dt.timedelta(days=1))
    assert dataversion.latest_publication() == later == orm()
    cache.delete(dataversion.AS_OF_KEY)  # as after a restart: bump() keeps the time of a change
    response = Client().get("/about/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Last-Modified"] == http_date(later.timestamp())
    Report.objects.update(status=ReportStatus.DRAFT)
    assert dataversion.latest_publication() is None
