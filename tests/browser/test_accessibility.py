"""Independent judges on every public page type and the customised admin pages: axe-core
(WCAG 2.2 A and AA rules) must report no violation, and the Nu Html Checker no error."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.request

import pytest
from django.urls import reverse

from .conftest import (
    ARTIFACTS,
    AXE_JS,
    PHONE,
    ROOT,
    VNU_JAR,
    missing_java,
    missing_node_module,
    new_page,
    skip_unless_available,
    unexpected,
)
from .world import AGENCY_SLUG, DRAFT_TITLE, REPORT_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHANGE_PAGE = re.compile(r"/change/(\?.*)?$")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def url(name, *args, query=""):
    return reverse(f"cases:{name}", args=args) + query


PUBLIC_PAGES = {
    "home": url("home"),
    "case-list": url("case-list"),
    "case-list-filtered": url(
        "case-list", query=f"?quarter={REPORT_SLUG}&agency={AGENCY_SLUG}&charge=dangerous-drugs&sort=-released"
    ),
    "case-list-no-results": url("case-list", query="?q=nothing-matches-this"),
    "case-detail": url("case-detail", f"{REPORT_SLUG}-01"),
    "case-detail-sample": url("case-detail", "fy2018-q2-01"),
    "agency-list": url("agency-list"),
    "agency-detail": url("agency-detail", AGENCY_SLUG),
    "report-list": url("report-list"),
    "report-detail": url("report-detail", REPORT_SLUG),
    "charge-list": url("charge-list"),
    "charge-detail": url("charge-detail", "dangerous-drugs"),
    "corrections": url("correction-list"),
    "about": url("about"),
    "stats": url("stats"),
    "compare": url("compare"),
    "data-dictionary": url("data-dictionary"),
    "not-found": url("case-detail", "no-such-case"),
}


def run_axe(page) -> list[dict]:
    # Evaluated through the DevTools protocol, so the site's CSP (script-src 'self') stays on.
    before = len(page.js_errors)
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    # axe itself adds a <style> element on some pages, which the CSP refuses: that refusal is the
    # judge's, not the site's. Other errors raised while it runs still count.
    page.js_errors[before:] = [e for e in page.js_errors[before:] if "style-src" not in e and "inline style" not in e]
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]
    ]


def save_report(kind: str, name: str, data) -> None:
    folder = ARTIFACTS / kind
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(data, indent=2))


@pytest.fixture(scope="module")
def axe_available():
    skip_unless_available(missing_node_module(AXE_JS, "axe-core"))


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_axe_public_page_desktop_filters_open(name, site, page, axe_available):
    response = page.goto(site(PUBLIC_PAGES[name]))
    assert response.status == (404 if name == "not-found" else 200)
    page.allow_404 = name == "not-found"
    if name.startswith("case-list"):
        assert page.locator("details.filters").get_attribute("open") is not None
    violations = run_axe(page)
    save_report("axe", f"{name}-desktop", violations)
    assert violations == []


@pytest.mark.parametrize("name", ["home", "case-list", "case-list-filtered", "case-detail", "agency-detail", "stats"])
def test_axe_public_page_phone_filters_closed(name, site, browser, axe_available):
    page = new_page(browser, PHONE, is_mobile=True, has_touch=True)
    page.goto(site(PUBLIC_PAGES[name]))
    if name.startswith("case-list"):
        assert page.locator("details.filters").get_attribute("open") is None
    violations = run_axe(page)
    page.context.close()
    save_report("axe", f"{name}-phone", violations)
    assert violations == []


def test_axe_finds_violations_on_a_broken_page(page, axe_available):
    """The judge can fail: low contrast, an unlabelled field and an image without text are caught."""
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Broken</title></head><body><main>'
        '<p style="color:#aaa;background:#fff">Pale text</p><input type="text"><img src="x.png"></main></body></html>'
    )
    assert {v["id"] for v in run_axe(page)} >= {"color-contrast", "label", "image-alt"}


@pytest.fixture(scope="module")
def vnu_results(site):
    """Each public page's HTML as the server sent it, checked in one run of the Nu Html Checker."""
    skip_unless_available(missing_java())
    folder = ARTIFACTS / "vnu"
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, path in PUBLIC_PAGES.items():
        try:
            html = urllib.request.urlopen(site(path), timeout=30).read()
        except urllib.error.HTTPError as error:
            assert error.code == 404 and name == "not-found", f"{path}: {error}"
            html = error.read()
        files[name] = folder / f"{name}.html"
        files[name].write_bytes(html)
    broken = folder / "control-broken.html"
    broken.write_text(
        '<!doctype html><html lang="en"><head><title>x</title></head><body><p><div></p></span></body></html>'
    )
    files["control-broken"] = broken
    output = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(output.stderr)["messages"]
    by_file = {name: [] for name in files}
    lookup = {path.name: name for name, path in files.items()}
    for message in messages:
        if message["type"] in ("error", "non-document-error") or message.get("subType") == "fatal":
            by_file[lookup[message["url"].rsplit("/", 1)[-1]]].append(
                f"line {message.get('lastLine')}: {message['message']}"
            )
    (folder / "results.json").write_text(json.dumps(by_file, indent=2))
    return by_file


def test_vnu_finds_errors_in_broken_html(vnu_results):
    assert vnu_results["control-broken"], "the checker must report the control file's errors"


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_vnu_public_page(name, vnu_results):
    assert vnu_results[name] == []


def admin_pages(page, site):
    """Yield (name, page) for each customised admin page, as a Publisher sees it."""
    page.goto(site(reverse("admin:cases_report_changelist") + f"?q={REPORT_SLUG}"))
    page.locator("#result_list tbody th a").first.click()
    page.wait_for_url(CHANGE_PAGE)
    yield "admin-report-change", page

    page.goto(site(reverse("admin:cases_individual_changelist")))
    page.locator("#result_list tbody th a").first.click()
    page.wait_for_url(CHANGE_PAGE)
    page.locator(".djn-group-nested").first.wait_for(state="attached")
    assert page.locator(".djn-group-root").count() == 2  # nested inlines: arrests (with charges) and detainers
    yield "admin-individual-change", page

    page.goto(site(reverse("admin:cases_report_import")))
    yield "admin-import-upload", page

    page.select_option("#id_report", label=DRAFT_TITLE)
    page.set_input_files("#id_file", str(ROOT / "tests" / "data" / "report_clean.csv"))
    page.get_by_role("button", name="Preview import").click()
    page.wait_for_load_state()
    assert "Preview" in page.title()
    yield "admin-import-preview", page

    page.goto(site(reverse("admin:cases_report_changelist") + "?status__exact=draft"))
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", "publish_reports")
    page.locator("button[name=index]").click()
    page.wait_for_load_state()
    assert page.get_by_text("publish", exact=False).count()
    yield "admin-publish-confirm", page


def test_axe_customised_admin_pages(site, browser, reviewer_state, axe_available):
    page = new_page(browser, storage_state=reviewer_state)
    found = {}
    for name, current in admin_pages(page, site):
        violations = run_axe(current)
        save_report("axe", name, violations)
        found[name] = violations
    errors = unexpected(page.js_errors)
    page.context.close()
    assert len(found) == 5
    assert found == {name: [] for name in found}
    assert errors == [], "\n".join(errors)
