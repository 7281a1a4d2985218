"""Lighthouse 12.2.3 (npm, see package.json) with Debian Chromium, mobile and desktop, on the
production stack: gunicorn, DJANGO_DEBUG=false, collected and compressed static files served by
whitenoise, the strict CSP and HSTS. Plain HTTP on loopback, so DJANGO_SECURE_SSL_REDIRECT=false.

    .venv/bin/python -m tests.browser.lighthouse      # or: make lighthouse

Writes artifacts/lighthouse/<page>-<mode>.json, prints the scores, and exits 1 if any score is below 95.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from tests.support.live import ROOT, production_server

from .world import AGENCY_SLUG, REPORT_SLUG

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
OUT = ROOT / "artifacts" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
MINIMUM = 95
PAGES = {
    "home": "/",
    "case-list-filtered": f"/cases/?quarter={REPORT_SLUG}&agency={AGENCY_SLUG}&charge=dangerous-drugs&sort=-released",
    "case-detail": f"/cases/{REPORT_SLUG}-01/",
    "agency-detail": f"/agencies/{AGENCY_SLUG}/",
    "stats": "/stats/",
}
MODES = {"mobile": [], "desktop": ["--preset=desktop"]}


def run(url: str, mode: str, path, attempts: int = 3) -> dict[str, int]:
    """One Lighthouse run. Its trace recording fails now and then (NO_NAVSTART), so a run that
    errors is tried again; a low score is never retried."""
    for attempt in range(1, attempts + 1):
        finished = subprocess.run(
            [str(LIGHTHOUSE), url, "--output=json", f"--output-path={path}", "--quiet"]
            + [f"--only-categories={','.join(CATEGORIES)}", "--max-wait-for-load=30000"]
            + ["--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking"]
            + MODES[mode],
            env={**os.environ, "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium"},
            timeout=240,
        )
        report = json.loads(path.read_text()) if finished.returncode == 0 else {"runtimeError": "exit status"}
        if not report.get("runtimeError"):
            return {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
        print(f"Lighthouse failed on {url} ({mode}), attempt {attempt}: {report['runtimeError']}", file=sys.stderr)
    raise SystemExit(f"Lighthouse failed {attempts} times on {url} ({mode})")


def main() -> int:
    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed: run `npm ci`.", file=sys.stderr)
        return 2
    if not shutil.which("chromium"):
        print("Chromium is not installed: apt-get install chromium.", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    scores = {}
    with production_server(
        workers=2,
        setup=[["shell", "-c", "from tests.browser.world import build; build()"]],
        DJANGO_SECURE_SSL_REDIRECT="false",
    ) as (base, _env):
        for name, path in PAGES.items():
            for mode in MODES:
                scores[name, mode] = run(base + path, mode, OUT / f"{name}-{mode}.json")
    header = f"{'page':<20} {'mode':<8} " + " ".join(f"{c:>14}" for c in CATEGORIES)
    lines = [header, "-" * len(header)]
    for (name, mode), row in scores.items():
        lines.append(f"{name:<20} {mode:<8} " + " ".join(f"{row[c]:>14}" for c in CATEGORIES))
    table = "\n".join(lines)
    print(table)
    (OUT / "scores.txt").write_text(table + "\n")
    low = [(page, mode, c, s) for (page, mode), row in scores.items() for c, s in row.items() if s < MINIMUM]
    if low:
        print(f"Below {MINIMUM}: {low}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
