"""Run the real production stack for a test: gunicorn, DJANGO_DEBUG=false, collected
static files, on a port of this machine only."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, static_root: str, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_TRUST_X_FORWARDED_PROTO="true",
        DJANGO_STATIC_ROOT=static_root,
        DATABASE_URL=database_url,
        **extra,
    )
    return env


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def wait_for(url: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextmanager
def production_server(wsgi="detainers.wsgi:application", workers=1, setup=(), **extra_env):
    """Yield (base_url, env) for a gunicorn server on a fresh SQLite database with sample data.
    ``setup`` is a list of extra management commands (argument lists) run before it starts."""
    with tempfile.TemporaryDirectory() as tmp:
        extra_env.setdefault("DJANGO_MEDIA_ROOT", f"{tmp}/media")
        env = production_env(f"sqlite:///{tmp}/site.sqlite3", f"{tmp}/static", **extra_env)
        manage(env, "migrate", "--no-input")
        manage(env, "load_sample_data")
        for command in setup:
            manage(env, *command)
        manage(env, "collectstatic", "--no-input")
        port = free_port()
        server = subprocess.Popen(
            [str(GUNICORN), wsgi, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(f"{base}/healthz")
            yield base, env
        finally:
            server.terminate()
            server.wait(timeout=10)
