"""Database guarantees: slow queries are cut off, and constraints hold against the raw ORM."""

import re
import time
from pathlib import Path

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from cases.models import Agency, Correction, Detainer

from .factories import AgencyFactory, ReportFactory, make_case

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def gunicorn_timeout():
    return int(re.search(r'GUNICORN_TIMEOUT", (\d+)', (ROOT / "gunicorn.conf.py").read_text())[1])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is a PostgreSQL setting")
def test_a_slow_query_is_cancelled_below_the_gunicorn_timeout(settings):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        configured = cursor.fetchone()[0]
    seconds = int(configured.rstrip("ms").rstrip("s")) / (1000 if configured.endswith("ms") else 1)
    assert 0 < seconds < gunicorn_timeout()
    started = time.monotonic()
    with pytest.raises(OperationalError, match="statement timeout"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT pg_sleep(%s)", [seconds + 5])
    assert time.monotonic() - started < seconds + 2


def test_raw_orm_writes_that_break_constraints_fail():
    case = make_case(ReportFactory(), 1)
    attempts = [
        lambda: Agency.objects.create(name="X", slug="x-tx", agency_type="police", state="TX", ori="CA0000001"),
        lambda: Detainer.objects.filter(pk=case.pk).update(row=None),
        lambda: Detainer.objects.filter(pk=case.pk).update(released_on="2017-01-01"),
        lambda: Correction.objects.create(what_changed="x", reason="y", source="z"),
        lambda: AgencyFactory(name=case.declining_agency.name, state=case.declining_agency.state, slug="dupe"),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    case.refresh_from_db()
    assert case.row == 1


def test_a_request_that_writes_runs_in_one_transaction():
    """A view that writes and then fails leaves nothing behind; a GET is left alone."""
    from django.test import RequestFactory

    from cases.models import Agency
    from detainers.middleware import AtomicWritesMiddleware

    def writes_then_fails(request):
        AgencyFactory(name="Half Written", slug="half-written-ca")
        raise RuntimeError("failure after the first write")

    middleware = AtomicWritesMiddleware(lambda request: None)
    with pytest.raises(RuntimeError):
        middleware.process_view(RequestFactory().post("/x/"), writes_then_fails, (), {})
    assert not Agency.objects.filter(slug="half-written-ca").exists()
    assert middleware.process_view(RequestFactory().get("/x/"), writes_then_fails, (), {}) is None


def test_a_failing_admin_save_writes_nothing(admin_client, monkeypatch):
    """An error after the first write of a request rolls the whole request back."""
    from django.urls import reverse

    from cases.models import Agency
    from cases.services import derive

    case = make_case(ReportFactory(), 1)
    agency = case.declining_agency

    def explode(*args, **kwargs):
        raise RuntimeError("failure after the agency row was written")

    monkeypatch.setattr(derive, "agency_changed", explode)
    from .support.adminform import form_data

    url = reverse("admin:cases_agency_change", args=[agency.pk])
    admin_client.raise_request_exception = False
    response = admin_client.post(url, form_data(admin_client.get(url), "agency_form", city="Never Saved"))
    assert response.status_code == 500
    assert Agency.objects.get(pk=agency.pk).city == "Testville"
    assert agency.history.count() == 1
