"""A visitor in real Chromium: the home page to a filtered, sorted, paged list whose copied link
shows the same view in a fresh browser; a phone-sized screen; the keyboard alone."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from .conftest import PHONE, new_page, screenshot, unexpected
from .world import AGENCY_SLUG, CASES, REPORT_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.slow]
expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed").expect


def listed_case_ids(page) -> list[str]:
    return page.locator(".case-table tbody tr td:first-child").all_inner_texts()


def facet(page, legend: str):
    return page.locator("fieldset.facet", has=page.locator("legend", has_text=legend))


def view_of(page) -> dict:
    return {
        "heading": page.locator("h1").inner_text(),
        "count": page.locator(".result-count").inner_text(),
        "rows": listed_case_ids(page),
    }


def test_visitor_filters_sorts_pages_and_shares_the_view(site, browser, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    page.goto(site(reverse("cases:home")))
    screenshot(page, "desktop-01-home")

    latest = page.get_by_role("region", name="Latest report")
    assert latest.get_by_role("link").inner_text() == "Declined Detainer Report, FY2018 Q3"
    page.get_by_role("link", name="FY2018 Q3", exact=True).click()
    page.wait_for_url(re.compile(rf"quarter={REPORT_SLUG}"))
    assert set(listed_case_ids(page)) <= {f"{REPORT_SLUG}-{n:02d}" for n in range(1, CASES + 5)}

    facet(page, "Declining agency").get_by_label(re.compile("Travis County Jail")).check()
    page.get_by_role("button", name="Apply filters").first.click()
    page.wait_for_url(re.compile(rf"agency={AGENCY_SLUG}"))
    assert page.locator(".result-count strong").inner_text() == str(CASES + 4)

    facet(page, "Charge at any arrest").get_by_label(re.compile("Dangerous Drugs", re.I)).check()
    page.get_by_role("button", name="Apply filters").first.click()
    page.wait_for_url(re.compile("charge=dangerous-drugs"))
    assert page.locator(".result-count strong").inner_text() == str(CASES)  # the four burglary-only cases left

    page.select_option("#id_sort", label="Released, descending")
    page.get_by_role("button", name="Apply filters").last.click()
    page.wait_for_url(re.compile("sort=-released"))
    first_page = listed_case_ids(page)
    assert len(first_page) == 50
    released = page.locator(".case-table tbody tr td[data-label=Released]").all_inner_texts()
    assert released[0] != released[-1]  # the sort changed something visible

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile("page=2"))
    shown = view_of(page)
    assert len(shown["rows"]) == CASES - 50
    assert not set(shown["rows"]) & set(first_page)
    assert "page 2 of 2" in shown["count"]
    screenshot(page, "desktop-02-case-list-filtered-sorted-page-2")

    page.get_by_role("button", name="Copy link").click()
    expect(page.locator(".share-status")).to_have_text("Link copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    for part in (
        f"quarter={REPORT_SLUG}",
        f"agency={AGENCY_SLUG}",
        "charge=dangerous-drugs",
        "sort=-released",
        "page=2",
    ):
        assert part in copied

    fresh = new_page(browser)  # a new context: no cookies, no history, no cache
    fresh.goto(copied.replace("http://testserver", site.url))
    assert view_of(fresh) == shown
    assert fresh.locator("#id_sort").input_value() == "-released"
    assert unexpected(fresh.js_errors) == []
    fresh.context.close()


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


PHONE_PAGES = {
    "home": reverse("cases:home"),
    "case-list": reverse("cases:case-list") + f"?quarter={REPORT_SLUG}",
    "case-detail": reverse("cases:case-detail", args=[f"{REPORT_SLUG}-01"]),
    "agency-detail": reverse("cases:agency-detail", args=[AGENCY_SLUG]),
    "stats": reverse("cases:stats"),
    "compare": reverse("cases:compare"),
    "about": reverse("cases:about"),
}


@pytest.mark.parametrize("name", list(PHONE_PAGES))
def test_phone_pages_do_not_overflow(name, site, phone):
    phone.goto(site(PHONE_PAGES[name]))
    screenshot(phone, f"phone-{name}")
    assert phone.evaluate("window.innerWidth") == PHONE["width"]
    assert overflow(phone) <= 0, "the page scrolls sideways on a 360 px screen"


def test_phone_filters_are_usable_and_the_table_readable(site, phone):
    phone.goto(site(reverse("cases:case-list")))
    panel = phone.locator("details.filters")
    assert panel.get_attribute("open") is None  # results first on a phone
    phone.get_by_text("Filter the cases", exact=True).tap()
    assert panel.get_attribute("open") is not None
    screenshot(phone, "phone-case-list-filters-open")
    assert overflow(phone) <= 0

    box = facet(phone, "Declining agency").get_by_label(re.compile("Travis County Jail"))
    box.scroll_into_view_if_needed()
    box.tap()
    phone.get_by_role("button", name="Apply filters").first.tap()
    phone.wait_for_url(re.compile(f"agency={AGENCY_SLUG}"))
    assert phone.locator(".result-count strong").inner_text() == str(CASES + 4)
    assert overflow(phone) <= 0

    # Each case is a card: every cell inside the screen, labelled by its column, in legible type.
    cells = phone.evaluate(
        """() => [...document.querySelectorAll('.case-table tbody tr:first-child td')].map(td => ({
            label: getComputedStyle(td, '::before').content,
            left: td.getBoundingClientRect().left,
            right: td.getBoundingClientRect().right,
            size: parseFloat(getComputedStyle(td).fontSize),
        }))"""
    )
    assert len(cells) >= 8
    for cell in cells:
        assert cell["label"] not in ("none", "normal", '""')
        assert cell["left"] >= 0 and cell["right"] <= PHONE["width"]
        assert cell["size"] >= 12
    screenshot(phone, "phone-case-list-filtered")

    # A view with no case: its one message starts at the card's edge, with no empty label column.
    phone.goto(site(reverse("cases:case-list") + "?q=zzzz-no-such-case"))
    empty = phone.evaluate(
        """() => {
            const td = document.querySelector('.case-table tbody td[colspan]');
            const range = document.createRange();
            range.selectNodeContents(td);
            return {cell: td.getBoundingClientRect().left, text: range.getBoundingClientRect().left,
                    words: td.innerText};
        }"""
    )
    assert empty["words"] == "No cases match these filters."
    assert empty["text"] - empty["cell"] < 16, "the message is pushed right by an empty label column"


FOCUSABLE = ", ".join(
    ["a[href]", "button:not([hidden])", "input:not([type=hidden])", "select", "textarea", "summary"]
    + ["[tabindex]:not([tabindex='-1'])"]
)


def focus_state(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {
                key: el.id || el.outerHTML.slice(0, 120),
                index: [...document.querySelectorAll(arguments_selector)].indexOf(el),
                visible: el.matches(':focus-visible'),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                shadow: style.boxShadow !== 'none',
            };
        }""".replace("arguments_selector", repr(FOCUSABLE))
    )


def test_keyboard_reaches_every_control_with_visible_focus(site, page):
    page.goto(site(reverse("cases:case-list") + f"?quarter={REPORT_SLUG}&agency={AGENCY_SLUG}"))
    controls = page.evaluate(
        f"""() => [...document.querySelectorAll({FOCUSABLE!r})]
            .filter(el => el.getClientRects().length && !el.closest('[hidden]')).length"""
    )
    reached, unfocused = set(), []
    for _ in range(controls + 5):
        page.keyboard.press("Tab")
        state = focus_state(page)
        if state["index"] < 0:
            continue
        reached.add(state["index"])
        if not (state["visible"] and (state["outline"] or state["shadow"])):
            unfocused.append(state["key"])
    # The skip link and the main landmark's tabindex=-1 excepted, every control on the page is reached.
    assert len(reached) >= controls
    assert unfocused == [], "focus not visible on these controls"


def test_keyboard_alone_filters_sorts_and_copies(site, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    page.goto(site(reverse("cases:case-list")))

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    screenshot(page, "desktop-03-skip-link-focused", full_page=False)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    def tab_to(locator, limit=400):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if locator.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"Tab never reached {locator}")

    tab_to(page.get_by_role("button", name="Copy link"))
    page.keyboard.press("Enter")
    expect(page.locator(".share-status")).to_have_text("Link copied.")

    tab_to(facet(page, "Declining agency").get_by_label(re.compile("Travis County Jail")))
    page.keyboard.press("Space")
    tab_to(page.locator("#id_sort"))
    page.keyboard.press("End")  # the last sort option
    tab_to(page.get_by_role("button", name="Apply filters").last)
    screenshot(page, "desktop-04-keyboard-apply-focused", full_page=False)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"agency={AGENCY_SLUG}"))
    assert "sort=" in page.url
    assert page.locator(".result-count strong").inner_text() == str(CASES + 4)

    tab_to(page.get_by_role("link", name="Next", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("page=2"))

    summary = page.locator("details.filters > summary")
    tab_to(summary)
    page.keyboard.press("Enter")
    assert page.locator("details.filters").get_attribute("open") is None
