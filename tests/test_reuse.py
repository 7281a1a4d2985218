"""Feeds, sitemap, robots.txt, Dataset JSON-LD, citations, the quarter comparison and the data
dictionary: parsed, with staff-entered script payloads inert and drafts never shown."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from cases.exports import AGENCY_COLUMNS, CASE_COLUMNS, STATS_COLUMNS

from .factories import CorrectionFactory
from .public_world import text

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PAYLOAD = '</script><script>alert("x")</script>'


def feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entries(root):
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_case_feed_for_a_filtered_view(client, world):
    root = feed(client, reverse("cases:case-feed") + "?state=CA")
    assert root.findtext(f"{ATOM}title") == "Declined Detainers Database: new cases · California"
    items = entries(root)
    assert [item["link"] for item in items] == [
        "http://testserver/cases/fy2018-q2-02/",
        "http://testserver/cases/fy2018-q2-01/",
    ]
    assert items[1]["title"] == "Case fy2018-q2-01: Los Angeles Police Department (CA)"
    assert "listed in Declined Detainer Report, FY2018 Q2, row 1" in items[1]["summary"]
    alternate = root.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == "http://testserver/cases/?state=CA"


def test_case_feed_without_filters_has_every_published_case_and_never_a_draft(client, world):
    links = [item["link"] for item in entries(feed(client, reverse("cases:case-feed")))]
    assert sorted(link.rsplit("/", 2)[1] for link in links) == [
        "fy2017-q2-01",
        "fy2018-q2-01",
        "fy2018-q2-02",
        "fy2018-q2-03",
    ]


def test_case_feed_says_which_filter_it_did_not_understand(client, world):
    root = feed(client, reverse("cases:case-feed") + "?quarter=nonsense")
    assert "is not a fiscal quarter" in root.findtext(f"{ATOM}subtitle")


def test_report_and_correction_feeds_never_show_drafts(client, world):
    reports = entries(feed(client, reverse("cases:report-feed")))
    assert {item["link"] for item in reports} == {
        "http://testserver/reports/fy2018-q2/",
        "http://testserver/reports/fy2017-q2/",
    }
    assert "3 cases transcribed here; the report states 16." in next(
        item["summary"] for item in reports if "fy2018-q2" in item["link"]
    )
    CorrectionFactory(report=world.draft, what_changed="Draft-only correction.")
    corrections = entries(feed(client, reverse("cases:correction-feed")))
    assert len(corrections) == 1
    assert corrections[0]["link"] == "http://testserver/cases/fy2017-q2-01/"
    assert "Agency corrected to Travis." in corrections[0]["summary"]


def test_staff_text_is_inert_in_feeds(client, world):
    world.lapd.name = f"LAPD {PAYLOAD}"
    world.lapd.save()
    CorrectionFactory(report=world.q2, what_changed=PAYLOAD)
    raw = (
        client.get(reverse("cases:case-feed")).content.decode()
        + client.get(reverse("cases:correction-feed")).content.decode()
    )
    assert "<script" not in raw
    # A reader renders an html summary as HTML: after XML decoding it must still be escaped text.
    summaries = [item["summary"] for item in entries(feed(client, reverse("cases:correction-feed")))]
    assert any("&lt;/script&gt;&lt;script&gt;" in summary for summary in summaries)
    assert not any("<script" in summary for summary in summaries)


@pytest.mark.parametrize(
    ("url_name", "kwargs", "feed_path"),
    [
        ("cases:home", {}, "/reports/feed/"),
        ("cases:correction-list", {}, "/corrections/feed/"),
        ("cases:case-list", {}, "/cases/feed/"),
        ("cases:stats", {}, "/cases/feed/"),
        ("cases:agency-detail", {"slug": "travis-county-jail-tx"}, "/cases/feed/?agency=travis-county-jail-tx"),
        ("cases:report-detail", {"slug": "fy2018-q2"}, "/reports/feed/"),
    ],
)
def test_pages_link_their_feeds(client, world, url_name, kwargs, feed_path):
    html = text(client.get(reverse(url_name, kwargs=kwargs)))
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="http://testserver{feed_path}"' in html


def test_sitemap_covers_every_public_detail_page_and_no_draft(client, world):
    index = ET.fromstring(client.get(reverse("cases:sitemap-index")).content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert len(sections) == 5
    urls = set()
    for section in sections:
        response = client.get(section.replace("http://testserver", ""))
        assert response.status_code == 200
        urls.update(loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc"))
    for path in (
        "/cases/fy2018-q2-01/",
        "/cases/fy2018-q2-02/",
        "/cases/fy2018-q2-03/",
        "/cases/fy2017-q2-01/",
        "/reports/fy2018-q2/",
        "/reports/fy2017-q2/",
        "/agencies/travis-county-jail-tx/",
        "/charges/homicide/",
        "/stats/",
        "/data/",
    ):
        assert f"http://testserver{path}" in urls, path
    assert "http://testserver/cases/fy2018-q3-01/" not in urls
    assert "http://testserver/reports/fy2018-q3/" not in urls


def test_robots_txt_points_to_the_sitemap(client, world):
    response = client.get(reverse("cases:robots"))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "User-agent: *" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /*?*_export=" in body


def jsonld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_home_page_dataset_jsonld(client, world):
    data = jsonld(client.get(reverse("cases:home")).content.decode())
    assert data["@context"] == "https://schema.org" and data["@type"] == "Dataset"
    assert data["name"] == "Declined Detainers Database"
    assert "case_id" in data["variableMeasured"]
    assert {d["encodingFormat"] for d in data["distribution"]} == {
        "text/csv",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def test_report_jsonld_is_inert_with_a_script_payload(client, world):
    world.q2.scope_notes = PAYLOAD
    world.q2.save()
    html = client.get(world.q2.get_absolute_url()).content.decode()
    data = jsonld(html)
    assert data["description"] == PAYLOAD  # the text survives, as data
    assert data["name"] == "Declined Detainer Report, FY2018 Q2"
    assert data["temporalCoverage"] == "2018-01-01/2018-03-31"
    assert data["distribution"][0]["contentUrl"] == "http://testserver/cases/?report=fy2018-q2&_export=csv"
    assert 'alert("x")</script>' not in html.split('type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert html.count("<script") == html.count("</script>")  # nothing broke out of the data block


def test_data_dictionary_lists_every_exported_column_and_has_jsonld(client, world):
    html = text(client.get(reverse("cases:data-dictionary")))
    for column in CASE_COLUMNS + AGENCY_COLUMNS + STATS_COLUMNS:
        assert f"<code>{column.name}</code>" in html, column.name
    assert jsonld(html)["@type"] == "Dataset"


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/cases/fy2018-q2-01/", "Case fy2018-q2-01 · Los Angeles Police Department (CA)"),
        ("/reports/fy2018-q2/", "Declined Detainer Report, FY2018 Q2"),
        ("/agencies/travis-county-jail-tx/", "Travis County Jail (TX)"),
        ("/cases/?state=CA", "2 cases · California"),
        ("/stats/?state=CA", "Statistics: 2 cases · California"),
    ],
)
def test_cite_this_block_in_plain_text_and_bibtex(client, world, url, title):
    html = text(client.get(url))
    assert '<h2 id="cite-title">Cite this</h2>' in html
    plain = re.search(r'<textarea id="cite-text"[^>]*>(.*?)</textarea>', html).group(1)
    assert plain.startswith(
        f"Declined Detainers Database. “{title}.” http://testserver{url.replace('&', '&amp;')} (data as of "
    )
    assert "; retrieved " in plain
    bibtex = re.search(r'<textarea id="cite-bibtex"[^>]*>(.*?)</textarea>', html).group(1)
    assert bibtex.startswith("@misc{declined-detainers-database-")
    assert f"howpublished = {{\\url{{http://testserver{url.replace('&', '&amp;')}}}}}" in bibtex
    assert 'data-cite-copy="cite-text"' in html


def test_compare_two_quarters(client, world):
    response = client.get(reverse("cases:compare"), {"a": "fy2017-q2", "b": "fy2018-q2"})
    comparison = response.context["comparison"]
    assert (comparison.total.a, comparison.total.b, comparison.total.difference_text) == (1, 3, "+2")
    agencies = {row.label: (row.a, row.b, row.difference) for row in comparison.agencies}
    assert agencies == {
        "Travis County Jail, TX": (1, 0, -1),
        "Los Angeles Police Department, CA": (0, 1, 1),
        "San Luis Obispo County Sheriff's Office, CA": (0, 1, 1),
        "Philadelphia Police Department, PA": (0, 1, 1),
    }
    subsequent = {row.label: (row.a, row.b) for row in comparison.subsequent}
    assert subsequent == {"35 Dangerous Drugs": (1, 0), "09 Homicide": (0, 1), "11 Sexual Assault": (0, 1)}
    # Every count opens a list with exactly that count.
    for row in [comparison.total, *comparison.agencies, *comparison.prior, *comparison.subsequent]:
        assert client.get(row.a_url).context["count"] == row.a, row.a_url
        assert client.get(row.b_url).context["count"] == row.b, row.b_url
    html = text(response)
    assert "FY2017 Q2 compared with FY2018 Q2" in html
    assert 'value="http://testserver/stats/compare/?a=fy2017-q2&amp;b=fy2018-q2"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"a": "fy2018-q9", "b": "fy2018-q2"}, "Quarter a: “fy2018-q9” is not a fiscal quarter."),
        ({"a": "fy2018-q2"}, "Quarter b: “nothing” is not a fiscal quarter."),
        ({"a": "fy0001-q1", "b": "<script>"}, "Quarter b: “&lt;script&gt;” is not a fiscal quarter."),
    ],
)
def test_compare_with_invalid_quarters_gives_a_clear_message(client, world, query, message):
    response = client.get(reverse("cases:compare"), query)
    assert response.status_code == 400
    assert message in re.sub(r"\s+", " ", response.content.decode())


def test_compare_form_offers_the_quarters_with_cases(client, world):
    response = client.get(reverse("cases:compare"))
    assert response.status_code == 200
    assert [q.slug for q in response.context["quarters"]] == ["fy2018-q2", "fy2017-q2"]  # no draft quarter
