"""The progressive enhancements, checked in a real headless browser: the Copy link button
appears only with JavaScript, and on a phone the filter panel starts closed."""

import shutil
import subprocess
import tempfile

import pytest
from django.urls import reverse

from .public_world import build_world

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback keeps the seeded reference data (charge categories, field offices).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]


def rendered_dom(url, width):
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                f"--user-data-dir={profile}",
                f"--window-size={width},900",
                "--virtual-time-budget=3000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    return result.stdout


def test_copy_button_and_filter_panel_with_javascript(live_server):
    build_world()
    url = live_server.url + reverse("cases:case-list") + "?state=CA"

    desktop = rendered_dom(url, 1280)
    assert 'class="button share-copy" data-copy-target="share-url">Copy link</button>' in desktop
    assert '<details class="filters" open="" data-collapse-on-phone="">' in desktop

    phone = rendered_dom(url, 360)
    assert 'class="button share-copy" data-copy-target="share-url">Copy link</button>' in phone
    assert '<details class="filters" data-collapse-on-phone="">' in phone


def test_without_javascript_the_button_stays_hidden(client):
    build_world()
    html = client.get(reverse("cases:case-list")).content.decode()
    assert 'data-copy-target="share-url" hidden>Copy link</button>' in html
    assert '<details class="filters" open data-collapse-on-phone>' in html
