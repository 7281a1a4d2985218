"""Each SQL statement of a page, timed on its own: how much of a page is the database's.

The page is requested once through the WSGI application (production settings, caches
off, as in bench/inprocess.py) to record its statements. Each is then run again --rounds
times on the same connection, once through psycopg's client-side cursor alone and once
through Django's cursor, and the medians are printed with the statement's opening, with
the round trip of a trivial statement for scale (PostgreSQL only). Both run each statement
unprepared, with its parameters bound on the client: a statement the page prepares on the
server (cases/precompiled.py: the case page's statements and a filter's slugs) is planned
here every time, so its figure is an upper bound of what the page spends on it.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/detainers_bench \\
    .venv/bin/python bench/statements.py '/cases/?quarter=fy2026-q4&agency=synthetic-0001-ca&charge=dangerous-drugs'
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import inprocess  # sets the environment before Django starts


def median_ms(rounds, run, *args):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    import psycopg
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("statements.py times PostgreSQL statements: set DATABASE_URL to a PostgreSQL database")
    application = get_wsgi_application()
    inprocess.request(application, args.url)  # warm up: the connection, the URLconf, the templates
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        status, size = inprocess.request(application, args.url)
    print(f"{args.url}: {status}, {size:,} bytes, {len(statements)} statements")

    raw = connection.connection

    def run_raw(sql, params):
        cursor = psycopg.ClientCursor(raw)
        cursor.execute(sql, params)
        while cursor.nextset():
            pass

    def run_django(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    total_raw = total_django = 0.0
    print(f"{'psycopg ms':>10}  {'Django ms':>9}  statement")
    for sql, params in statements:
        raw_ms = median_ms(args.rounds, run_raw, sql, params)
        django_ms = median_ms(args.rounds, run_django, sql, params)
        total_raw += raw_ms
        total_django += django_ms
        print(f"{raw_ms:10.2f}  {django_ms:9.2f}  {' '.join(sql.split())[:100]}")
    trivial = median_ms(args.rounds * 10, run_raw, "SELECT 1", None)
    print(f"{total_raw:10.2f}  {total_django:9.2f}  in all")
    print(f"{trivial:10.2f}  {'':9}  a round trip (SELECT 1), for scale")


if __name__ == "__main__":
    main()
