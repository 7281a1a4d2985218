"""Load and fault drills against the production stack on loopback (issue: hardening).

  .venv/bin/python bench/faults.py [--seconds 60] [--phases load,reload,outage,health]

Starts gunicorn (production settings) on a fresh PostgreSQL database with synthetic
data, then:
  load    wrk, 32 connections, for --seconds on the public URL mix: 0 errors, 0 responses >= 500.
  reload  the same load while gunicorn gets a HUP (graceful reload): no request lost.
  outage  PostgreSQL is stopped under load: pages answer 503 (friendly page), /healthz 503;
          then restarted: the site recovers by itself (measured), without restarting gunicorn.
  health  /healthz answers 200 with a database check; median latency.
The outage phase stops and restarts the machine's PostgreSQL server: run it alone.
Results are printed as a table and saved to bench/results/faults.json. Exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

MIX = ["/", "/cases/", "/cases/?quarter={q}", "/cases/?quarter={q}&charge=dangerous-drugs",
       "/cases/{case}/", "/agencies/", "/reports/", "/charges/", "/corrections/", "/about/"]  # fmt: skip


def pg_cluster(action):
    version = sorted(os.listdir("/etc/postgresql"))[0]
    mode = ["-m", "fast"] if action == "stop" else []
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, *mode]
    subprocess.run(command, check=True, capture_output=True)


def pg_ready():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0


def phase_load(base, paths, seconds):
    result = common.wrk(base, paths, seconds=seconds, connections=32)
    ok = result["errors"] == 0 and result["status_5xx"] == 0 and result["non_2xx_3xx"] == 0
    return ok, result


def phase_reload(base, paths, seconds, server):
    timer = threading.Timer(seconds / 2, lambda: server.send_signal(signal.SIGHUP))
    timer.start()
    result = common.wrk(base, paths, seconds=seconds, connections=32)
    timer.join()
    ok = result["errors"] == 0 and result["status_5xx"] == 0 and result["non_2xx_3xx"] == 0
    return ok, result


def phase_outage(base, paths, seconds):
    observations = {}

    def drill():
        time.sleep(seconds / 4)
        pg_cluster("stop")
        stopped_at = time.monotonic()
        health_status, _, _ = common.get(base + "/healthz")
        page_status, page_body, _ = common.get(base + "/cases/")
        observations.update(
            healthz_during_outage=health_status,
            page_during_outage=page_status,
            page_is_friendly=b"The database is unavailable" in page_body and b"Traceback" not in page_body,
        )
        time.sleep(max(0.0, seconds / 2 - (time.monotonic() - stopped_at)))
        pg_cluster("start")
        restarted = time.monotonic()
        # Recovery: the first moment /healthz and a page answer 200 again, gunicorn untouched.
        recovered = common.wait_until(
            lambda: common.get(base + "/healthz")[0] == 200 and common.get(base + "/cases/")[0] == 200,
            timeout=30,
            interval=0.05,
        )
        observations["recovered"] = recovered
        observations["recovery_seconds"] = round(time.monotonic() - restarted, 2) if recovered else None

    thread = threading.Thread(target=drill)
    thread.start()
    result = common.wrk(base, paths, seconds=seconds, connections=32)
    thread.join()
    if not pg_ready():
        pg_cluster("start")
    result.update(observations)
    only_503 = all(code.startswith(("2", "3")) or code == "503" for code in result["statuses"])
    ok = (
        observations.get("healthz_during_outage") == 503
        and observations.get("page_during_outage") == 503
        and observations.get("page_is_friendly")
        and observations.get("recovered")
        and observations["recovery_seconds"] <= 5
        and only_503
        and result["errors"] == 0
    )
    return ok, result


def phase_health(base):
    samples, statuses = [], set()
    for _ in range(200):
        status, body, elapsed = common.get(base + "/healthz")
        statuses.add(status)
        samples.append(elapsed)
    median = common.median_ms(samples)
    return statuses == {200} and median < 50, {"median_ms": round(median, 2), "statuses": sorted(statuses)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--phases", default="load,reload,outage,health")
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    phases = args.phases.split(",")

    url = common.recreate_pg_database("detainers_faults")
    static = common.temp_dir("faults-static-")
    env = common.production_env(url, static)
    common.log("preparing the database")
    common.manage(env, "migrate", "--no-input")
    common.manage(env, "generate_synthetic", "--cases", str(args.cases), "--quarters", "8", "--agencies", "200")
    quarter, case = "fy2026-q1", "synthetic-fy2026-q1-01"
    paths = [p.format(q=quarter, case=case) for p in MIX]

    results, failures = {}, []
    with common.gunicorn(env, args.port, workers=args.workers) as (server, base):
        for path in paths:
            status = common.get(base + path)[0]
            if status != 200:
                failures.append(f"{path} answered {status} before the drills")
        for phase in phases:
            common.log(f"phase {phase}")
            if phase == "load":
                ok, result = phase_load(base, paths, args.seconds)
            elif phase == "reload":
                ok, result = phase_reload(base, paths, max(20, args.seconds // 2), server)
            elif phase == "outage":
                ok, result = phase_outage(base, paths, max(20, args.seconds // 2))
            elif phase == "health":
                ok, result = phase_health(base)
            else:
                raise SystemExit(f"unknown phase {phase}")
            results[phase] = {"ok": ok, **result}
            if not ok:
                failures.append(phase)
    common.save("faults", {"args": vars(args), "results": results, "failures": failures})

    print("\n| phase | ok | requests | req/s | p50 ms | p99 ms | errors | 5xx | notes |")
    print("|---|---|---|---|---|---|---|---|---|")
    for phase, r in results.items():
        if "requests" in r:
            notes = ""
            if phase == "outage":
                notes = (f"healthz {r.get('healthz_during_outage')}, page {r.get('page_during_outage')} during outage; "
                         f"recovered in {r.get('recovery_seconds')} s; statuses {r['statuses']}")  # fmt: skip
            print(f"| {phase} | {r['ok']} | {r['requests']} | {r['rps']:.0f} | {r['p50_us'] / 1000:.1f} | "
                  f"{r['p99_us'] / 1000:.1f} | {r['errors']} | {r['status_5xx']} | {notes} |")  # fmt: skip
        else:
            print(f"| {phase} | {r['ok']} | 200 | | {r['median_ms']} (median) | | | | statuses {r['statuses']} |")
    if failures:
        print(f"\nFAILED: {', '.join(failures)}")
        return 1
    print("\nAll drills passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
