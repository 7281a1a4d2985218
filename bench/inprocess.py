"""Time public pages in-process, through the same WSGI application and middleware that
gunicorn serves, with production settings and every cache off: no network, no load
generator, so a change of a millisecond shows through the noise of a shared machine.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/detainers_bench \\
    .venv/bin/python bench/inprocess.py --rounds 200 /cases/ /cases/fy2018-q2-01/

Each URL is requested once to warm up, then --rounds times in turns (URL 1, URL 2, ...,
URL 1, ...) so that a slow moment of the machine falls on every URL alike. Prints the
median and p90 in milliseconds and, with --profile, the functions that took the most
time for the first URL.

With --python-writer, each URL is also timed, in the same turns, with PostgreSQL's COPY
off (cases/csvcopy.py), so the CSV module writes every line:

  DATABASE_URL=... .venv/bin/python bench/inprocess.py --rounds 5 --python-writer '/cases/?_export=csv'
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detainers.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("DJANGO_TRUST_X_FORWARDED_PROTO", "true")
os.environ.setdefault("DJANGO_CACHE", "off")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_STATIC_ROOT", str(Path(__file__).resolve().parent / "data" / "static"))


def environ_for(url):
    path, _, query = url.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def request(application, url):
    """The status line and the body's size; the body is read to its end, as a client would."""
    status = []
    body = application(environ_for(url), lambda s, headers, exc_info=None: status.append(s))
    try:
        size = sum(len(chunk) for chunk in body)
    finally:
        getattr(body, "close", lambda: None)()
    return status[0], size


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="profile the first URL and print the top functions")
    parser.add_argument("--callees", help="with --profile: also what the functions matching this pattern called")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key (tottime, cumulative)")
    parser.add_argument("--python-writer", action="store_true", help="also time each URL with the CSV module writing")
    args = parser.parse_args()

    from detainers.wsgi import application  # freezes the loaded objects, as under gunicorn

    for url in args.urls:
        status, size = request(application, url)
        if not status.startswith("200"):
            sys.exit(f"{url}: {status}")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.rounds):
            request(application, args.urls[0])
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        stats.print_stats(40)
        if args.callees:
            stats.print_callees(args.callees)
        return
    from cases import csvcopy

    applies = csvcopy.applies
    modes = ("", " [python writer]") if args.python_writer else ("",)
    samples = {url + mode: [] for url in args.urls for mode in modes}
    for _ in range(args.rounds):
        for url in args.urls:
            for mode in modes:
                csvcopy.applies = (lambda queryset: False) if mode else applies
                started = time.perf_counter()
                request(application, url)
                samples[url + mode].append((time.perf_counter() - started) * 1000)
    width = max(len(key) for key in samples)
    print(f"{'url':<{width}}  median ms  p90 ms")
    for key, times in samples.items():
        p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
        print(f"{key:<{width}}  {statistics.median(times):9.2f}  {p90:6.2f}")


if __name__ == "__main__":
    main()
