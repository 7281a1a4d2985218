"""The streamed CSV (and JSON) export: time to first byte, total time, rows per second and the
worker's memory, at two sizes, to show that memory stays flat as the row count grows.

  .venv/bin/python bench/export_memory.py                     # PostgreSQL, 100,000 cases
  .venv/bin/python bench/export_memory.py --engine sqlite --cases 100000

1. Fills a separate database (detainers_export_bench, or bench/data/export-<n>.sqlite3) with
   synthetic cases: generate_synthetic.
2. For each export (the largest quarters, about a tenth of the cases; then every case), starts a
   fresh gunicorn with one sync worker and production settings, warms it with one small
   page, then downloads the export while sampling the worker's VmRSS from /proc every 10 ms.
3. Prints a table and saves bench/results/export-memory-<engine>-<cases>.json.
Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

ROOT = common.ROOT


def prepare(engine, cases, seed):
    pg_url = os.environ.get("EXPORT_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/detainers_export_bench")
    return common.prepare_database(engine, cases, seed, pg_url=pg_url, sqlite_name=f"export-{cases}.sqlite3")


def worker_pid(master):
    for _ in range(100):
        children = subprocess.run(["ps", "--ppid", str(master.pid), "-o", "pid="], capture_output=True, text=True)
        pids = [int(p) for p in children.stdout.split()]
        if pids:
            return pids[0]
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker found")


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.samples, self.running = pid, [], True

    def run(self):
        while self.running:
            try:
                self.samples.append(status_kb(self.pid, "VmRSS"))
            except OSError:
                return
            time.sleep(0.01)


def download(url):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    started = time.perf_counter()
    first_byte, lines, size = None, 0, 0
    with urllib.request.urlopen(request, timeout=1200) as response:
        # read1: whatever has arrived, so the first byte is timed when it arrives
        while chunk := response.read1(65536):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            lines += chunk.count(b"\n")
            size += len(chunk)
    return first_byte, time.perf_counter() - started, lines, size


def measure(env, path, fmt):
    port = common.free_port()
    with common.gunicorn(env, port, workers=1, extra_args=["--timeout", "1200"]) as (master, base):
        pid = worker_pid(master)
        common.get(base + "/agencies/")  # warm: imports, templates, a connection
        before = status_kb(pid, "VmRSS")
        sampler = Sampler(pid)
        sampler.start()
        ttfb, total, lines, size = download(f"{base}{path}{'&' if '?' in path else '?'}_export={fmt}")
        sampler.running = False
        sampler.join()
        peak = max(sampler.samples + [status_kb(pid, "VmRSS")])
        hwm = status_kb(pid, "VmHWM")
    rows = lines - 1 if fmt == "csv" else lines  # CSV: a header line; JSON: one result per line
    return {
        "path": path,
        "format": fmt,
        "rows": rows,
        "bytes": size,
        "ttfb_ms": round(ttfb * 1000, 1),
        "total_s": round(total, 2),
        "rows_per_s": round(rows / total),
        "rss_before_mb": round(before / 1024, 1),
        "rss_peak_mb": round(peak / 1024, 1),
        "rss_growth_mb": round((peak - before) / 1024, 1),
        "vm_hwm_mb": round(hwm / 1024, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default="csv,json")
    args = parser.parse_args()
    env = prepare(args.engine, args.cases, args.seed)
    # The largest quarters until about a tenth of the cases: the small export to compare with.
    counts = (
        common.manage(
            env,
            "shell",
            "-c",
            "import json; from cases.models import Detainer; "
            "print(json.dumps([(r['quarter'], r['n']) for r in Detainer.objects.published().count_by('quarter')]))",
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    chosen, total = [], 0
    for quarter, n in json.loads(counts):
        if total >= args.cases // 10:
            break
        chosen.append(quarter)
        total += n
    small = "/cases/?" + "&".join(f"quarter={q}" for q in sorted(chosen))
    results = []
    for fmt in args.formats.split(","):
        for path in (small, "/cases/"):
            common.log(f"exporting {path} as {fmt}")
            results.append(measure(env, path, fmt))
            common.log(f"  {results[-1]}")
    lines = [
        f"Export of synthetic cases, {args.engine}, {args.cases:,} in the database; one gunicorn sync worker.",
        "",
        "| export | format | rows | first byte | total | rows/s | worker RSS before | peak | growth | VmHWM |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['path']} | {r['format']} | {r['rows']:,} | {r['ttfb_ms']:.0f} ms | {r['total_s']:.1f} s | "
            f"{r['rows_per_s']:,} | {r['rss_before_mb']} MB | {r['rss_peak_mb']} MB | {r['rss_growth_mb']} MB | "
            f"{r['vm_hwm_mb']} MB |"
        )
    print("\n".join(lines))
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    out = common.RESULTS / f"export-memory-{args.engine}-{args.cases}.json"
    out.write_text(json.dumps({"args": vars(args), "results": results}, indent=2))
    (out.with_suffix(".md")).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
