"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_with_settings(code, env):
    """Run ``code`` in a new Python with the project's settings module and exactly ``env``."""
    setup = "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'detainers.settings')\n"
    return subprocess.run([sys.executable, "-c", setup + code], cwd=ROOT, env=env, capture_output=True, text=True)


def test_debug_off_without_secret_key_or_hosts_names_both_variables():
    result = run_check(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS" in result.stderr


def test_debug_off_without_hosts_names_only_that_variable():
    result = run_check(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "are required: DJANGO_ALLOWED_HOSTS" in result.stderr


def test_debug_off_with_both_starts():
    result = run_check(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr


def test_a_bad_boolean_is_a_clear_error():
    result = run_check(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false, not 'maybe'" in result.stderr


def test_wsgi_defaults_to_production(monkeypatch):
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    code = "import detainers.wsgi"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_DEBUG is off" in result.stderr


def test_wsgi_loads_every_view_then_freezes_what_it_has_loaded():
    """A gunicorn worker keeps what detainers.wsgi loads for its whole life: frozen, the garbage
    collector no longer walks it at every full collection (bench/gc_pause.py)."""
    code = (
        "import gc, detainers.wsgi\n"
        "from django.urls import get_resolver\n"
        "resolver = get_resolver()\n"
        "loaded = 'url_patterns' in resolver.__dict__\n"
        "collected = {id(o) for o in gc.get_objects()}  # every generation but the frozen objects\n"
        "print(loaded, gc.get_freeze_count(), id(resolver) in collected, id(resolver.url_patterns) in collected)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env = {**clean, "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "localhost"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded, frozen, resolver_collected, patterns_collected = result.stdout.split()
    assert loaded == "True", "the URLconf (and with it every view) is loaded before the freeze"
    assert int(frozen) > 50_000
    assert (resolver_collected, patterns_collected) == ("False", "False")


@pytest.mark.parametrize(
    ("url", "engine"),
    [("", "django.db.backends.sqlite3"), ("postgres://u@127.0.0.1:5432/x", "django.db.backends.postgresql")],
)
def test_database_url_selects_the_engine(url, engine):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    if url:
        clean["DATABASE_URL"] = url
    result = run_with_settings(
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])", clean
    )
    assert result.stdout.strip() == engine, result.stderr


@pytest.mark.parametrize(("max_age", "kept"), [(None, True), ("0", False)])
def test_a_sqlite_connection_is_kept_between_requests_unless_its_age_is_zero(tmp_path, max_age, kept):
    """Opening an SQLite connection per request (with its PRAGMAs, schema read and empty page
    cache) cost about 2 ms a page; it is kept DATABASE_CONN_MAX_AGE seconds, as on PostgreSQL."""
    code = (
        "import django; django.setup()\n"
        "from django.core.signals import request_finished, request_started\n"
        "from django.db import connection\n"
        "request_started.send(sender=None); connection.ensure_connection(); first = connection.connection\n"
        "request_finished.send(sender=None); request_started.send(sender=None)\n"
        "print(connection.connection is first, connection.connection is None)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'kept.sqlite3'}"
    if max_age is not None:
        env["DATABASE_CONN_MAX_AGE"] = max_age
    result = run_with_settings(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == (["True", "False"] if kept else ["False", "True"])


def storage_backend(**env):
    code = "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_STORAGE", "AWS_"))}
    return run_with_settings(code, {**clean, **env})


def test_uploads_go_to_local_disk_by_default_and_s3_when_configured():
    assert storage_backend().stdout.strip() == "django.core.files.storage.FileSystemStorage"
    s3 = storage_backend(DJANGO_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="detainers-docs")
    assert s3.stdout.strip() == "storages.backends.s3.S3Storage", s3.stderr
    missing = storage_backend(DJANGO_STORAGE="s3")
    assert missing.returncode != 0 and "needs AWS_STORAGE_BUCKET_NAME" in missing.stderr
