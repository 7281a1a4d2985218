"""Hostile staff-entered text comes out inert everywhere, and nothing staff-only or
draft ever reaches a public page, export, feed, sitemap or search result."""

import io
import json
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cases.models import Correction, Individual

from .factories import AgencyFactory, ArrestChargeFactory, ReportFactory, make_case, publish

pytestmark = pytest.mark.django_db

PAYLOAD = "</script><script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
RAW_MARKERS = ["<script>alert(1)", "<img src=x onerror", "</script><script>"]
DRAFT_MARKER = "Zq9DraftOnlyMarker"


@pytest.fixture
def hostile():
    """A published report whose every free-text field staff can fill holds the payload,
    and a draft report whose text must never be public."""
    agency = AgencyFactory(name=f"Hostile {PAYLOAD}", slug="hostile-ca", city=PAYLOAD, county=PAYLOAD, notes=PAYLOAD)
    report = ReportFactory(
        title=f"Report {PAYLOAD}",
        publisher=PAYLOAD,
        source_citation=PAYLOAD,
        scope_notes=PAYLOAD,
        methodology_notes=PAYLOAD,
    )
    case = make_case(report, 1, agency=agency, prior=(("35", PAYLOAD, "charge"),))
    Individual.objects.filter(pk=case.individual_id).update(notes=PAYLOAD)
    case.agency_response = PAYLOAD
    case.custody_arrest.citation = PAYLOAD
    case.custody_arrest.save()
    case.save()
    staff = get_user_model().objects.create_user("Zq9StaffOnlyName", is_staff=True)
    Correction.objects.create(
        report=report, detainer=case, what_changed=PAYLOAD, reason=PAYLOAD, source=PAYLOAD, recorded_by=staff
    )
    publish(report)

    draft_agency = AgencyFactory(name=f"{DRAFT_MARKER} County", slug="draft-only-ca")
    draft = ReportFactory(fy=2019, q=1, title=f"{DRAFT_MARKER} report")
    draft_case = make_case(draft, 1, agency=draft_agency)
    ArrestChargeFactory(arrest=draft_case.custody_arrest, wording=DRAFT_MARKER)
    Correction.objects.create(report=draft, what_changed=DRAFT_MARKER, reason="x", source="y")
    case.refresh_from_db()
    return case


def public_urls(case):
    report, agency = case.report, case.declining_agency
    filtered = {"quarter": report.quarter, "agency": agency.slug}
    return [
        (reverse("cases:home"), {}),
        (reverse("cases:about"), {}),
        (reverse("cases:case-list"), {}),
        (reverse("cases:case-list"), filtered),
        (reverse("cases:case-list"), {"q": "Hostile"}),
        (case.get_absolute_url(), {}),
        (agency.get_absolute_url(), {}),
        (report.get_absolute_url(), {}),
        (reverse("cases:charge-detail", kwargs={"slug": "dangerous-drugs"}), {}),
        (reverse("cases:agency-list"), {}),
        (reverse("cases:report-list"), {}),
        (reverse("cases:charge-list"), {}),
        (reverse("cases:correction-list"), {}),
        (reverse("cases:stats"), {}),
        (reverse("cases:stats"), filtered),
        (reverse("cases:compare"), {"a": report.quarter, "b": "fy2019-q1"}),
        (reverse("cases:data-dictionary"), {}),
        (reverse("cases:case-feed"), {}),
        (reverse("cases:case-feed"), filtered),
        (reverse("cases:report-feed"), {}),
        (reverse("cases:correction-feed"), {}),
        (reverse("cases:sitemap-index"), {}),
        (reverse("cases:robots"), {}),
    ]


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def body_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def test_payload_is_inert_in_every_page_and_feed(client, hostile):
    for url, params in public_urls(hostile):
        response = client.get(url, params)
        assert response.status_code == 200, url
        body = body_of(response)
        for marker in RAW_MARKERS:
            assert marker not in body, f"{url} {params} contains {marker!r} unescaped"
    # The payload did reach the pages, escaped: the test would catch a page that drops it.
    html = body_of(client.get(hostile.get_absolute_url()))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_json_ld_blocks_cannot_be_broken_out_of(client, hostile):
    for url in [reverse("cases:home"), hostile.report.get_absolute_url(), reverse("cases:data-dictionary")]:
        html = body_of(client.get(url))
        blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, flags=re.S)
        assert blocks, f"no JSON-LD on {url}"
        for block in blocks:
            assert "<" not in block, f"{url}: a raw '<' inside JSON-LD"
            json.loads(block)


def test_exports_carry_the_text_as_data_not_markup(client, hostile):
    url = reverse("cases:case-list")
    csv_response = client.get(url, {"_export": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response["X-Content-Type-Options"] == "nosniff"
    json_response = client.get(url, {"_export": "json"})
    assert json_response["Content-Type"].startswith("application/json")
    data = json.loads(body_of(json_response))
    assert PAYLOAD in list(strings(data))  # kept verbatim, as data
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(url, {"_export": "xlsx"}).streaming_content)))
    cells = [c.value for sheet in workbook for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(value.startswith(("=", "+", "-", "@")) for value in cells)


def test_admin_pages_escape_the_payload(admin_client, hostile):
    for url in [
        reverse("admin:cases_agency_changelist"),
        reverse("admin:cases_agency_change", args=[hostile.declining_agency_id]),
        reverse("admin:cases_report_changelist"),
        reverse("admin:cases_report_change", args=[hostile.report_id]),
        reverse("admin:cases_detainer_change", args=[hostile.pk]),
        reverse("admin:cases_individual_change", args=[hostile.individual_id]),
        reverse("admin:cases_correction_changelist"),
        reverse("admin:cases_agency_history", args=[hostile.declining_agency_id]),
    ]:
        body = body_of(admin_client.get(url))
        for marker in RAW_MARKERS:
            assert marker not in body, f"{url} contains {marker!r} unescaped"


def test_drafts_and_staff_only_fields_never_leak(client, hostile):
    # Searching for draft-only text finds nothing (the page echoes only the query itself).
    search = body_of(client.get(reverse("cases:case-list"), {"q": DRAFT_MARKER}))
    assert '<h1 class="share-sentence">0 cases' in search
    found = json.loads(body_of(client.get(reverse("cases:case-list"), {"q": DRAFT_MARKER, "_export": "json"})))
    assert found["results"] == []
    urls = public_urls(hostile) + [
        (reverse("cases:case-list"), {"_export": "csv"}),
        (reverse("cases:case-list"), {"_export": "json"}),
        (reverse("cases:agency-list"), {"_export": "csv"}),
        (reverse("cases:stats"), {"_export": "json"}),
    ]
    sitemap_sections = re.findall(r"<loc>([^<]+)</loc>", body_of(client.get(reverse("cases:sitemap-index"))))
    urls += [(loc.split("testserver", 1)[-1], {}) for loc in sitemap_sections]
    for url, params in urls:
        response = client.get(url, params)
        assert response.status_code == 200, (url, params)
        body = body_of(response)
        assert DRAFT_MARKER not in body, f"{url} {params} shows draft data"
        assert "Zq9StaffOnlyName" not in body, f"{url} {params} shows a staff user name"
    for slug in ["draft-only-ca"]:
        assert client.get(reverse("cases:agency-detail", kwargs={"slug": slug})).status_code == 404
    assert client.get(reverse("cases:report-detail", kwargs={"slug": "fy2019-q1"})).status_code == 404
    assert client.get(reverse("cases:case-detail", kwargs={"case_id": "fy2019-q1-01"})).status_code == 404
