"""Staff in real Chromium, through the production login with two-factor authentication:
a case entered by hand (report, individual with an arrest and two nested charges, detainer,
a validation error fixed, publication), and a report imported from the downloadable template."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from .conftest import log_in, new_page, screenshot, unexpected
from .world import DRAFT_TITLE

pytestmark = [pytest.mark.browser, pytest.mark.slow]
expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed").expect

NEW_REPORT = "Declined Detainer Report, FY2019 Q1"


def autocomplete(page, field_id: str, query: str, option: str | re.Pattern):
    """Choose in one of the admin's select2 autocompletes, as a person does: open, type, pick."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(query)
    page.locator(".select2-results__option", has_text=option).first.click()
    expect(page.locator(f"#select2-{field_id}-container")).to_contain_text(option)


def test_staff_enters_a_case_by_hand_and_publishes_it(site, browser, page):
    log_in(page, site, "publisher")

    # The report.
    page.goto(site(reverse("admin:cases_report_add")))
    page.select_option("#id_kind", "quarterly")
    page.locator("#id_title").press_sequentially(NEW_REPORT)
    expect(page.locator("#id_slug")).to_have_value("declined-detainer-report-fy2019-q1")  # prepopulated
    page.fill("#id_slug", "fy2019-q1")
    page.fill("#id_period_start", "2018-10-01")
    page.fill("#id_period_end", "2018-12-31")
    page.fill("#id_published_on", "2020-01-15")
    page.fill("#id_source_url", "https://www.ice.gov/declined-detainer-outcome-report")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # The individual, the custody arrest at an agency found through its autocomplete, two charges.
    page.goto(site(reverse("admin:cases_individual_add")))
    page.select_option("#id_citizenship", "MX")
    page.get_by_role("link", name="Add another Arrest", exact=True).click()
    page.fill("#id_arrests-0-arrested_on", "2018-10-05")
    autocomplete(page, "id_arrests-0-arresting_agency", "Santa Barbara", "Santa Barbara County Jail")
    page.fill("#id_arrests-0-age_at_arrest", "34")
    add_charge = page.locator("#arrests-0-charges-group").get_by_role("link", name=re.compile("Add another"))
    for n, (category, wording, kind) in enumerate(
        [
            ("Dangerous Drugs", "possession of methamphetamine", "charge"),
            ("Traffic", "driving under the influence", "conviction"),
        ]
    ):
        add_charge.click()
        autocomplete(page, f"id_arrests-0-charges-{n}-category", category.split()[0], category)
        page.fill(f"#id_arrests-0-charges-{n}-wording", wording)
        page.select_option(f"#id_arrests-0-charges-{n}-kind", kind)
    screenshot(page, "desktop-05-admin-individual-with-arrest-and-charges")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    individual_id = re.search(r"/individual/(\d+)/change/", page.url).group(1)

    # The detainer, with a release before the lodging date: refused with a readable error.
    page.get_by_role("link", name="Add another Detainer (Case)", exact=True).click()
    autocomplete(page, "id_detainers-0-report", "fy2019-q1", NEW_REPORT)
    page.fill("#id_detainers-0-row", "1")
    page.fill("#id_detainers-0-page", "2")
    autocomplete(page, "id_detainers-0-declining_agency", "Santa Barbara", "Santa Barbara County Jail")
    autocomplete(page, "id_detainers-0-custody_arrest", individual_id, re.compile("5 Oct 2018|2018-10-05|Oct"))
    page.select_option("#id_detainers-0-form", "I-247A")
    page.fill("#id_detainers-0-lodged_on", "2018-10-06")
    page.fill("#id_detainers-0-declined_on", "2018-10-08")
    page.fill("#id_detainers-0-released_on", "2018-10-01")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".errorlist")).to_contain_text("cannot come before the detainer was lodged")
    screenshot(page, "desktop-06-admin-validation-error")
    page.fill("#id_detainers-0-released_on", "2018-10-08")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # Publication, through the admin action and its confirmation page.
    page.goto(site(reverse("admin:cases_report_changelist") + "?q=fy2019-q1"))
    page.locator("#result_list tbody tr", has_text=NEW_REPORT).locator("input.action-select").check()
    page.select_option("select[name=action]", "publish_reports")
    page.locator("button[name=index]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ublish")
    screenshot(page, "desktop-07-admin-publish-confirm")
    page.get_by_role("button", name=re.compile("Yes, publish")).click()
    expect(page.locator(".messagelist")).to_contain_text(f"Published: {NEW_REPORT}")

    # The public sees the case, with both charges as entered, the conviction marked as such.
    visitor = new_page(browser)
    visitor.goto(site(reverse("cases:case-detail", args=["fy2019-q1-01"])))
    body = visitor.locator("main")
    expect(body).to_contain_text("Santa Barbara County Jail")
    expect(body).to_contain_text("possession of methamphetamine")
    expect(body).to_contain_text("driving under the influence")
    expect(body.locator(".kind-conviction").first).to_be_visible()
    visitor.get_by_role("link", name="Santa Barbara County Jail").first.click()
    expect(visitor.locator("main")).to_contain_text("fy2019-q1-01")
    screenshot(visitor, "desktop-08-public-case-entered-by-hand")
    assert unexpected(visitor.js_errors) == []
    visitor.context.close()


def test_staff_imports_a_report_from_the_template(site, page, tmp_path):
    log_in(page, site, "editor")
    page.goto(site(reverse("admin:cases_report_import")))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV template").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.read_text(encoding="utf-8-sig").startswith("row,page,agency_ori")

    page.select_option("#id_report", label=DRAFT_TITLE)
    page.set_input_files("#id_file", str(template))
    page.get_by_role("button", name="Preview import").click()
    expect(page.locator("h1")).to_contain_text("Preview")
    preview = page.locator("#content")
    expect(preview).to_contain_text("Los Angeles Police Department")
    expect(preview.locator(".status-new").first).to_be_visible()
    screenshot(page, "desktop-09-admin-import-preview")
    page.locator("input[name=confirm]").click()
    expect(page.locator(".messagelist")).to_contain_text("1 new, 0 changed, 0 unchanged")
    screenshot(page, "desktop-10-admin-imported", full_page=False)

    page.goto(site(reverse("admin:cases_detainer_changelist") + "?q=fy2018-q2-draft-07"))
    expect(page.locator("#result_list tbody")).to_contain_text("fy2018-q2-draft-07")
