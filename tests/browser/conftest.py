"""Fixtures for the real-browser tests: the production stack (gunicorn, DJANGO_DEBUG=false,
collected static files served by whitenoise) on a throwaway SQLite database, and headless
Debian Chromium driven by Playwright. Every test here skips with a reason when a tool is missing."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.live import ROOT, production_server

from . import world

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}


def skip_unless_available(reason: str | None) -> None:
    """Skip when a tool is missing, with the reason; fail instead where BROWSER_TESTS_REQUIRED is
    set (.ci/run sets it), so that CI can never pass by skipping these tests."""
    if reason is None:
        return
    if os.environ.get("BROWSER_TESTS_REQUIRED"):
        pytest.fail(f"BROWSER_TESTS_REQUIRED is set but {reason}")
    pytest.skip(reason)


def missing_chromium() -> str | None:
    if CHROMIUM is None:
        return "Chromium is not installed (apt-get install chromium); .ci/run installs it"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed (pip install -r requirements-dev.txt)"
    return None


def missing_node_module(path: Path, package: str) -> str | None:
    if not path.exists():
        return f"{package} is not installed: run `npm ci` (.ci/run does)"
    return None


def missing_java() -> str | None:
    if shutil.which("java") is None:
        return "Java is not installed (apt-get install default-jre-headless); .ci/run installs it"
    return missing_node_module(VNU_JAR, "vnu-jar")


@dataclass
class Site:
    url: str
    env: dict

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def site():
    """The production stack with the sample data and tests/browser/world.py, for the whole session.
    Plain HTTP on loopback, so DJANGO_SECURE_SSL_REDIRECT is off; everything else is production."""
    skip_unless_available(missing_chromium())
    with production_server(
        workers=2,
        setup=[["shell", "-c", "from tests.browser.world import build; build()"]],
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_REQUIRE_2FA="true",
    ) as (base, env):
        yield Site(base, env)


@pytest.fixture(scope="session")
def browser():
    skip_unless_available(missing_chromium())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def new_page(browser, viewport=DESKTOP, **options):
    context = browser.new_context(viewport=viewport, **options)
    # Name the element or file behind each CSP refusal, which Chromium's own message leaves out.
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP ' + e.violatedDirective + ' refused ' + (e.blockedURI || 'inline') + ' from ' + e.sourceFile + ':' + "
        "e.lineNumber + ' ' + (e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 160) : e.sample)))"
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.js_errors = errors
    return page


def unexpected(errors, allow_404=False):
    if allow_404:  # the console line Chromium writes for a page that is itself a 404
        errors = [e for e in errors if "status of 404" not in e and not e.startswith("404 ")]
    return errors


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    errors = unexpected(page.js_errors, getattr(page, "allow_404", False))
    page.context.close()
    assert errors == [], f"JavaScript errors, console errors (a CSP refusal shows here) or failed requests: {errors}"


@pytest.fixture
def phone(browser):
    page = new_page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    errors = page.js_errors
    page.context.close()
    assert errors == [], f"JavaScript errors or console errors: {errors}"


def screenshot(page, name: str, full_page=True):
    folder = ARTIFACTS / "e2e"
    folder.mkdir(parents=True, exist_ok=True)
    # Long pages are cut after a few screens, so that the pictures stay readable.
    width, height = page.evaluate("[window.innerWidth, document.documentElement.scrollHeight]")
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, 1400)} if full_page else None
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page, clip=clip)


def totp_token(username: str) -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(world.STAFF[username][1])):06d}"


def log_in(page, site, username: str):
    """The staff login of production: the password first; the form then lists the person's
    devices, and the current TOTP token of the chosen one completes it."""
    page.goto(site("/admin/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", world.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.select_option("#id_otp_device", label="phone")
    page.fill("#id_password", world.PASSWORD)
    page.fill("#id_otp_token", totp_token(username))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if page.url != site("/admin/"):
        screenshot(page, f"login-failed-{username}")
        raise AssertionError(f"{username} could not log in: {page.locator('.errornote, .errorlist').all_inner_texts()}")


@pytest.fixture(scope="session")
def reviewer_state(browser, site, tmp_path_factory):
    """A Publisher's logged-in session, saved once (a TOTP token is accepted only once)."""
    page = new_page(browser)
    log_in(page, site, "reviewer")
    path = tmp_path_factory.mktemp("staff") / "reviewer.json"
    page.context.storage_state(path=str(path))
    page.context.close()
    return str(path)
