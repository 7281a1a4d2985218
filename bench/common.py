"""Shared pieces of the benchmark and fault scripts: a production gunicorn server on
loopback, wrk runs, and result tables. Every load stays on 127.0.0.1 and is bounded in time."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
RESULTS = ROOT / "bench" / "results"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_reference_ms(rounds=7):
    """The median time of a fixed piece of pure Python (summing 2,000,000 integers in a loop):
    saved with each run, so that runs on machines of different speed can be compared."""

    def once():
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        return time.perf_counter() - started

    return statistics.median(once() for _ in range(rounds)) * 1000


def log(message):
    print(message, file=sys.stderr, flush=True)


def production_env(database_url, static_root, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_TRUST_X_FORWARDED_PROTO="true",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(env, *args, check=True):
    return subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=check, capture_output=True, text=True
    )


def psql(sql, url=PG_ADMIN_URL):
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True, capture_output=True)


def recreate_pg_database(name):
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def get(url, timeout=10, **headers):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", **headers})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return status, body, time.perf_counter() - started


def wait_until(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(interval)
    return False


@contextmanager
def gunicorn(env, port, workers=2, threads=4, extra_args=()):
    static_root = Path(env["DJANGO_STATIC_ROOT"])
    if not (static_root / "staticfiles.json").exists():
        manage(env, "collectstatic", "--no-input")
    process = subprocess.Popen(
        [str(GUNICORN), "detainers.wsgi", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--access-logfile", "/dev/null", *extra_args],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: get(base + "/healthz")[0] == 200, timeout=30):
            raise RuntimeError("gunicorn did not become healthy")
        yield process, base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wrk(base, paths, *, seconds, connections, threads=2, cookie=None):
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    env = {**os.environ, "WRK_PATHS": ",".join(paths)}
    if cookie:
        env["WRK_COOKIE"] = cookie
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
         "-s", str(ROOT / "bench" / "mix.lua"), base],
        env=env, capture_output=True, text=True, timeout=seconds + 60,
    )  # fmt: skip
    summary, statuses = {}, {}
    for line in result.stdout.splitlines():
        if line.startswith("SUMMARY_JSON "):
            summary = json.loads(line.split(" ", 1)[1])
        elif line.startswith("STATUS_JSON "):
            statuses = json.loads(line.split(" ", 1)[1])
    if not summary:
        raise RuntimeError(f"wrk failed: {result.stderr or result.stdout}")
    summary["statuses"] = statuses
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    summary["errors"] = sum(summary[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    summary["status_5xx"] = sum(n for code, n in statuses.items() if code.startswith("5"))
    return summary


def timed_get(url, cookie=None, timeout=120):
    """Milliseconds for one GET, the whole body read."""
    headers = {"X-Forwarded-Proto": "https", **({"Cookie": cookie} if cookie else {})}
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def median_ms(samples):
    return statistics.median(samples) * 1000


def save(name, data):
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def temp_dir(prefix):
    return Path(tempfile.mkdtemp(prefix=prefix))


def prepare_database(engine, cases, seed, *, pg_url, sqlite_name):
    """A migrated benchmark database holding exactly ``cases`` synthetic cases, and its env."""
    if engine == "postgres":
        name = pg_url.rsplit("/", 1)[1]
        exists = subprocess.run(
            ["psql", PG_ADMIN_URL, "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        if not exists:
            psql(f'CREATE DATABASE "{name}"')
        url = pg_url
    else:
        path = ROOT / "bench" / "data" / sqlite_name
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    env = production_env(url, ROOT / "bench" / "data" / "static")
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input")
    count = manage(env, "shell", "-c", "from cases.models import Detainer; print(Detainer.objects.count())")
    if int(count.stdout.strip().splitlines()[-1]) != cases:
        log(f"generating {cases:,} synthetic cases")
        started = time.perf_counter()
        manage(env, "generate_synthetic", "--cases", str(cases), "--seed", str(seed), "--replace")
        log(f"  generated in {time.perf_counter() - started:.0f} s")
        if engine == "postgres":
            # As autovacuum would in time: pages marked all-visible serve index-only scans.
            psql("VACUUM (ANALYZE)", url=url)
    return env
