"""Score HTTP response headers with the rules of the Mozilla (MDN) HTTP Observatory.

The Observatory starts every site at 100 and applies one modifier per test. This
implements the tests that depend on response headers; the score of a page is
100 + the sum of its modifiers, and A+ means 100 or more. HSTS preloading (+5) is
never awarded here, because it depends on the public preload list, not on headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

PRIVATE_REFERRER = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
SIX_MONTHS = 15_768_000


@dataclass
class Score:
    modifiers: dict[str, tuple[str, int]] = field(default_factory=dict)

    def add(self, test: str, result: str, modifier: int):
        self.modifiers[test] = (result, modifier)

    @property
    def total(self) -> int:
        return 100 + sum(m for _, m in self.modifiers.values())

    @property
    def grade(self) -> str:
        bands = [(100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"), (50, "C")]
        return next((grade for floor, grade in bands if self.total >= floor), "F")


def parse_csp(value: str) -> dict[str, list[str]]:
    policy = {}
    for part in value.split(";"):
        tokens = part.split()
        if tokens:
            policy.setdefault(tokens[0].lower(), [t.lower() for t in tokens[1:]])
    return policy


def _csp(score, headers):
    value = headers.get("content-security-policy")
    if not value:
        score.add("content-security-policy", "csp-not-implemented", -25)
        return {}
    policy = parse_csp(value)
    default = policy.get("default-src", [])
    scripts = policy.get("script-src", default)
    styles = policy.get("style-src", default)
    if "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or not scripts:
        score.add("content-security-policy", "csp-implemented-with-unsafe-inline", -20)
    elif "'unsafe-inline'" in styles:
        score.add("content-security-policy", "csp-implemented-with-unsafe-inline-in-style-src-only", 0)
    elif default == ["'none'"]:
        score.add("content-security-policy", "csp-implemented-with-no-unsafe-default-src-none", 10)
    else:
        score.add("content-security-policy", "csp-implemented-with-no-unsafe", 5)
    return policy


def _cookies(score, set_cookie_headers, https):
    if not set_cookie_headers:
        score.add("cookies", "cookies-not-found", 0)
        return
    ok_secure = ok_httponly = ok_samesite = True
    for header in set_cookie_headers:
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if https and not morsel["secure"]:
                ok_secure = False
            if ("session" in name.lower() or "csrf" in name.lower()) and not morsel["httponly"]:
                ok_httponly = False
            if not morsel["samesite"]:
                ok_samesite = False
    if not ok_secure:
        score.add("cookies", "cookies-without-secure-flag", -20)
    elif not ok_httponly:
        score.add("cookies", "cookies-session-without-httponly-flag", -30)
    elif ok_samesite:
        score.add("cookies", "cookies-secure-with-httponly-sessions-and-samesite", 5)
    else:
        score.add("cookies", "cookies-secure-with-httponly-sessions", 0)


def score_headers(headers: dict[str, str], set_cookie_headers: list[str], html: str = "", *, https=True) -> Score:
    """``headers`` with lower-case names; ``set_cookie_headers`` each a raw Set-Cookie value;
    ``html`` the body, whose scripts the subresource-integrity test inspects."""
    score = Score()
    policy = _csp(score, headers)
    _cookies(score, set_cookie_headers, https)

    acao = headers.get("access-control-allow-origin")
    score.add("cors", "cross-origin-resource-sharing-implemented-with-universal-access" if acao == "*" else
              "cross-origin-resource-sharing-not-implemented", 0)  # fmt: skip

    referrer = [p.strip().lower() for p in headers.get("referrer-policy", "").split(",") if p.strip()]
    if not referrer:
        score.add("referrer-policy", "referrer-policy-not-implemented", 0)
    elif referrer[-1] in PRIVATE_REFERRER:
        score.add("referrer-policy", "referrer-policy-private", 5)
    elif referrer[-1] in {"unsafe-url", "no-referrer-when-downgrade"}:
        score.add("referrer-policy", "referrer-policy-unsafe", -5)
    else:
        score.add("referrer-policy", "referrer-policy-no-referrer-when-downgrade", 0)

    hsts = headers.get("strict-transport-security", "")
    max_age = next((int(p.split("=", 1)[1]) for p in hsts.split(";") if p.strip().lower().startswith("max-age=")), None)
    if max_age is None:
        score.add("strict-transport-security", "hsts-not-implemented", -20)
    elif max_age < SIX_MONTHS:
        score.add("strict-transport-security", "hsts-implemented-max-age-less-than-six-months", -10)
    else:
        score.add("strict-transport-security", "hsts-implemented-max-age-at-least-six-months", 0)

    if headers.get("x-content-type-options", "").strip().lower() == "nosniff":
        score.add("x-content-type-options", "x-content-type-options-nosniff", 0)
    else:
        score.add("x-content-type-options", "x-content-type-options-not-implemented", -5)

    ancestors = policy.get("frame-ancestors")
    xfo = headers.get("x-frame-options", "").strip().upper()
    if ancestors in (["'none'"], ["'self'"]):
        score.add("x-frame-options", "x-frame-options-implemented-via-csp", 5)
    elif xfo in {"DENY", "SAMEORIGIN"}:
        score.add("x-frame-options", "x-frame-options-sameorigin-or-deny", 0)
    else:
        score.add("x-frame-options", "x-frame-options-not-implemented", -20)

    scripts = re.findall(r"<script\b([^>]*)>", html, flags=re.IGNORECASE)
    sources = [re.search(r"""src=["']([^"']+)""", attrs) for attrs in scripts]
    external = [m[1] for m in sources if m and re.match(r"^(https?:)?//", m[1])]
    if not scripts:
        score.add("subresource-integrity", "sri-not-implemented-but-no-scripts-loaded", 0)
    elif external and not all("integrity=" in attrs for attrs in scripts):
        score.add("subresource-integrity", "sri-not-implemented-but-external-scripts-loaded-securely", -5)
    else:
        score.add("subresource-integrity", "sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0)
    return score
