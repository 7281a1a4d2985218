"""With REDIS_URL set, the cache is Redis and is shared between processes (workers)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_TEST_URL", "")

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="set REDIS_TEST_URL (CI does) to test the Redis cache")


def run(code):
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "detainers.settings"}
    script = f"import django; django.setup(); from django.core.cache import cache; {code}"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_redis_cache_is_shared_between_processes():
    backend = run("from django.conf import settings; print(settings.CACHES['default']['BACKEND'])")
    assert backend == "django.core.cache.backends.redis.RedisCache"
    run("cache.set('shared-check', 'written by process one', 60)")
    assert run("print(cache.get('shared-check'))") == "written by process one"
    # The data version that keys cached statistics and counts is shared too.
    before = int(run("from cases import dataversion; print(dataversion.current())"))
    run("from cases import dataversion; dataversion.bump()")
    assert int(run("from cases import dataversion; print(dataversion.current())")) == before + 1
