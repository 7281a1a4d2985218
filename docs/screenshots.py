"""Take the screenshots of docs/entering-a-report.md: walks the staff workflow in a real browser.

    .venv/bin/pip install playwright==1.65.2   # the Python package only; never `playwright install`
    .venv/bin/python docs/screenshots.py

Uses a throwaway SQLite database in a temporary folder (never yours), loads the sample data,
creates an Editor and a Publisher, serves the site on 127.0.0.1:8012, drives headless
Chromium (/usr/bin/chromium) through import → corrections → publishing, and writes
docs/img/*.png. The server it starts is stopped at the end.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
DATA = ROOT / "tests" / "data"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BASE = "http://127.0.0.1:8012"
PASSWORD = "screenshots-only-password-1"

SETUP = f"""
from django.contrib.auth.models import Group, User
from cases.fiscal import FiscalQuarter
from cases.models import Report
for name in ("Editor", "Publisher"):
    user = User.objects.create_user(name.lower(), f"{{name.lower()}}@example.org", "{PASSWORD}", is_staff=True)
    user.groups.add(Group.objects.get(name=name))
q = FiscalQuarter(2018, 2)
Report.objects.create(kind="quarterly", slug="fy2018-q2-demo", title="Declined Detainer Report, FY2018 Q2 (staff demo)",
    period_start=q.start, period_end=q.end, published_on="2019-07-15", source_url="https://www.ice.gov/")
Report.objects.create(kind="quarterly", slug="fy2018-q3", title="Declined Detainer Report, FY2018 Q3",
    period_start=FiscalQuarter(2018, 3).start, period_end=FiscalQuarter(2018, 3).end, published_on="2019-10-15")
"""


def manage(env, *args, stdin=None):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, input=stdin, text=True)


def wait_for_server():
    for _ in range(100):
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("The server on 127.0.0.1:8012 did not start.")


def main():
    from playwright.sync_api import sync_playwright

    IMG.mkdir(parents=True, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="staff-docs-")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/docs.sqlite3", "DJANGO_MEDIA_ROOT": f"{folder}/media"}
    env.pop("DJANGO_REQUIRE_2FA", None)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_sample_data")
    manage(env, "shell", "-c", SETUP)
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", "127.0.0.1:8012", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_server()
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            walk(browser)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def login(browser, username):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(BASE + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(BASE + "/admin/")
    return page


def shot(page, name, full=True):
    page.wait_for_load_state("networkidle")
    for attempt in range(3):  # headless Chromium sometimes refuses a capture right after a navigation
        try:
            page.screenshot(path=str(IMG / f"{name}.png"), full_page=full)
            break
        except Exception:
            if attempt == 2:
                raise
            time.sleep(0.5)
    print("wrote", IMG / f"{name}.png")


def upload(page, filename, report="Declined Detainer Report, FY2018 Q2 (staff demo)"):
    page.goto(BASE + "/admin/cases/report/import/")
    page.select_option("#id_report", label=report)
    page.set_input_files("#id_file", str(DATA / filename))
    page.click("text=Preview import")


def walk(browser):
    editor = login(browser, "editor")
    editor.goto(BASE + "/admin/cases/report/")
    shot(editor, "01-report-list-editor", full=False)
    editor.goto(BASE + "/admin/cases/report/import/")
    shot(editor, "02-import-upload")

    upload(editor, "report_errors.csv")
    shot(editor, "03-preview-errors")

    upload(editor, "report_unknown_agency.csv")
    shot(editor, "04-preview-unknown-agencies")

    upload(editor, "report_clean.csv")
    shot(editor, "05-preview-new")
    editor.click("input[name=confirm]")
    shot(editor, "06-imported", full=False)

    upload(editor, "report_corrected.csv")
    shot(editor, "07-preview-changed")
    editor.click("input[name=confirm]")

    publisher = login(browser, "publisher")
    publisher.goto(BASE + "/admin/cases/report/?status__exact=draft")
    for checkbox in publisher.locator("input.action-select").all():
        checkbox.check()
    publisher.select_option("select[name=action]", "publish_reports")
    publisher.click("button[name=index]")
    shot(publisher, "08-publish-confirm")
    publisher.click("text=Yes, publish the ready reports")
    shot(publisher, "09-published", full=False)

    editor.goto(BASE + "/admin/cases/detainer/?q=fy2018-q2-demo-03")
    editor.click("text=fy2018-q2-demo-03")
    editor.select_option("#id_verification_status", "retracted")
    editor.click("input[name=_continue]")
    shot(editor, "10-status-change-needs-note")
    editor.fill("#id_correction_what_changed", "The case was retracted.")
    editor.fill("#id_correction_reason", "The agency showed that the person was held on behalf of another county.")
    editor.fill("#id_correction_source", "Letter from the Los Angeles Police Department, 1 Aug 2019")
    editor.click("input[name=_continue]")

    publisher.goto(BASE + "/admin/cases/report/?q=staff+demo")
    publisher.click("text=Declined Detainer Report, FY2018 Q2 (staff demo)")
    publisher.click("text=What changed since publication")
    shot(publisher, "11-changes-since-publication")

    public = browser.new_page(viewport={"width": 1280, "height": 900})
    public.goto(BASE + "/cases/fy2018-q2-demo-03/")
    shot(public, "12-public-case-with-correction")


if __name__ == "__main__":
    sys.exit(main())
