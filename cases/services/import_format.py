"""The report import file: its columns, reading CSV/XLSX into rows, and reading each cell.

One file holds one report, one row per case. The format is documented for staff in
docs/entering-a-report.md; ``COLUMNS`` below is the single source of the column list,
used by the parser, the downloadable templates and the documentation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django_countries import countries

from ..dates import PartialDate, Precision
from ..geo import STATE_NAMES
from ..models import ChargeKind, DetainerForm, Gender
from ..models.agencies import AgencyType

MAX_FILE_BYTES = getattr(settings, "IMPORT_MAX_FILE_BYTES", 2 * 1024 * 1024)
MAX_ROWS = getattr(settings, "IMPORT_MAX_ROWS", 1000)
MAX_WORDING = 300  # ArrestCharge.wording
SUBSEQUENT_RE = re.compile(r"^subsequent_arrest_(\d+)_(date|charges)$")


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    example: str
    required: bool = False


COLUMNS = [
    Column("row", "Row number of the case in the report (1, 2, 3 …). Makes the case id.", "7", required=True),
    Column("page", "Page of the source document the row is on.", "3"),
    Column("agency_ori", "ORI of the agency that declined the detainer. Preferred over the name.", "CA0194200"),
    Column("agency_name", "Name of the declining agency, as ICE wrote it.", "Los Angeles Police Department"),
    Column("agency_state", "Two-letter state of the declining agency.", "CA"),
    Column("agency_type", "Only used to create a new agency: " + ", ".join(AgencyType.values) + ".", "police"),
    Column("agency_city", "Only used to create a new agency.", "Los Angeles"),
    Column("agency_county", "Only used to create a new agency.", "Los Angeles"),
    Column(
        "arresting_agency_ori",
        "Only if another agency made the arrest (e.g. before a transfer). Its ORI, or name and state below.",
        "",
    ),
    Column("arresting_agency_name", "Name of the agency that made the arrest, if different.", ""),
    Column("arresting_agency_state", "Two-letter state of the agency that made the arrest.", ""),
    Column("citizenship", "Country of citizenship: ISO code (MX) or English name (Mexico).", "MX", required=True),
    Column("gender", "male, female, or empty when not reported.", "male"),
    Column("age_at_arrest", "Age at the arrest before the detainer, if reported.", "30"),
    Column("arrest_date", "Date of the arrest before the detainer: 2018-01-15, or 2018-01 for a month.", "2018-01"),
    Column(
        "arrest_charges",
        "Charges of that arrest: category: wording; … Add (conviction) after the category for a conviction.",
        "dangerous-drugs: possession of a controlled substance",
    ),
    Column("lodged_date", "Date ICE lodged the detainer.", "2018-01"),
    Column("declined_date", "Date ICE learned the detainer was declined.", "2018-01"),
    Column("released_date", "Date the person was released.", ""),
    Column("form", "Detainer form, if reported: " + ", ".join(DetainerForm.values) + ".", ""),
    Column("subsequent_arrest_1_date", "Date of the first later arrest.", "2018-02"),
    Column("subsequent_arrest_1_charges", "Charges of the first later arrest, same scheme.", "homicide: murder"),
    Column("subsequent_arrest_2_date", "Date of the second later arrest (add _3_, _4_ … as needed).", ""),
    Column("subsequent_arrest_2_charges", "Charges of the second later arrest.", ""),
]
COLUMN_NAMES = [c.name for c in COLUMNS]
FIXED_COLUMNS = {c.name for c in COLUMNS if not SUBSEQUENT_RE.match(c.name)}


class FileProblem(Exception):
    """The whole file cannot be read; the message is for staff."""


class CellProblem(ValueError):
    """One cell cannot be read; the message is for staff."""


@dataclass
class RawRow:
    line: int  # the spreadsheet line number staff see, header = 1
    cells: dict


@dataclass(frozen=True)
class ParsedCharge:
    category: str  # as written; resolved to a ChargeCategory later
    wording: str
    kind: str


def normalise_header(value) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(value or "").strip().lower()).strip("_")


def read_rows(name: str, content: bytes) -> tuple[list[str], list[RawRow]]:
    """The header and the non-empty rows of a CSV or XLSX file, every cell a stripped string
    (XLSX dates stay ``datetime.date``)."""
    if len(content) > MAX_FILE_BYTES:
        raise FileProblem(
            f"The file is {len(content) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_FILE_BYTES / 1024 / 1024:.0f} MB. One report of a few hundred rows is far smaller."
        )
    if not content.strip():
        raise FileProblem("The file is empty.")
    lower = name.lower()
    if lower.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        table = _xlsx_table(content)
    elif lower.endswith((".csv", ".txt")):
        table = _csv_table(content)
    else:
        raise FileProblem("Upload a .csv or .xlsx file. Other formats (such as .xls or .pdf) cannot be read.")
    if not table:
        raise FileProblem("The file is empty.")
    header = [normalise_header(h) for h in table[0]]
    while header and not header[-1]:
        header.pop()
    _check_header(header)
    rows = []
    for index, values in enumerate(table[1:], start=2):
        cells = {name: _clean(values[i]) if i < len(values) else "" for i, name in enumerate(header)}
        if any(v not in ("", None) for v in cells.values()):
            rows.append(RawRow(index, cells))
    if not rows:
        raise FileProblem("The file has a header row but no cases.")
    if len(rows) > MAX_ROWS:
        raise FileProblem(
            f"The file has {len(rows)} cases; the limit is {MAX_ROWS} per import. Split it into several files."
        )
    return header, rows


def _clean(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _csv_table(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(
            "The file is not UTF-8 text. In Excel choose File → Save As → “CSV UTF-8”, then upload again."
        ) from None
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise FileProblem(f"The CSV file is malformed ({error}). Save it again from a spreadsheet program.") from None


def _xlsx_table(content: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign file
        raise FileProblem(
            "The file could not be opened as an Excel workbook (.xlsx). Save it again and retry."
        ) from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _check_header(header):
    problems = []
    unknown = [h for h in header if h and h not in FIXED_COLUMNS and not SUBSEQUENT_RE.match(h)]
    if unknown:
        problems.append("Unknown column(s): " + ", ".join(unknown) + ".")
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        problems.append("Column(s) appear twice: " + ", ".join(duplicated) + ".")
    missing = [c.name for c in COLUMNS if c.required and c.name not in header]
    if "agency_ori" not in header and not {"agency_name", "agency_state"} <= set(header):
        missing.append("agency_ori (or agency_name and agency_state)")
    if missing:
        problems.append("Missing column(s): " + ", ".join(missing) + ".")
    if problems:
        problems.append("Download the template to see the expected columns.")
        raise FileProblem(" ".join(problems))


def subsequent_numbers(header) -> list[int]:
    return sorted({int(m.group(1)) for h in header if (m := SUBSEQUENT_RE.match(h))})


# Reading one cell. Each function returns a value or raises CellProblem.

_MONTH_FORMATS = ["%Y-%m", "%b %Y", "%B %Y", "%m/%Y"]
_DAY_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%d %b %Y", "%d %B %Y"]


def parse_date(value) -> PartialDate | None:
    """``2018-01-15`` is a day; ``2018-01`` (or ``Jan 2018``) is a month: the precision is how it is written."""
    if value in ("", None):
        return None
    if isinstance(value, dt.date):
        return PartialDate(value, Precision.DAY)
    text = re.sub(r"\s+", " ", str(value).strip())
    for fmt in _DAY_FORMATS:
        try:
            return PartialDate(dt.datetime.strptime(text, fmt).date(), Precision.DAY)
        except ValueError:
            pass
    for fmt in _MONTH_FORMATS:
        try:
            return PartialDate(dt.datetime.strptime(text, fmt).date().replace(day=1), Precision.MONTH)
        except ValueError:
            pass
    raise CellProblem(f"“{text}” is not a date. Write 2018-01-15 for a day, or 2018-01 when only the month is known.")


def parse_int(value, *, what, low, high) -> int | None:
    if value in ("", None):
        return None
    text = str(value).strip()
    if not text.isdigit():
        raise CellProblem(f"{what} must be a whole number, not “{text}”.")
    number = int(text)
    if not low <= number <= high:
        raise CellProblem(f"{what} must be between {low} and {high}, not {number}.")
    return number


def parse_country(value) -> str:
    text = str(value or "").strip()
    if not text:
        raise CellProblem("Citizenship is required. Write the country, e.g. MX or Mexico.")
    code = countries.alpha2(text) or countries.by_name(text, insensitive=True)
    if not code:
        raise CellProblem(
            f"“{text}” is not a country we know. Use the two-letter ISO code, e.g. MX, or the English name."
        )
    return code


_GENDERS = {"": "", "m": Gender.MALE, "male": Gender.MALE, "f": Gender.FEMALE, "female": Gender.FEMALE}


def parse_gender(value) -> str:
    text = str(value or "").strip().lower()
    if text not in _GENDERS:
        raise CellProblem(f"Gender must be male, female or empty, not “{value}”.")
    return _GENDERS[text]


def parse_state(value) -> str:
    text = str(value or "").strip().upper()
    if text and text not in STATE_NAMES:
        raise CellProblem(f"“{value}” is not a US state code. Use the two-letter code, e.g. PA.")
    return text


def parse_choice(value, choices, what) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    for choice in choices:
        if text.lower() == choice.lower():
            return choice
    raise CellProblem(f"{what} must be one of {', '.join(choices)}, not “{text}”.")


_KIND_RE = re.compile(r"^(?P<category>.*?)\s*\((?P<kind>[^)]*)\)\s*$")


def parse_charges(value) -> list[ParsedCharge]:
    """``category: wording; category (conviction): wording``. Category is a slug or NCIC code."""
    text = str(value or "").strip()
    if not text:
        return []
    charges = []
    for number, part in enumerate((p.strip() for p in text.split(";")), start=1):
        if not part:
            continue
        head, colon, wording = part.partition(":")
        if not colon or not wording.strip():
            raise CellProblem(
                f"Charge {number} (“{part}”) needs a category and the wording, separated by a colon, "
                "e.g. “dangerous-drugs: possession of a controlled substance”."
            )
        kind = ChargeKind.CHARGE
        match = _KIND_RE.match(head.strip())
        if match:
            marker = match.group("kind").strip().lower()
            if marker not in ChargeKind.values:
                raise CellProblem(
                    f"Charge {number}: “({match.group('kind')})” is not a marker we know. "
                    "Write (conviction) for a conviction; leave it out for a charge."
                )
            kind, head = marker, match.group("category")
        wording = re.sub(r"\s+", " ", wording.strip())
        if len(wording) > MAX_WORDING:
            raise CellProblem(
                f"Charge {number}: the wording is {len(wording)} characters long; the limit is {MAX_WORDING}."
            )
        charges.append(ParsedCharge(head.strip().lower(), wording, kind))
    return charges
