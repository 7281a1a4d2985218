"""Bad input never gives a 500: a boundary corpus on every public URL, and
hypothesis-generated query strings on every list view.

`make test` runs FUZZ_EXAMPLES (default 100) generated query strings per list view;
CI runs `make fuzz`, which sets it to 10,000.
"""

import os
import string
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .factories import CorrectionFactory, ReportFactory, make_case, published_report

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
MAX_LIST_BYTES = 250_000

LIST_URLS = ["cases:case-list", "cases:agency-list", "cases:report-list", "cases:charge-list", "cases:correction-list"]
PARAMS = ["quarter", "agency", "charge", "prior_charge", "subsequent_charge", "state", "aor", "citizenship",
          "report", "q", "sort", "page", "per_page", "_export", "format"]  # fmt: skip
BOUNDARY_VALUES = [
    "0", "-1", "abc", str(2**63), str(10**20), "9" * 23, "", " ", "1e9", "1.5", "0x10",
    "2018-02-30", "2018-13-01", "0000-00-00", "99999-01-01", "fy2018-q9", "fy0000-q1", "FY2018 Q2",
    "\x00", "a\x00b", "%00", "x" * 10_000, "ñandú", "日本語", "🙂", "\u202e", "\ufeff",
    "' OR 1=1 --", "1; DROP TABLE cases_detainer", '"><script>alert(1)</script>', "<b>", "{{ 7*7 }}",
    "../../etc/passwd", "-", "--case_id", "case_id,quarter", "-" * 3, "None", "null",
]  # fmt: skip


@pytest.fixture
def data():
    report = published_report()
    make_case(report, 2)
    CorrectionFactory(report=report, detainer=report.detainers.first())
    draft = ReportFactory(fy=2019, q=1)
    make_case(draft, 1)
    return report


def public_urls(report):
    case = report.detainers.first()
    agency = case.declining_agency
    return [reverse(name) for name in ["cases:home", "cases:about", *LIST_URLS]] + [
        case.get_absolute_url(),
        agency.get_absolute_url(),
        report.get_absolute_url(),
        reverse("cases:charge-detail", kwargs={"slug": "dangerous-drugs"}),
    ]


def check(response, url):
    assert response.status_code < 500, f"{url} answered {response.status_code}"
    assert response.status_code in {200, 301, 302, 400, 404}, f"{url} answered {response.status_code}"
    if response.status_code == 200 and not response.streaming:
        assert len(response.content) < MAX_LIST_BYTES, f"{url} is {len(response.content):,} bytes"


def test_boundary_corpus_on_every_public_url(client, data):
    for url in public_urls(data):
        for param in PARAMS:
            for value in BOUNDARY_VALUES:
                response = client.get(url, QUERY_STRING=urlencode({param: value}))
                check(response, f"{url}?{param}={value[:40]!r}")
        # Repeated parameters, malformed encodings and garbage query strings.
        for raw in ["page=1&page=2&page=x", "sort=a&sort=b", "%zz", "&&&=", "=x", "quarter", "a=%", "%E0%A4%A",
                    ";".join(["quarter=fy2018-q2"] * 50), "&".join(f"agency=a{n}" for n in range(300))]:  # fmt: skip
            check(client.get(url, QUERY_STRING=raw), f"{url}?{raw[:40]}")


def test_unknown_slugs_and_case_ids_are_404(client, data):
    for name, kwarg, value in [
        ("cases:case-detail", "case_id", "fy1999-q1-01"),
        ("cases:case-detail", "case_id", "x" * 200),
        ("cases:agency-detail", "slug", "no-such-agency"),
        ("cases:report-detail", "slug", "no-such-report"),
        ("cases:charge-detail", "slug", "no-such-charge"),
    ]:
        response = client.get(reverse(name, kwargs={kwarg: value}))
        assert response.status_code == 404
    for raw_path in ["/cases/%00/", "/agencies/%F0%9F%99%82/", "/cases/" + quote("<script>") + "/"]:
        assert client.get(raw_path).status_code == 404


query_values = st.one_of(
    st.sampled_from(BOUNDARY_VALUES),
    st.text(max_size=40),
    st.text(alphabet=string.ascii_lowercase + string.digits + "-", max_size=30),
    st.integers().map(str),
)
query_strings = st.one_of(
    st.lists(st.tuples(st.one_of(st.sampled_from(PARAMS), st.text(max_size=10)), query_values), max_size=8).map(
        lambda pairs: urlencode(pairs)
    ),
    st.text(max_size=200),  # raw, possibly malformed percent-encoding
)


@pytest.mark.parametrize("name", LIST_URLS)
def test_generated_query_strings_never_break_a_list(client, data, name):
    url = reverse(name)
    seen = {"count": 0}

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(query=query_strings)
    def fuzz(query):
        seen["count"] += 1
        check(client.get(url, QUERY_STRING=query), f"{url}?{query[:60]!r}")

    fuzz()
    assert seen["count"] >= min(EXAMPLES, 100)
