"""The optional read replica (DATABASE_REPLICA_URL, detainers/replica.py): public reads go
to it; writes, staff, admin and everything outside a request stay on the primary; nothing
a lagging replica computed is cached under the new data version.

The routing rules are tested everywhere. The tests marked ``replica`` run the site with
both aliases pointing at the local server: the PostgreSQL run of ``make test`` sets
DATABASE_REPLICA_URL to the test database, and Django opens the replica as a second
connection to it (a test mirror). They are skipped, with that reason, where it is unset.
"""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import dataversion
from cases.models import Correction, Detainer, Report
from detainers import replica
from tests.staff import unchanged_form_data

ROOT = Path(__file__).resolve().parent.parent
HAS_REPLICA = bool(os.environ.get("DATABASE_REPLICA_URL"))
needs_replica = pytest.mark.skipif(
    not HAS_REPLICA,
    reason="needs DATABASE_REPLICA_URL: the PostgreSQL run of make test sets it to the test database",
)
factory = RequestFactory()
router = replica.PrimaryReplicaRouter()


@pytest.mark.parametrize(
    ("method", "path", "cookies", "expected"),
    [
        ("get", "/cases/", {}, True),
        ("head", "/cases/", {}, True),
        ("get", "/cases/", {"csrftoken": "x"}, True),
        ("get", "/cases/", {"sessionid": "x"}, False),  # staff: their own writes, at once
        ("get", "/cases/", {"messages": "x"}, False),
        ("post", "/cases/", {}, False),
        ("get", "/admin/cases/detainer/", {}, False),
        ("get", "/admin/login/", {}, False),
        ("get", "/_nested_admin/server-data.js", {}, False),
    ],
)
def test_which_requests_read_from_the_replica(method, path, cookies, expected):
    request = getattr(factory, method)(path)
    request.COOKIES.update(cookies)
    assert replica.is_public_read(request) is expected


def test_the_router_reads_from_the_replica_only_inside_a_public_read(monkeypatch):
    monkeypatch.setattr(replica, "configured", lambda: True)
    seen = {}

    def view(request):
        seen[request.method] = (router.db_for_read(Detainer), router.db_for_write(Detainer))
        return HttpResponse("ok")

    middleware = replica.ReplicaReadsMiddleware(view)
    middleware(factory.get("/cases/"))
    middleware(factory.post("/cases/"))
    assert seen == {"GET": ("replica", "default"), "POST": ("default", "default")}
    # Outside a request (commands, the shell, background work): the primary.
    assert router.db_for_read(Detainer) == DEFAULT_DB_ALIAS
    assert replica.reading_replica() is False


def test_without_a_replica_every_read_stays_on_the_primary(monkeypatch):
    monkeypatch.setattr(replica, "configured", lambda: False)
    seen = []
    middleware = replica.ReplicaReadsMiddleware(lambda request: seen.append(router.db_for_read(Detainer)) or "ok")
    middleware(factory.get("/cases/"))
    assert seen == [DEFAULT_DB_ALIAS]


def test_a_streamed_response_reads_its_rows_from_the_replica(monkeypatch):
    """An export's rows are read after the view returns, while the response is sent."""
    monkeypatch.setattr(replica, "configured", lambda: True)

    def rows():
        for _ in range(3):
            yield router.db_for_read(Detainer)

    response = replica.ReplicaReadsMiddleware(lambda request: StreamingHttpResponse(rows()))(factory.get("/cases/"))
    assert replica.reading_replica() is False  # between the view and the first row
    assert [chunk.decode() for chunk in response.streaming_content] == ["replica"] * 3
    assert replica.reading_replica() is False


def test_the_migrations_and_every_write_go_to_the_primary():
    assert router.allow_migrate("default", "cases") is True
    assert router.allow_migrate("replica", "cases") is False
    assert router.db_for_write(Report) == DEFAULT_DB_ALIAS


def _changed_seconds_ago(seconds):
    cache.set(dataversion.AS_OF_KEY, timezone.now() - dt.timedelta(seconds=seconds), timeout=None)


@pytest.mark.parametrize(("seconds_ago", "reading_replica", "kept"), [(1, True, 0), (31, True, 60), (1, False, 60)])
def test_nothing_read_from_the_replica_soon_after_a_change_is_cached(
    settings, monkeypatch, seconds_ago, reading_replica, kept
):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 30
    monkeypatch.setattr(replica, "reading_replica", lambda: reading_replica)
    _changed_seconds_ago(seconds_ago)
    assert dataversion.cache_seconds(60) == kept


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_bumps_the_version_again_once_it_is_committed(world):
    """A page read between the save and the commit is cached under the first bump: the
    second, after the commit, retires it. One extra bump per transaction, however many saves."""
    reports = list(Report.objects.all())
    before = dataversion.current()
    with transaction.atomic():
        for report in reports:
            report.save()
        during = dataversion.current()
    assert during == before + len(reports) and len(reports) == 3
    assert dataversion.current() == during + 1
    with transaction.atomic():
        reports[0].save()
        with transaction.atomic():
            reports[1].save()  # in a savepoint, under the callback already registered
    assert dataversion.current() == during + 1 + 2 + 1


def run_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    code = "from django.conf import settings as s; print(s.DATABASES['replica']['TEST']['MIRROR'], s.DATABASE_ROUTERS)"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_replica_is_configured_by_its_url():
    url = "postgres://postgres@127.0.0.1:5432/x"
    result = run_settings(DATABASE_URL=url, DATABASE_REPLICA_URL=url)
    assert result.returncode == 0, result.stderr
    assert "default ['detainers.replica.PrimaryReplicaRouter']" in result.stdout


def test_a_replica_of_another_kind_of_database_is_a_clear_error():
    result = run_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/x", DATABASE_REPLICA_URL="sqlite:///r.db")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must name the same kind of database as DATABASE_URL" in result.stderr


def on_both(test):
    """With both aliases pointing at the local server. transaction=True: the replica is a
    second connection, which sees only committed rows."""
    for mark in (
        pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"]),
        pytest.mark.replica,
        needs_replica,
    ):
        test = mark(test)
    return test


def _queries(send):
    primary, copy = CaptureQueriesContext(connections["default"]), CaptureQueriesContext(connections["replica"])
    with primary, copy:
        response = send()
        if response.streaming:
            b"".join(response.streaming_content)
    return response, len(primary), len(copy)


@pytest.mark.parametrize(
    "url", ["/cases/", "/cases/?quarter=fy2018-q2", "/cases/fy2018-q2-01/", "/stats/", "/cases/?_export=csv"]
)
@on_both
def test_public_pages_read_only_from_the_replica(public, world, no_page_cache, url):
    response, on_primary, on_replica = _queries(lambda: public.get(url, secure=True))
    assert response.status_code == 200
    assert on_replica > 0
    assert on_primary == 0


@on_both
def test_staff_and_the_admin_read_from_the_primary(admin_client, world, no_page_cache):
    for url in ["/cases/", "/cases/fy2018-q2-01/", reverse("admin:cases_detainer_changelist")]:
        response, on_primary, on_replica = _queries(lambda url=url: admin_client.get(url, secure=True))
        assert response.status_code == 200, url
        assert on_primary > 0 and on_replica == 0, url


@on_both
def test_a_correction_is_written_to_the_primary_and_read_back_by_the_public(editor, public, world):
    case = Detainer.objects.get(case_id="fy2018-q2-01")
    url = reverse("admin:cases_detainer_change", args=[case.pk])
    page, on_primary, on_replica = _queries(lambda: editor.get(url, secure=True))
    assert page.status_code == 200 and on_primary > 0 and on_replica == 0
    data = unchanged_form_data(
        page,
        verification_status="retracted",
        correction_date="2019-08-02",
        correction_what_changed="This case was retracted.",
        correction_reason="The agency showed the person was held for another county.",
        correction_source="Letter from the agency, 1 Aug 2019",
    )
    response, on_primary, on_replica = _queries(lambda: editor.post(url, data, secure=True))
    assert response.status_code == 302
    assert on_primary > 0 and on_replica == 0
    assert Correction.objects.filter(detainer=case, what_changed="This case was retracted.").exists()
    html = public.get(case.get_absolute_url(), secure=True).content.decode()
    assert "The agency showed the person was held for another county." in html


@on_both
def test_a_page_read_from_the_replica_is_cached_only_once_the_change_has_settled(public, world, settings):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 30
    _changed_seconds_ago(1)
    assert [public.get("/cases/", secure=True)["X-Page-Cache"] for _ in range(2)] == ["miss", "miss"]
    _changed_seconds_ago(31)
    assert [public.get("/cases/", secure=True)["X-Page-Cache"] for _ in range(2)] == ["miss", "hit"]


@on_both
def test_the_health_check_checks_the_replica_too(public):
    body = public.get(reverse("healthz")).json()
    assert body["database"] == "ok" and body["replica"] == "ok" and body["status"] == "ok"
