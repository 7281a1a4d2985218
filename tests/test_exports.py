"""?_export=csv|json|xlsx on /cases/, /agencies/ and /stats/: exactly the filtered, sorted view,
every row, streamed, escaped against formula injection, with provenance."""

import csv
import datetime as dt
import io
import json
from urllib.parse import unquote

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from cases.exports import CASE_COLUMNS, FORMULA_START, _csv_chunk, _csv_text, _may_start_formula, safe_cell

from .factories import AgencyFactory, ReportFactory, bulk_cases, make_case, publish
from .test_public_list import case_ids

pytestmark = pytest.mark.django_db

PAYLOAD = '</script><script>alert("x")</script>'


def export(client, path, query, fmt):
    separator = "&" if query else ""
    response = client.get(f"{path}?{query}{separator}_export={fmt}")
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.getvalue()
    return response, body


def parse(fmt, body):
    """``(header, rows as dicts)`` of an export in any format."""
    if fmt == "csv":
        text = body.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text[1:])))
        return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    if fmt == "json":
        data = json.loads(body)
        return data["columns"], data["results"]
    return _xlsx_rows(body)


def _xlsx_rows(body):
    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook.worksheets[0]
    values = [[("" if v is None else v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return values[0], [dict(zip(values[0], row, strict=True)) for row in values[1:]]


FILTERS = [
    "",
    "state=CA",
    "quarter=fy2018-q2&sort=-days_to_next_arrest",
    "charge=homicide",
    "subsequent_charge=dangerous-drugs",
    "citizenship=JM&citizenship=MX&sort=agency",
    "q=philadelphia",
]


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
@pytest.mark.parametrize("query", FILTERS)
def test_case_export_holds_exactly_the_filtered_list_in_its_order(client, world, fmt, query):
    listed = case_ids(client.get(reverse("cases:case-list") + (f"?{query}" if query else "")))
    response, body = export(client, reverse("cases:case-list"), query, fmt)
    header, rows = parse(fmt, body)
    assert header == [c.name for c in CASE_COLUMNS]
    assert [row["case_id"] for row in rows] == listed
    assert "fy2018-q3-01" not in body.decode("latin-1")  # the draft, never


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_case_export_contents_are_one_column_per_fact(client, world, fmt):
    _, body = export(client, reverse("cases:case-list"), "report=fy2017-q2", fmt)
    _, rows = parse(fmt, body)
    (row,) = rows
    assert row["case_id"] == "fy2017-q2-01"
    assert row["url"] == "http://testserver/cases/fy2017-q2-01/"
    assert row["declining_agency"] == "travis-county-jail-tx"
    assert row["declining_agency_name"] == "Travis County Jail"
    assert row["state"] == "TX"
    assert row["aor"] == "san-antonio"
    assert row["citizenship"] == "KH"
    assert row["citizenship_name"] == "Cambodia"
    assert row["lodged_on"] == "2017-01-12"
    assert row["released_on"] == "2017-01-20"
    assert str(row["days_to_next_arrest"]) == "40"
    if fmt == "json":
        assert row["prior_charges"] == [
            {
                "code": "22",
                "category": "Burglary",
                "kind": "conviction",
                "wording": "burglary",
                "arrested_on": "2017-01-10",
            }
        ]
        assert row["subsequent_charges"][0]["code"] == "35"
    else:
        assert row["prior_charge_codes"] == "22"
        assert row["prior_charges"] == "22 Burglary (conviction): burglary"
        assert row["subsequent_charge_codes"] == "35"
        assert row["subsequent_charges"] == "35 Dangerous Drugs (charge): possession"


def test_export_has_every_row_not_one_page(client):
    agency = AgencyFactory(name="Many Cases County", slug="many-cases-county-ca")
    report = ReportFactory(fy=2018, q=2)
    bulk_cases(report, 120, agency=agency)
    publish(report)
    for fmt in ("csv", "json", "xlsx"):
        _, body = export(client, reverse("cases:case-list"), "sort=-case_id", fmt)
        _, rows = parse(fmt, body)
        assert len(rows) == 120
        assert rows[0]["case_id"] == "fy2018-q2-120"


def test_csv_and_xlsx_escape_formula_injection(client):
    agency = AgencyFactory(name='=HYPERLINK("http://evil.example","x")', slug="evil-ca")
    report = ReportFactory(fy=2018, q=2)
    make_case(report, 1, agency=agency, prior=(("35", "@SUM(1+1)*cmd|' /C calc'!A0", "charge"),), subsequent=())
    publish(report)
    _, body = export(client, reverse("cases:case-list"), "", "csv")
    _, (row,) = parse("csv", body)
    assert row["declining_agency_name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["prior_charges"] == "35 Dangerous Drugs (charge): @SUM(1+1)*cmd|' /C calc'!A0"  # starts with 3
    _, body = export(client, reverse("cases:case-list"), "", "xlsx")
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    cell = next(c for c in sheet[2] if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.value.startswith("'=") and cell.data_type == "s"
    _, body = export(client, reverse("cases:agency-list"), "", "csv")
    assert "'=HYPERLINK" in body.decode()


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_safe_cell_prefixes_formula_starts(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("plain") == "plain" and safe_cell(12) == 12


# Cells made of the characters that matter to the CSV writer and the guard, and plain ones.
CELLS = st.one_of(
    st.text(alphabet=[*FORMULA_START, ",", '"', "\n", "a", "-", " "], max_size=6),
    st.integers(min_value=-20, max_value=20),
    st.none(),
)


@given(st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=5))
def test_a_csv_chunk_is_what_guarding_each_cell_writes(rows):
    """The Python writer writes a chunk once and guards its cells only when the text shows a
    cell that may start a formula; the bytes are those of guarding every cell."""
    assert _csv_chunk(rows) == _csv_text([[safe_cell(v) for v in row] for row in rows])


@pytest.mark.parametrize("start", FORMULA_START)
@pytest.mark.parametrize("where", [0, 1, 2])  # the first cell of the text, a later cell, a later line's first
def test_every_formula_start_is_seen_in_the_written_text(start, where):
    rows = [["plain", "text"], ["more", "x"]]
    rows[where // 2][where % 2] = start + "1, or more"
    assert _may_start_formula(_csv_text(rows))
    rows[where // 2][where % 2] = start + "1"
    assert _may_start_formula(_csv_text(rows))


def test_text_with_no_formula_start_is_written_once():
    text = _csv_text([["fy2018-q2-01", "a, b", 'say "x"', "multi\nline", 7, "2018-01"], ["x-y", "z"]])
    assert not _may_start_formula(text)


def test_json_export_is_an_api_with_provenance_and_inert_text(client, world):
    world.lapd.name = f"LAPD {PAYLOAD}"
    world.lapd.save()
    response, body = export(client, reverse("cases:case-list"), "state=CA", "json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert b"<script" not in body and b"</script" not in body
    data = json.loads(body)
    assert data["results"][0]["declining_agency_name"] == f"LAPD {PAYLOAD}"
    meta = data["meta"]
    assert meta["filter"] == "Cases · California"
    assert meta["permalink"] == "http://testserver/cases/?state=CA"
    assert meta["data_dictionary"] == "http://testserver" + reverse("cases:data-dictionary")
    assert [r["slug"] for r in meta["source_reports"]] == ["fy2018-q2"]
    assert meta["source_reports"][0]["source_url"] == "https://example.org/report.pdf"
    assert meta["exported_at"] and meta["data_as_of"]


def test_csv_export_carries_provenance_in_headers_and_is_streamed(client, world):
    response = client.get(reverse("cases:case-list") + "?state=CA&_export=csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    assert '<http://testserver/cases/?state=CA>; rel="canonical"' in response["Link"]
    assert 'rel="describedby"' in response["Link"]
    assert response["X-Export-Filter"] == "Cases %C2%B7 California"  # percent-encoded UTF-8
    assert unquote(response["X-Export-Filter"]) == "Cases · California"
    assert "fy2018-q2" in response["X-Export-Sources"]


def test_xlsx_export_has_an_about_sheet(client, world):
    _, body = export(client, reverse("cases:case-list"), "state=CA", "xlsx")
    about = load_workbook(io.BytesIO(body))["About"]
    values = {row[0]: row[1] for row in about.iter_rows(values_only=True) if row and row[0]}
    assert values["permalink"] == "http://testserver/cases/?state=CA"
    assert values["filter"] == "Cases · California"
    assert values["case_id"].startswith("The case id")


def test_a_non_canonical_export_url_redirects_keeping_the_export(client, world):
    response = client.get(reverse("cases:case-list") + "?state=ca&_export=csv")
    assert response.status_code == 301
    assert response["Location"] == "/cases/?state=CA&_export=csv"


@pytest.mark.parametrize("path", ["cases:case-list", "cases:agency-list", "cases:stats"])
@pytest.mark.parametrize("value", ["pdf", "", "CSV;drop", "x" * 500])
def test_an_unknown_export_format_is_a_clear_400(client, world, path, value):
    response = client.get(reverse(path), {"_export": value})
    assert response.status_code == 400
    assert "is not an export format. Use _export=csv, _export=json or _export=xlsx." in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_agency_export_matches_the_agency_list(client, world, fmt):
    _, body = export(client, reverse("cases:agency-list"), "sort=-case_count", fmt)
    header, rows = parse(fmt, body)
    assert header[:3] == ["agency", "url", "name"]
    assert {row["agency"]: int(row["case_count"]) for row in rows} == {
        "los-angeles-police-department-ca": 1,
        "san-luis-obispo-sheriff-ca": 1,
        "philadelphia-police-pa": 1,
        "travis-county-jail-tx": 1,
    }


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_stats_export_equals_the_charts(client, world, fmt):
    _, body = export(client, reverse("cases:stats"), "state=CA", fmt)
    header, rows = parse(fmt, body)
    assert header == ["chart", "chart_title", "key", "label", "cases", "list_url"]
    states = [(r["key"], int(r["cases"])) for r in rows if r["chart"] == "states"]
    assert states == [("CA", 2)]
    quarter = next(r for r in rows if r["chart"] == "quarters")
    assert quarter["list_url"] == "http://testserver/cases/?quarter=fy2018-q2&state=CA"


EXPORT_QUERIES = {
    # published reports of the rows (provenance); charge categories (JSON only); the rows,
    # charges included. A CSV on PostgreSQL: the reports, then the export's statement timeout,
    # the COPY and the page's timeout back (tests below).
    "cases:case-list": 3,
    # the rows with their counts
    "cases:agency-list": 2,
    # the statistics (at most 10 queries, see tests/test_stats.py); the reports of the rows
    "cases:stats": 11,
}


@pytest.mark.parametrize("n_cases", [10, 500])
@pytest.mark.parametrize("name", sorted(EXPORT_QUERIES))
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, n_cases, name, fmt):
    agency = AgencyFactory(name="Many Cases County", slug="many-cases-county-ca")
    report = ReportFactory(fy=2018, q=2)
    bulk_cases(report, n_cases, agency=agency)
    publish(report)
    expected = EXPORT_QUERIES[name]
    if (name, fmt) == ("cases:case-list", "csv"):
        expected = 4 if connection.vendor == "postgresql" else 2
    with django_assert_max_num_queries(expected):
        _, body = export(client, reverse(name), "", fmt)
    if name == "cases:case-list":
        assert len(parse(fmt, body)[1]) == n_cases


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_case_export_reads_every_chunk_through_one_query(client, monkeypatch, django_assert_num_queries, fmt):
    from cases import csvcopy, exports

    monkeypatch.setattr(exports, "CHUNK", 100)
    monkeypatch.setattr(csvcopy, "applies", lambda queryset: False)  # the Python writer, on either engine
    agency = AgencyFactory(name="Many Cases County", slug="many-cases-county-ca")
    report = ReportFactory(fy=2018, q=2)
    bulk_cases(report, 500, agency=agency)
    publish(report)
    # reports; categories (JSON only); the rows in 5 chunks through one cursor, charges
    # included (derived columns for CSV, the JSON column for JSON)
    with django_assert_num_queries(2 if fmt == "csv" else 3):
        _, body = export(client, reverse("cases:case-list"), "", fmt)
    assert len(parse(fmt, body)[1]) == 500


AWKWARD = [
    '=HYPERLINK("http://evil.example","x")',
    "-1, minus",
    "@SUM(A1)",
    "\tTabbed",
    "\rCarriage",
    'Quote " and, comma',
    "Line\nbreak",
    "Ünïcødé 中文 – dash",
    "\\.",
]


def awkward_cases():
    """Cases whose text holds every character the CSV writers treat specially, with
    missing values and month-precision dates."""
    from cases.models import Detainer, Individual

    report = ReportFactory(fy=2025, q=4, title="Report, with a comma")
    for row, text in enumerate(AWKWARD, start=1):
        agency = AgencyFactory(name=text, slug=f"awkward-{row}-ca", city=text, county="", ori="")
        case = make_case(
            report,
            row,
            agency=agency,
            citizenship=["MX", "GT", "CN", "XK", "SV", "BQ"][row % 6],  # BQ's name has a comma
            prior=(("35", text, "charge"),),
            subsequent=(("09", text, "conviction"),) if row % 2 else (),
        )
        changes = {"page": None} if row % 3 == 0 else {"page": row}
        if row % 2 == 0:
            changes.update(lodged_on=dt.date(2018, 1, 1), lodged_on_precision="month", form=text[:8])
        Detainer.objects.filter(pk=case.pk).update(**changes)
        if row % 4 == 0:
            Individual.objects.filter(pk=case.individual_id).update(gender="")
    publish(report)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="COPY writes the CSV on PostgreSQL only")
@pytest.mark.parametrize("query", ["", "sort=-lodged", "q=comma", "state=CA&sort=agency"])
def test_postgres_copy_csv_is_byte_for_byte_the_python_writers(client, world, monkeypatch, query):
    from cases import csvcopy

    awkward_cases()
    path = reverse("cases:case-list")
    with CaptureQueriesContext(connection) as queries:
        _, copied = export(client, path, query, "csv")
    assert any(q["sql"].startswith("COPY (") for q in queries.captured_queries)
    monkeypatch.setattr(csvcopy, "applies", lambda queryset: False)
    with CaptureQueriesContext(connection) as queries:
        _, written = export(client, path, query, "csv")
    assert not any(q["sql"].startswith("COPY (") for q in queries.captured_queries)
    assert copied == written
    header, rows = parse("csv", copied)
    assert len(rows) >= (len(AWKWARD) if not query else 1)
    if not query:
        assert {row["declining_agency_name"] for row in rows} >= {
            '\'=HYPERLINK("http://evil.example","x")',
            "'-1, minus",
        }


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="COPY writes the CSV on PostgreSQL only")
def test_postgres_csv_export_is_one_copy_statement_under_the_export_timeout(client, settings):
    from cases import csvcopy

    settings.EXPORT_STATEMENT_TIMEOUT_MS = 123_000
    agency = AgencyFactory(name="Many Cases County", slug="many-cases-county-ca")
    report = ReportFactory(fy=2018, q=2)
    bulk_cases(report, 50, agency=agency)
    publish(report)

    def current():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout'), current_setting('jit')")
            return cursor.fetchone()

    before = current()
    with CaptureQueriesContext(connection) as queries:
        _, body = export(client, reverse("cases:case-list"), "", "csv")
    statements = [q["sql"] for q in queries.captured_queries]
    copies = [s for s in statements if s.startswith("COPY (")]
    assert len(copies) == 1 and not any("FETCH" in s or "DECLARE" in s for s in statements)
    timeout_set = next(i for i, s in enumerate(statements) if "set_config('statement_timeout'" in s)
    assert timeout_set < statements.index(copies[0]) < statements.index(csvcopy.RESTORE)
    assert "'123000'" in statements[timeout_set] and "set_config('jit', 'off'" in statements[timeout_set]
    assert current() == before  # the page's own statement timeout and JIT are back
    assert len(parse("csv", body)[1]) == 50


# As the site runs: autocommit, no test transaction around it (serialized_rollback keeps the
# seeded reference data for the tests after it).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="COPY writes the CSV on PostgreSQL only")
def test_postgres_csv_export_abandoned_midway_leaves_the_connection_as_it_was(client, monkeypatch):
    from cases import csvcopy
    from cases.models import Detainer

    monkeypatch.setattr(csvcopy, "OUTPUT_BYTES", 200)  # a few rows per write
    agency = AgencyFactory(name="Many Cases County", slug="many-cases-county-ca")
    report = ReportFactory(fy=2018, q=2)
    bulk_cases(report, 60, agency=agency)
    publish(report)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout'), current_setting('jit')")
        before = cursor.fetchone()
    response = client.get(reverse("cases:case-list") + "?_export=csv")
    stream = iter(response.streaming_content)
    header, first_rows = next(stream), next(stream)
    assert header.startswith("\ufeffcase_id,".encode()) and first_rows.count(b"\r\n") < 60
    # The client went away: the server closes the response, which cancels the COPY. (As the
    # test client does, without closing the connection held by the test's transaction.)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout'), current_setting('jit')")
        assert cursor.fetchone() == before
    assert Detainer.objects.count() == 60  # the connection still answers


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_dates_are_exported_at_their_stored_precision(client, fmt):
    awkward_cases()  # every second case was lodged in a month only
    _, body = export(client, reverse("cases:case-list"), "sort=case_id", fmt)
    _, rows = parse(fmt, body)
    lodged = {row["case_id"]: row["lodged_on"] for row in rows}
    assert lodged["fy2025-q4-02"] == "2018-01" and lodged["fy2025-q4-01"] == "2018-01-12"
    assert {row["released_on"] for row in rows} == {"2018-01-20"}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("q=murder", "Download this case: "),
        ("q=zzzz-no-such-thing", "Download the column headers (no case matches): "),
        ("", "Download all {n:,} cases: "),
    ],
)
def test_the_download_links_say_what_they_download(client, world, query, words):
    response = client.get(reverse("cases:case-list") + f"?{query}")
    count = response.context["count"]
    html = response.content.decode()
    assert words.format(n=count) in html
    assert "all 1 case" not in html and "all 0 cases" not in html
