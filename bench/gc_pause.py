"""Garbage-collection pauses in a worker, by what it has frozen (``gc.freeze``) before serving.

  .venv/bin/python bench/gc_pause.py                                  # PostgreSQL, 1,000,000 cases
  .venv/bin/python bench/gc_pause.py --engine sqlite --cases 100000

Three ways to start a worker, each in a fresh process:
- ``not frozen``: Django's own WSGI application, nothing frozen;
- ``frozen at setup``: frozen once Django is set up; the URLconf and the views load later,
  on the first request (detainers/wsgi.py until December 2026);
- ``detainers/wsgi.py``: gunicorn's entry point as it is.
Each then warms every URL of `make bench`'s mix once and serves the mix ``--rounds`` times
in-process (Django's test client, production settings, `make bench`'s database, filled by
it if needed), timing every collection of each generation with ``gc.callbacks``. Prints a
table and saves bench/results/gc-pause-<engine>-<cases>.json. The modes run one after the
other in one go: the machines are noisy.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

import bench

MODES = ("not frozen", "frozen at setup", "detainers/wsgi.py")


def child(mode, paths, rounds):
    sys.path.insert(0, str(common.ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detainers.settings")
    if mode == "detainers/wsgi.py":
        import detainers.wsgi  # noqa: F401
    else:
        from django.core.wsgi import get_wsgi_application

        get_wsgi_application()
        if mode == "frozen at setup":
            gc.collect()
            gc.freeze()
    from django.test import Client

    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    for path in paths:
        client.get(path)
    pauses, started = {0: [], 1: [], 2: []}, []

    def timed(phase, info):
        if phase == "start":
            started.append(time.perf_counter())
        else:
            pauses[info["generation"]].append((time.perf_counter() - started.pop()) * 1000)

    gc.callbacks.append(timed)
    requests = []
    for _ in range(rounds):
        for path in paths:
            began = time.perf_counter()
            assert client.get(path).status_code == 200, path
            requests.append((time.perf_counter() - began) * 1000)
    gc.callbacks.remove(timed)
    requests.sort()
    print(json.dumps({
        "mode": mode, "frozen_objects": gc.get_freeze_count(), "requests": len(requests),
        "request_p50_ms": statistics.median(requests), "request_p99_ms": requests[int(len(requests) * 0.99)],
        "gc_ms_per_request": sum(map(sum, pauses.values())) / len(requests),
        "generations": {g: {"collections": len(p), "median_ms": statistics.median(p) if p else 0,
                            "max_ms": max(p, default=0)} for g, p in pauses.items()},
    }))  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=8, help="passes over the URL mix per mode")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, json.loads(os.environ["GC_BENCH_PATHS"]), args.rounds)

    env = bench.prepare_database(args.engine, args.cases, args.seed)
    # The slowest views are left out (the search, unfiltered statistics, and a charge or a
    # citizenship alone): they would set the time on their own.
    slow = ("list, search", "stats, unfiltered", "list, 1 filter (charge)", "list, 1 filter (citizenship)")
    paths = [path for label, path in bench.url_mix(bench.sample_values(env), args.cases) if not label.startswith(slow)]
    env = {**env, "GC_BENCH_PATHS": json.dumps(paths), "DJANGO_CACHE": "off"}
    results = []
    for mode in MODES:
        common.log(f"{mode}: {len(paths)} URLs × {args.rounds}")
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--rounds", str(args.rounds)],
            env=env, cwd=common.ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    lines = [
        f"### GC pauses, {args.engine}, {args.cases:,} cases, {len(paths)} URLs × {args.rounds}",
        "",
        "| worker | frozen objects | request p50 ms | request p99 ms | GC ms per request "
        "| gen 0: n, median ms | gen 1: n, median ms | gen 2: n, median ms, max ms |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for r in results:
        g = {int(k): v for k, v in r["generations"].items()}
        lines.append(
            f"| {r['mode']} | {r['frozen_objects']:,} | {r['request_p50_ms']:.1f} | {r['request_p99_ms']:.1f} "
            f"| {r['gc_ms_per_request']:.2f} | {g[0]['collections']}, {g[0]['median_ms']:.2f} "
            f"| {g[1]['collections']}, {g[1]['median_ms']:.2f} "
            f"| {g[2]['collections']}, {g[2]['median_ms']:.1f}, {g[2]['max_ms']:.1f} |"
        )
    print("\n".join(lines))
    common.save(f"gc-pause-{args.engine}-{args.cases}", {"args": vars(args), "results": results, "table": lines})


if __name__ == "__main__":
    main()
