"""Exports of exactly the current view, as CSV, JSON or XLSX, streamed.

Rows come from ``values()`` in chunks, so memory stays flat and the number of queries
per chunk is fixed (one for the rows, one for their charges). Every export carries its
provenance: HTTP headers on every format, a ``meta`` object in JSON, an "About" sheet
in XLSX. The columns are documented on the public data dictionary page, generated from
the same ``Column`` lists used here.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import tempfile
from dataclasses import dataclass
from itertools import islice
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CharField, Func
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django_countries import countries

from . import lookups, urlmemo
from .dates import Precision
from .services.derive import CHARGE_COLUMNS

FORMATS = ("csv", "json", "xlsx")
CHUNK = 2000  # rows read per query (and their charges in one more)
OUTPUT_ROWS = 500  # rows per chunk written to the client: one socket write, not one per row
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CHARS = frozenset(FORMULA_START)  # the same, for the CSV writer's inner loop
# "<", ">" and "&" as JSON escapes: a JSON export stays inert even if pasted into HTML.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


class InvalidExport(ValueError):
    pass


def export_format(value):
    value = (value or "").strip().lower()
    if value not in FORMATS:
        raise InvalidExport(f"“{value[:40]}” is not an export format. Use _export=csv, _export=json or _export=xlsx.")
    return value


def safe_cell(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def json_dumps(value):
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)


@dataclass(frozen=True)
class Column:
    name: str
    description: str


@dataclass
class Export:
    """What a view exports: a name, its columns, an iterable of rows (lists), and provenance."""

    name: str
    columns: list
    rows: object
    meta: dict
    json_rows: object = None  # rows as objects for JSON (defaults to dicts of the columns)
    csv_chunks: object = None  # a callable giving the CSV's data rows already written, as bytes

    def json_items(self):
        if self.json_rows is not None:
            return self.json_rows
        names = [c.name for c in self.columns]
        return (dict(zip(names, row, strict=True)) for row in self.rows)


# ---------------------------------------------------------------------------------------
# Cases


CASE_COLUMNS = [
    Column("case_id", "The case id: the report slug and the row number, e.g. fy2018-q2-07."),
    Column("url", "The case's page on this site."),
    Column("report", "Slug of the report that lists the case."),
    Column("report_title", "Title of that report."),
    Column("report_row", "Row number in the report."),
    Column("report_page", "Page in the source document, when recorded."),
    Column("quarter", "Fiscal quarter of the report, e.g. fy2018-q2 (FY N runs October to September)."),
    Column("declining_agency", "Slug of the agency that declined the detainer."),
    Column("declining_agency_name", "Name of the agency that declined the detainer."),
    Column("declining_agency_type", "Its type: police, sheriff, county_jail, state or other."),
    Column("declining_agency_ori", "Its FBI ORI, when known."),
    Column("city", "City of the declining agency."),
    Column("county", "County of the declining agency."),
    Column("state", "Two-letter state code of the declining agency."),
    Column("aor", "Slug of the ICE field office (Area of Responsibility) of the declining agency."),
    Column("citizenship", "Two-letter ISO country code of the individual's citizenship."),
    Column("citizenship_name", "Name of that country."),
    Column("gender", "female, male, or empty when not reported."),
    Column("lodged_on", "Date the detainer was lodged: YYYY-MM-DD, or YYYY-MM when only the month is known."),
    Column("declined_on", "Date ICE learned of the decline, same format."),
    Column("released_on", "Date of release, same format."),
    Column("form", "Detainer form, e.g. I-247A."),
    Column("verification_status", "as_reported, disputed, corrected or retracted."),
    Column(
        "days_to_next_arrest",
        "Days from release to the next arrest; empty unless both dates are known to the day.",
    ),
    Column("prior_charge_codes", "NCIC codes of charges up to release, in order, separated by |."),
    Column(
        "prior_charges",
        "Charges up to release, separated by ' | ', each as 'CODE Category (charge|conviction): wording as published'.",
    ),
    Column("subsequent_charge_codes", "NCIC codes of charges at arrests after release, separated by |."),
    Column("subsequent_charges", "Charges at arrests after release, in the same form as prior_charges."),
    Column("source_url", "URL of the report's source, when one is held."),
]

CASE_FIELDS = (
    "case_id",
    "report__slug",
    "report__title",
    "row",
    "page",
    "quarter",
    "declining_agency__slug",
    "declining_agency__name",
    "declining_agency__agency_type",
    "declining_agency__ori",
    "declining_agency__city",
    "declining_agency__county",
    "declining_agency__state",
    "declining_agency__aor__slug",
    "citizenship",
    "individual__gender",
    "lodged_on",
    "lodged_on_precision",
    "declined_on",
    "declined_on_precision",
    "released_on",
    "released_on_precision",
    "form",
    "verification_status",
    "days_to_next_arrest",
    "report__source_url",
)
# CSV and XLSX print the charges as stored text (derive.charge_columns); JSON lists them.
TABLE_CHARGE_FIELDS = tuple(CHARGE_COLUMNS)
JSON_CHARGE_COLUMNS = {"prior_charge_codes", "prior_charges", "subsequent_charge_codes", "subsequent_charges"}


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _iso_of(value, precision):
    """ISO 8601 at the stored precision (as PartialDate.iso), from the date as ISO text."""
    if value is None:
        return ""
    return value[:7] if precision == Precision.MONTH else value


class IsoDateText(Func):
    """A date read as its ISO text, YYYY-MM-DD: no date object is built for each cell only
    to be written back as text (a fifth of the Python writer's time on SQLite)."""

    template = "CAST(%(expressions)s AS TEXT)"  # SQLite stores dates as this text
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM-DD')", **extra)


DATE_FIELDS = ("lodged_on", "declined_on", "released_on")


def _charge_dicts(charges, categories):
    """``Detainer.charges`` entries as the JSON export shows them."""
    return [
        {"code": categories[c][0], "category": categories[c][2], "kind": kind, "wording": wording, "arrested_on": on}
        for c, kind, wording, on in charges
    ]


def case_records(queryset, *extra):
    """Rows (tuples of CASE_FIELDS, then ``extra``) for every case, in the queryset's order,
    read in chunks by one query each. No arrest or charge is read: the charges come from
    columns derived on the case."""
    texts = {f"{name}_iso": IsoDateText(name) for name in DATE_FIELDS}
    fields = [f"{name}_iso" if name in DATE_FIELDS else name for name in CASE_FIELDS]
    return queryset.annotate(**texts).values_list(*fields, *extra).iterator(chunk_size=CHUNK)


@functools.cache
def _country_names():
    # Plain strings: a lazy translation per row costs more than the rest of the row.
    return {code: str(name) for code, name in countries}


def _case_values(row, url_of, countries):
    """One row of CASE_FIELDS (and any charge columns after them) as export cells."""
    (case_id, report, report_title, report_row, page, quarter, agency, agency_name, agency_type, ori, city, county,
     state, aor, citizenship, gender, lodged, lodged_precision, declined, declined_precision, released,
     released_precision, form, status, days, source_url, *charges) = row  # fmt: skip
    return [
        case_id, url_of(case_id), report, report_title, report_row, page, quarter, agency, agency_name, agency_type,
        ori, city, county, state, aor or "", citizenship, countries.get(citizenship, ""), gender,
        _iso_of(lodged, lodged_precision), _iso_of(declined, declined_precision), _iso_of(released, released_precision),
        form, status, days, *charges, source_url,
    ]  # fmt: skip


def case_export(queryset, meta, absolute):
    """The cases of ``queryset`` (already filtered and ordered). ``absolute`` makes a full URL."""
    names = [c.name for c in CASE_COLUMNS if c.name not in JSON_CHARGE_COLUMNS]
    pattern = urlmemo.pattern("cases:case-detail", "case_id")
    countries = _country_names()

    def url_of(case_id):
        return absolute(pattern.replace(urlmemo.PLACEHOLDER, case_id))

    def rows():
        for row in case_records(queryset, *TABLE_CHARGE_FIELDS):
            yield _case_values(row, url_of, countries)

    def json_rows():
        categories = lookups.categories()
        for *row, charges in case_records(queryset, "charges"):
            item = dict(zip(names, _case_values(row, url_of, countries), strict=True))
            item["prior_charges"] = _charge_dicts(charges.get("prior", []), categories)
            item["subsequent_charges"] = _charge_dicts(charges.get("subsequent", []), categories)
            yield item

    from . import csvcopy  # it builds on this module

    def csv_chunks():
        prefix, suffix = url_of(urlmemo.PLACEHOLDER).split(urlmemo.PLACEHOLDER)
        return csvcopy.chunks(queryset, prefix, suffix, countries)

    return Export("cases", CASE_COLUMNS, rows(), meta, json_rows(), csv_chunks if csvcopy.applies(queryset) else None)


# ---------------------------------------------------------------------------------------
# Agencies


AGENCY_COLUMNS = [
    Column("agency", "The agency's slug, its stable public identifier on this site."),
    Column("url", "The agency's page on this site."),
    Column("name", "Name of the agency."),
    Column("agency_type", "police, sheriff, county_jail, state or other."),
    Column("ori", "FBI Originating Agency Identifier, when known."),
    Column("city", "City."),
    Column("county", "County."),
    Column("state", "Two-letter state code."),
    Column("aor", "Slug of its ICE field office (AOR)."),
    Column("aor_name", "Name of its ICE field office (AOR)."),
    Column("parent_agency", "Slug of the parent agency (e.g. the sheriff that runs a jail), if any."),
    Column("case_count", "Published cases in which it declined a detainer."),
]


def agency_export(queryset, meta, absolute):
    fields = ("slug", "name", "agency_type", "ori", "city", "county", "state", "aor__slug", "aor__name", "parent__slug")

    pattern = urlmemo.pattern("cases:agency-detail", "slug")

    def rows():
        for row in queryset.values(*fields, "case_count").iterator(chunk_size=CHUNK):
            yield [
                row["slug"],
                absolute(pattern.replace(urlmemo.PLACEHOLDER, row["slug"])),
                *(row[f] or "" for f in fields[1:]),
                row["case_count"],
            ]

    return Export("agencies", AGENCY_COLUMNS, rows(), meta)


# ---------------------------------------------------------------------------------------
# Statistics


STATS_COLUMNS = [
    Column("chart", "Which count: quarters, agencies, states, aors, prior, subsequent, citizenship or days."),
    Column("chart_title", "The chart's title on the statistics page."),
    Column(
        "key",
        "The value counted: a quarter slug, agency slug, state code, AOR slug, category slug, "
        "country code, or a range of days.",
    ),  # fmt: skip
    Column("label", "The value as shown on the page."),
    Column("cases", "Number of cases."),
    Column("list_url", "The case list holding exactly these cases, when the list can express it."),
]


def stats_export(charts, meta, absolute):
    def rows():
        for chart in charts:
            for bar in chart.bars:
                yield [chart.slug, chart.title, bar.key, bar.label, bar.value, absolute(bar.url) if bar.url else ""]

    return Export("statistics", STATS_COLUMNS, rows(), meta)


# ---------------------------------------------------------------------------------------
# Writers


def _headers(response, export, fmt):
    meta = export.meta
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="{export.name}-{stamp}.{fmt}"'
    response["Link"] = f'<{meta["permalink"]}>; rel="canonical", <{meta["data_dictionary"]}>; rel="describedby"'
    response["X-Export-Filter"] = quote(meta["filter"], safe=" ,;:()'/")
    response["X-Export-Time"] = meta["exported_at"]
    response["X-Export-Sources"] = quote(", ".join(r["url"] for r in meta["source_reports"])[:4000], safe=":/,. ")
    response["Cache-Control"] = "no-store"
    return response


# Formula starts other than "-" (common in slugs and dates) and CR (the end of every line).
_RARE_FORMULA_START = "".join(c for c in FORMULA_START if c not in "-\r")


def _may_start_formula(text):
    """Whether a cell of the csv module's ``text`` may start with a formula character: true
    for every such text, and for some others (a false alarm costs the chunk a second
    writing, each cell guarded). A cell starts a line or follows a comma; a quoted one
    starts with a double quote. So a cell starting with ``-`` shows as ``,-``, ``"-`` or a
    line starting with ``-``; one starting with CR is always quoted (``"CR``); the rarer
    characters are looked for anywhere. Each test is one search in C: on the synthetic cases,
    about a quarter of the time of testing each cell."""
    return (
        any(c in text for c in _RARE_FORMULA_START)
        or text[:1] == "-"
        or ",-" in text
        or "\n-" in text
        or ('"' in text and ('"-' in text or '"\r' in text))
    )


def _csv_text(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _csv_chunk(rows):
    """``rows`` as CSV, each text cell through the formula guard (safe_cell)."""
    text = _csv_text(rows)
    if _may_start_formula(text):  # a cell may start a formula: write them again, each cell guarded
        text = _csv_text(
            [[("'" + v) if v.__class__ is str and v[:1] in FORMULA_CHARS else v for v in row] for row in rows]
        )
    return text


def csv_response(export):
    def stream():
        # A BOM, so spreadsheet programs read the file as UTF-8.
        yield "\ufeff" + _csv_text([[c.name for c in export.columns]])
        if export.csv_chunks is not None:
            yield from export.csv_chunks()
            return
        for chunk in _chunks(export.rows, OUTPUT_ROWS):
            yield _csv_chunk(chunk)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    return _headers(response, export, "csv")


def json_response(export):
    def stream():
        yield '{"meta": ' + json_dumps(export.meta) + ', "columns": '
        yield json_dumps([c.name for c in export.columns]) + ', "results": ['
        separator = ""
        for chunk in _chunks(export.json_items(), OUTPUT_ROWS):
            yield separator + ",\n".join(json_dumps(item) for item in chunk)
            separator = ",\n"
        yield "]}\n"

    response = StreamingHttpResponse(stream(), content_type="application/json; charset=utf-8")
    return _headers(response, export, "json")


def xlsx_response(export):
    """openpyxl's write-only mode keeps rows on disk; the finished file is streamed from disk."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(export.name[:31])
    sheet.append([c.name for c in export.columns])
    for row in export.rows:
        sheet.append([_xlsx_cell(sheet, value, WriteOnlyCell) for value in row])
    about = workbook.create_sheet("About")
    for key, value in export.meta.items():
        if key == "source_reports":
            for report in value:
                about.append(["source_report", safe_cell(report["title"]), report["url"]])
        else:
            about.append([key, safe_cell(str(value))])
    about.append([])
    about.append(["column", "description"])
    for column in export.columns:
        about.append([column.name, column.description])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it once sent
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(
        handle, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", as_attachment=True
    )
    return _headers(response, export, "xlsx")


def _xlsx_cell(sheet, value, cell_class):
    if isinstance(value, str):
        # Stored as a string cell, never a formula, whatever it starts with.
        cell = cell_class(sheet, value=safe_cell(value))
        cell.data_type = "s"
        return cell
    return value


WRITERS = {"csv": csv_response, "json": json_response, "xlsx": xlsx_response}


def response(export, fmt):
    return WRITERS[fmt](export)
