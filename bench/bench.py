"""`make bench`: the public pages under load, measured against Datasette in the same run.

  .venv/bin/python bench/bench.py --engine postgres --cases 1000000
  .venv/bin/python bench/bench.py --engine sqlite --cases 100000

1. Fills a separate benchmark database with synthetic cases (generate_synthetic), unless
   it already holds exactly that many.
2. Starts gunicorn with production settings: one worker, not recycled during the run, one
   database connection, every cache off (DJANGO_CACHE=off).
3. For each URL of the mix, runs wrk with one connection for --seconds and records p50,
   p99, requests per second and bytes per response; counts SQL queries per page in-process.
   Then, with the caches on, the pages whose target allows a cache: /stats/ unfiltered and
   a repeated shared link (the whole-page cache).
4. Exports the same cases to SQLite and serves them with Datasette (.venv-bench), and
   measures its table page with the equivalent filters and facets.
5. Prints the table, with our p50 divided by Datasette's, and saves
   bench/results/bench-<engine>-<cases>.json and .md.
Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

ROOT = common.ROOT
DATASETTE = ROOT / ".venv-bench" / "bin" / "datasette"


# One worker with one thread, never recycled during the run. gunicorn.conf.py recycles a
# worker after about 2,000 requests (max_requests): with one worker every request then
# waits the half second the new worker takes to import Django, and a short row measured
# through it showed that wait as its p99 (566 ms on a list whose p50 was 14.9, session 20).
# With several workers, as in production, the others answer while one restarts.
ONE_WORKER = {"workers": 1, "threads": 1, "extra_args": ["--max-requests", "0"]}


def prepare_database(engine, cases, seed):
    pg_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/detainers_bench")
    return common.prepare_database(engine, cases, seed, pg_url=pg_url, sqlite_name=f"bench-{cases}.sqlite3")


def sample_values(env):
    code = """
import json
from django.db.models import Count
from cases.models import Detainer, CaseCharge
from cases.tables import CaseTable
quarter = Detainer.objects.values("quarter").annotate(n=Count("id")).order_by("-n").first()["quarter"]
agency = (Detainer.objects.filter(quarter=quarter).values("declining_agency__slug")
          .annotate(n=Count("id")).order_by("-n").first()["declining_agency__slug"])
charge = CaseCharge.objects.values("category__slug").annotate(n=Count("id")).order_by("-n").first()["category__slug"]
citizenship = (Detainer.objects.values("citizenship").annotate(n=Count("id")).order_by("-n").first()["citizenship"])
rare = CaseCharge.objects.values("category__name").annotate(n=Count("id")).order_by("n").first()["category__name"]
case = Detainer.objects.filter(quarter=quarter).order_by("row").values_list("case_id", flat=True).first()
big = Detainer.objects.values("declining_agency__slug").annotate(n=Count("id")).order_by("-n").first()
if big["n"] < 100_000:  # the issue's export is of 100,000 rows: at 100,000 cases, every case
    big = {"declining_agency__slug": None, "n": Detainer.objects.count()}
sortable = [c.name for c in CaseTable([]).columns if c.orderable]
print(json.dumps({"quarter": quarter, "agency": agency, "charge": charge, "case": case, "rare": rare,
                  "citizenship": citizenship,
                  "export_agency": big["declining_agency__slug"], "export_rows": big["n"], "sortable": sortable}))
"""
    out = common.manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1]
    return json.loads(out)


def url_mix(v, total):
    q = urllib.parse.quote
    quarter, agency, charge = q(v["quarter"]), q(v["agency"]), q(v["charge"])
    mix = [
        ("list, unfiltered", "/cases/"),
        ("list, 1 filter (quarter)", f"/cases/?quarter={quarter}"),
        ("list, 2 filters (+agency)", f"/cases/?quarter={quarter}&agency={agency}"),
        ("list, 3 filters (+charge)", f"/cases/?quarter={quarter}&agency={agency}&charge={charge}"),
        # The other single filters, over far more cases: facets that the rollups cannot count.
        ("list, 1 filter (charge)", f"/cases/?charge={charge}"),
        ("list, 1 filter (citizenship)", f"/cases/?citizenship={q(v['citizenship'])}"),
        # Free text: the name of the rarest charge category (a few percent of the cases).
        ("list, search (rarest charge)", f"/cases/?q={urllib.parse.quote_plus(v['rare'].lower())}"),
    ]
    for column in v["sortable"]:
        mix.append((f"sort {column}", f"/cases/?sort={column}"))
        mix.append((f"sort -{column}", f"/cases/?sort=-{column}"))
    deep = max(1, min(total // 50, 10000) - 1)
    mix += [
        ("deep page", f"/cases/?page={deep}"),
        ("case detail", f"/cases/{v['case']}/"),
        ("agency detail", f"/agencies/{v['agency']}/"),
        ("stats, unfiltered", "/stats/"),
        ("stats, filtered", f"/stats/?quarter={q(v['quarter'])}"),
        # What any page costs here, for the targets in milliseconds: the same middleware, and
        # the site's layout with no case data in it.
        ("floor: robots.txt (no template)", "/robots.txt"),
        ("floor: About page (the layout, no case data)", "/about/"),
    ]
    return mix


def cached_mix(v):
    """Pages whose target allows a cache: measured with the caches on (warmed by wrk's first request)."""
    q = urllib.parse.quote
    return [
        # (label, path, cookie): a cookie bypasses the whole-page cache, not the count caches
        ("list, unfiltered (cached counts)", "/cases/", "bench=1"),
        ("stats, unfiltered (cached)", "/stats/", "bench=1"),
        ("shared link, repeated (page cache)", f"/cases/?quarter={q(v['quarter'])}&charge={q(v['charge'])}", None),
    ]


def datasette_mix(v):
    q = urllib.parse.quote
    facets = "_facet=quarter&_facet=agency&_facet=state&_facet=aor&_facet=citizenship"
    return {
        "list, unfiltered": f"/bench/cases?{facets}",
        "list, 1 filter (quarter)": f"/bench/cases?quarter={q(v['quarter'])}&{facets}",
        "list, 2 filters (+agency)": f"/bench/cases?quarter={q(v['quarter'])}&agency={q(v['agency'])}&{facets}",
        "list, 3 filters (+charge)": (
            f"/bench/cases?quarter={q(v['quarter'])}&agency={q(v['agency'])}"
            f"&charges__arraycontains={q(v['charge'])}&{facets}"
        ),
        "list, 1 filter (charge)": f"/bench/cases?charges__arraycontains={q(v['charge'])}&{facets}",
        "list, 1 filter (citizenship)": f"/bench/cases?citizenship={q(v['citizenship'])}&{facets}",
    }


def measure(base, path, seconds, cookie=None):
    result = common.wrk(base, [path], seconds=seconds, connections=1, threads=1, cookie=cookie)
    measured = {
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "rps": result["rps"],
        "bytes": result["bytes"] // max(result["requests"], 1),
        "requests": result["requests"],
        "statuses": result["statuses"],
    }
    if not result["requests"]:
        # No answer within the run: time three requests one after another instead, after one
        # that waits for the request wrk left unanswered (a one-thread server queues behind it).
        common.timed_get(base + path, cookie=cookie)
        timings = [common.timed_get(base + path, cookie=cookie) for _ in range(3)]
        measured.update(p50_ms=sorted(timings)[1], p99_ms=max(timings), single_requests=timings)
    return measured


def measure_export(base, path):
    started = time.perf_counter()
    first_byte = None
    rows = -1  # the header line
    size = 0
    import urllib.request

    request = urllib.request.Request(base + path, headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=600) as response:
        while chunk := response.read(65536):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            rows += chunk.count(b"\n")
            size += len(chunk)
    total = time.perf_counter() - started
    return {"ttfb_ms": (first_byte or total) * 1000, "total_s": total, "rows": rows, "bytes": size,
            "rows_per_s": rows / total}  # fmt: skip


def run_datasette(v, seconds, database_env):
    if not DATASETTE.exists():
        return {"skipped": "Datasette is not installed: `make bench` creates .venv-bench"}
    target = ROOT / "bench" / "data" / "bench.db"
    common.log("exporting to SQLite for Datasette")
    subprocess.run(
        [str(common.PYTHON), "bench/export_datasette.py", str(target)], cwd=ROOT, env=database_env, check=True
    )
    port = common.free_port()
    process = subprocess.Popen(
        [str(DATASETTE), "serve", str(target), "--port", str(port), "--host", "127.0.0.1",
         "--setting", "sql_time_limit_ms", "60000", "--setting", "facet_time_limit_ms", "60000",
         "--setting", "num_sql_threads", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    results = {}
    try:
        if not common.wait_until(lambda: common.get(base + "/-/versions.json")[0] == 200, timeout=60):
            return {"skipped": "Datasette did not start"}
        for label, path in datasette_mix(v).items():
            common.log(f"  datasette: {label}")
            results[label] = measure(base, path, seconds)
    finally:
        process.terminate()
        process.wait(timeout=10)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per URL")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--table-only", action="store_true", help="print the table of the last saved run again")
    args = parser.parse_args()
    if args.table_only:
        name = f"bench-{args.engine}-{args.cases}"
        write_table(name, json.loads((common.RESULTS / f"{name}.json").read_text()))
        return

    env = prepare_database(args.engine, args.cases, args.seed)
    reference_ms = common.cpu_reference_ms()
    values = sample_values(env)
    mix = url_mix(values, args.cases)
    common.log("counting queries")
    counts = json.loads(
        subprocess.run(
            [str(common.PYTHON), "bench/querycount.py", *[p for _, p in mix]],
            cwd=ROOT, env={**env, "DJANGO_CACHE": "off"}, capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]
    )  # fmt: skip

    ours = {}
    # Uncached: DJANGO_CACHE=off turns every cache off (pages, counts, statistics).
    with common.gunicorn({**env, "DJANGO_CACHE": "off"}, args.port, **ONE_WORKER) as (_server, base):
        for label, path in mix:
            common.log(f"  ours, uncached: {label}")
            ours[label] = {"path": path, "cache": "off", **measure(base, path, args.seconds), **counts.get(path, {})}
        agency = values["export_agency"]
        export_path = f"/cases/?agency={agency}&_export=csv" if agency else "/cases/?_export=csv"
        status = common.get(base + export_path.replace("_export=csv", "_export=csv&_probe=1"))[0]
        if status == 200:
            # The median of three downloads: one download moved by 40% between runs here.
            runs = sorted((measure_export(base, export_path) for _ in range(3)), key=lambda run: run["total_s"])
            export = {**runs[1], "runs_rows_per_s": [round(run["rows_per_s"]) for run in runs]}
        else:
            export = {"skipped": f"export answered {status}"}
        export.update(expected_rows=values["export_rows"], path=export_path)
    with common.gunicorn(env, args.port, **ONE_WORKER) as (_server, base):
        for label, path, cookie in cached_mix(values):
            common.log(f"  ours, cached: {label}")
            ours[label] = {"path": path, "cache": "on", **measure(base, path, args.seconds, cookie)}

    peer = {} if args.no_datasette else run_datasette(values, args.seconds, env)

    machine = {"cpus": os.cpu_count(), "uname": " ".join(os.uname()), "cpu_reference_ms": reference_ms}
    report = {"args": vars(args), "values": values, "ours": ours, "export": export, "datasette": peer,
              "machine": machine}  # fmt: skip
    name = f"bench-{args.engine}-{args.cases}"
    common.save(name, report)
    write_table(name, report)


def _p50(result, seconds):
    """A p50 for the table; a page that answered no request within the wrk run is the median
    of three single requests, marked so (older results without them: more than the run)."""
    if result.get("requests"):
        return result["p50_ms"], f"{result['p50_ms']:.1f}"
    if result.get("single_requests"):
        return result["p50_ms"], f"{result['p50_ms']:.1f} (3 single requests)"
    return seconds * 1000, f"no answer in {seconds} s"


def machine_line(machine):
    """How fast this machine ran a fixed piece of Python (``common.cpu_reference_ms``): lower is faster."""
    if "cpu_reference_ms" not in machine:
        return []
    return [
        f"{machine['cpus']} CPUs; CPU reference (a fixed Python loop, lower is faster): "
        f"{machine['cpu_reference_ms']:.0f} ms.",
        "",
    ]


def write_table(name, report):
    """Print the table and save it as bench/results/<name>.md."""
    args, ours, export, peer = report["args"], report["ours"], report["export"], report["datasette"]
    seconds = args["seconds"]
    lines = [
        f"### {args['engine']}, {args['cases']:,} cases, one gunicorn worker, {seconds} s per URL",
        "",
        *machine_line(report.get("machine", {})),
        "| page | cache | p50 ms | p99 ms | req/s | bytes | SQL queries | Datasette p50 ms | ours ÷ Datasette |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, r in ours.items():
        d = peer.get(label) if isinstance(peer, dict) else None
        dp50, ratio = "", ""
        if d and "p50_ms" in d:
            peer_ms, dp50 = _p50(d, seconds)
            exact = d.get("requests") or d.get("single_requests")
            ratio = f"{r['p50_ms'] / peer_ms:.2f}" if exact else f"< {r['p50_ms'] / peer_ms:.2f}"
        statuses = ", ".join(f"{code}×{n}" for code, n in r["statuses"].items() if code != "200")
        label = f"{label} (**{statuses}**)" if statuses else label
        lines.append(
            f"| {label} | {r['cache']} | {_p50(r, seconds)[1]} | {r['p99_ms']:.1f} | {r['rps']:.0f} | {r['bytes']:,} | "
            f"{r.get('queries', '')} | {dp50} | {ratio} |"
        )
    if "rows" in export:
        lines.append(
            f"\nCSV export of {export['rows']:,} rows (expected {export['expected_rows']:,}, "
            f"`{export.get('path', '')}`): first byte "
            f"{export['ttfb_ms']:.0f} ms, total {export['total_s']:.1f} s, {export['rows_per_s']:,.0f} rows/s"
            + (
                f" (the median of three downloads: {', '.join(f'{n:,}' for n in export['runs_rows_per_s'])} rows/s)."
                if "runs_rows_per_s" in export
                else "."
            )
        )
    else:
        lines.append(f"\nCSV export: {export}")
    if isinstance(peer, dict) and "skipped" in peer:
        lines.append(f"\nDatasette: {peer['skipped']}")
    text = "\n".join(lines)
    (common.RESULTS / f"{name}.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
