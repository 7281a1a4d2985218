"""Argument-free URLs reversed once (cases/urlmemo.py, the {% fixed_url %} tag): the same
as reverse() under every script prefix and URLconf, and reversed once for each."""

import io

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from cases import urlmemo

LAYOUT = ["cases:home", "cases:case-list", "cases:agency-list", "cases:report-list", "cases:charge-list",
          "cases:correction-list", "cases:stats", "cases:about", "cases:data-dictionary", "cases:report-feed",
          "cases:correction-feed"]  # fmt: skip


def test_each_is_what_reverse_gives_and_is_reversed_once(monkeypatch):
    calls = []
    monkeypatch.setattr(urlmemo, "reverse", lambda name, **kw: calls.append(name) or reverse(name, **kw))
    urlmemo._reversed.cache_clear()
    for _ in range(3):
        assert [urlmemo.fixed_url(name) for name in LAYOUT] == [reverse(name) for name in LAYOUT]
    assert calls == LAYOUT


def test_a_script_prefix_and_another_urlconf_each_give_their_own_urls():
    assert urlmemo.fixed_url("cases:case-list") == "/cases/"
    set_script_prefix("/sub/")
    try:
        assert urlmemo.fixed_url("cases:case-list") == "/sub/cases/" == reverse("cases:case-list")
    finally:
        clear_script_prefix()
    with override_settings(ROOT_URLCONF="tests.support.mirrored_urls"):
        assert urlmemo.fixed_url("cases:case-list") == "/mirror/cases/" == reverse("cases:case-list")
    assert urlmemo.fixed_url("cases:case-list") == "/cases/"


def test_a_slug_url_is_what_reverse_gives_and_a_value_reverse_refuses_is_still_refused():
    for name, kwarg, value in [("cases:agency-detail", "slug", "los-angeles-sheriff-ca"),
                               ("cases:charge-detail", "slug", "dangerous_drugs-35"),
                               ("cases:case-detail", "case_id", "fy2018-q2-01")]:  # fmt: skip
        assert urlmemo.slug_url(name, kwarg, value) == reverse(name, kwargs={kwarg: value})
        set_script_prefix("/sub/")
        try:
            assert urlmemo.slug_url(name, kwarg, value) == reverse(name, kwargs={kwarg: value})
            assert urlmemo.slug_url(name, kwarg, value).startswith("/sub/")
        finally:
            clear_script_prefix()
    pattern = urlmemo.pattern("cases:agency-detail", "slug")
    assert pattern == reverse("cases:agency-detail", kwargs={"slug": urlmemo.PLACEHOLDER}) == "/agencies/__key__/"
    assert urlmemo.slug_url("cases:agency-detail", "slug", 7) == reverse("cases:agency-detail", kwargs={"slug": 7})
    for value in ["two words", "köln", "a/b", ""]:
        with pytest.raises(NoReverseMatch):
            reverse("cases:agency-detail", kwargs={"slug": value})
        with pytest.raises(NoReverseMatch):
            urlmemo.slug_url("cases:agency-detail", "slug", value)


def _served(path, script_name):
    """The page as a WSGI server serves it: the handler sets the script prefix from SCRIPT_NAME
    (the test client does not). Connections stay open, as the test client keeps them."""
    from django.core.handlers.wsgi import WSGIHandler

    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": script_name, "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }  # fmt: skip
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        body = WSGIHandler()(environ, lambda status, headers, exc_info=None: None)
        return b"".join(body).decode()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        clear_script_prefix()


@pytest.mark.django_db
def test_a_page_served_under_a_prefix_links_under_it_and_the_next_one_does_not():
    mounted = _served("/about/", "/sub")
    assert 'href="/sub/cases/">Cases</a>' in mounted and 'href="/sub/data/"' in mounted
    plain = _served("/about/", "")
    assert 'href="/cases/">Cases</a>' in plain and 'href="/sub/' not in plain
