"""Production headers, scored with the Mozilla HTTP Observatory rules (tests/support/observatory.py)
on a real gunicorn server running the production settings."""

import urllib.error
import urllib.request

import pytest

from .support.live import production_server
from .support.observatory import score_headers

pytestmark = pytest.mark.slow
PAGES = {
    "case list": "/cases/",
    "case detail": "/cases/fy2018-q2-01/",
    "admin login": "/admin/login/",
    "404": "/no-such-page/",
    "500": "/__fail__/",
}
EXPECTED_STATUS = {"404": 404, "500": 500}


@pytest.fixture(scope="module")
def server():
    with production_server(wsgi="tests.support.error_wsgi:application") as (base, _env):
        yield base


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    body = response.read().decode("utf-8", "replace")
    return response.status, response.headers, body


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.parametrize("page", PAGES)
def test_observatory_score_is_at_least_115(server, page):
    status, headers, body = fetch(server + PAGES[page], **{"X-Forwarded-Proto": "https"})
    assert status == EXPECTED_STATUS.get(page, 200), body[:500]
    lowered = {k.lower(): v for k, v in headers.items()}
    score = score_headers(lowered, headers.get_all("Set-Cookie") or [], body)
    print(f"{page}: {score.total} ({score.grade}) {score.modifiers}")
    assert score.total >= 115, score.modifiers
    assert score.grade == "A+"
    assert lowered["cross-origin-opener-policy"] == "same-origin"
    assert "traceback" not in body.lower()


def test_plain_http_from_the_proxy_redirects_to_https(server):
    status, headers, _ = fetch(server + "/cases/", **{"X-Forwarded-Proto": "http"})
    assert status == 301
    assert headers["Location"].startswith("https://")


def test_hsts_is_a_year_or_more_with_subdomains(server):
    _, headers, _ = fetch(server + "/", **{"X-Forwarded-Proto": "https"})
    hsts = headers["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 31_536_000 and "includeSubDomains" in hsts


def test_cookies_are_secure_http_only_and_same_site(server):
    _, headers, _ = fetch(server + "/admin/login/", **{"X-Forwarded-Proto": "https"})
    cookies = headers.get_all("Set-Cookie")
    assert cookies, "the login page sets the CSRF cookie"
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
