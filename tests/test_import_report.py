"""The report import service, driven by the real files in tests/data/."""

import datetime as dt
from pathlib import Path

import pytest

from cases.dates import Precision
from cases.models import Agency, AgencyType, Arrest, ArrestCharge, Detainer, Individual
from cases.services import import_report
from cases.services.import_report import ImportRefused
from tests.factories import AgencyFactory, ReportFactory

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


def data(name):
    return (DATA / name).read_bytes()


@pytest.fixture
def report():
    return ReportFactory()


@pytest.fixture
def agencies():
    return {
        "lapd": AgencyFactory(
            name="Los Angeles Police Department", state="CA", ori="CA0194200", agency_type=AgencyType.POLICE
        ),
        "slo": AgencyFactory(name="San Luis Obispo County Sheriff's Office", state="CA"),
        "anaheim": AgencyFactory(name="Anaheim Police Department", state="CA", agency_type=AgencyType.POLICE),
    }


def run(report, name, **kwargs):
    return import_report.import_file(report, name, data(name), **kwargs)


def counts():
    return {model.__name__: model.objects.count() for model in (Agency, Individual, Arrest, ArrestCharge, Detainer)} | {
        f"history_{model.__name__}": model.history.count()
        for model in (Agency, Individual, Arrest, ArrestCharge, Detainer)
    }


def test_clean_import_creates_every_case_with_its_arrests_and_charges(report, agencies, django_user_model):
    user = django_user_model.objects.create_user("editor", password="a-long-test-password-1")
    preview = import_report.preview(report, "report_clean.csv", data("report_clean.csv"))
    assert preview.is_ready, preview.as_text()
    assert preview.counts == {"new": 4, "changed": 0, "unchanged": 0, "error": 0}

    result = run(report, "report_clean.csv", user=user)

    assert result.applied
    cases = {d.row: d for d in Detainer.objects.filter(report=report)}
    assert sorted(cases) == [1, 2, 3, 4]
    one = cases[1]
    assert one.case_id == "fy2018-q2-01"
    assert one.declining_agency == agencies["lapd"]
    assert one.individual.citizenship == "MX"
    assert one.individual.gender == "male"
    assert (one.lodged_on, one.lodged_on_precision) == (dt.date(2018, 1, 1), Precision.MONTH)
    assert one.released_on is None
    assert one.custody_arrest.age_at_arrest == 30
    assert [(c.category.code, c.wording, c.kind) for c in one.custody_arrest.charges.all()] == [
        ("35", "possession of a controlled substance", "charge")
    ]
    assert set(one.case_charges.values_list("category__code", "timing")) == {("35", "prior"), ("09", "subsequent")}
    # Several charges per arrest, a conviction marker, and two later arrests.
    three = cases[3]
    assert [(c.category.code, c.wording, c.kind) for c in three.custody_arrest.charges.all()] == [
        ("22", "burglary", "conviction"),
        ("22", "possession of burglary tools", "charge"),
    ]
    later = (
        Arrest.objects.filter(individual=three.individual).exclude(pk=three.custody_arrest_id).order_by("arrested_on")
    )
    assert [(a.arrested_on, a.arrested_on_precision) for a in later] == [
        (dt.date(2018, 3, 15), "day"),
        (dt.date(2018, 6, 1), "month"),
    ]
    assert three.days_to_next_arrest == 23
    assert cases[4].custody_arrest.arrested_on == dt.date(2018, 3, 2)  # US-style 3/2/2018 is 2 March
    assert cases[2].individual.citizenship == "MX"  # "Mexico" by name
    # History: every created object has a record naming the file and the user.
    record = one.history.get()
    assert record.history_type == "+"
    assert record.history_change_reason == "Import of report_clean.csv"
    assert record.history_user == user
    assert (
        ArrestCharge.history.filter(history_change_reason="Import of report_clean.csv").count()
        == ArrestCharge.objects.count()
        == 9
    )


def test_reimporting_the_same_file_changes_nothing(report, agencies):
    run(report, "report_clean.csv")
    before = counts()
    updated = list(Detainer.objects.order_by("pk").values_list("updated_at", flat=True))

    preview = import_report.preview(report, "report_clean.csv", data("report_clean.csv"))
    assert preview.counts == {"new": 0, "changed": 0, "unchanged": 4, "error": 0}
    run(report, "report_clean.csv")

    assert counts() == before
    assert list(Detainer.objects.order_by("pk").values_list("updated_at", flat=True)) == updated


def test_xlsx_import_matches_the_csv(report, agencies):
    result = run(report, "report_clean.xlsx")
    assert result.counts["new"] == 4
    three = Detainer.objects.get(report=report, row=3)
    assert (three.lodged_on, three.lodged_on_precision) == (dt.date(2018, 2, 5), "day")
    # The same content as CSV is then unchanged: both formats read identically.
    preview = import_report.preview(report, "report_clean.csv", data("report_clean.csv"))
    assert preview.counts["unchanged"] == 4


def test_corrected_reimport_writes_history_for_exactly_the_changed_fields(report, agencies):
    run(report, "report_clean.csv")
    before = counts()

    preview = import_report.preview(report, "report_corrected.csv", data("report_corrected.csv"))
    assert preview.counts == {"new": 0, "changed": 2, "unchanged": 2, "error": 0}
    changes = {row.row: [(c.label, c.old, c.new) for c in row.changes] for row in preview.rows}
    assert changes[2] == [("Arrest before the detainer: age", "28", "29")]
    assert changes[3] == [
        ("Case: lodged", "5 Feb 2018", "6 Feb 2018"),
        ("Later arrest 1: charges", "assault: domestic assault", "assault: aggravated assault"),
    ]

    run(report, "report_corrected.csv")

    after = counts()
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "history_Arrest": 1,
        "history_Detainer": 1,
        "history_ArrestCharge": 1,
    }
    two = Detainer.objects.get(report=report, row=2)
    arrest_record = two.custody_arrest.history.first()
    assert arrest_record.history_change_reason == "Import of report_corrected.csv"
    delta = arrest_record.diff_against(arrest_record.prev_record, excluded_fields=["updated_at"])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("age_at_arrest", 28, 29)]
    three = Detainer.objects.get(report=report, row=3)
    delta = three.history.first().diff_against(three.history.first().prev_record, excluded_fields=["updated_at"])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("lodged_on", dt.date(2018, 2, 5), dt.date(2018, 2, 6))]
    charge = ArrestCharge.objects.get(wording="aggravated assault")
    delta = charge.history.first().diff_against(charge.history.first().prev_record)
    assert [(c.field, c.new) for c in delta.changes] == [("wording", "aggravated assault")]


def test_a_file_with_errors_lists_each_on_its_row_and_column_and_writes_nothing(report, agencies):
    before = counts()
    preview = import_report.preview(report, "report_errors.csv", data("report_errors.csv"))

    assert not preview.is_valid
    assert [(e.line, e.column, e.message) for e in preview.errors] == [
        (
            3,
            "citizenship",
            "“Narnia” is not a country we know. Use the two-letter ISO code, e.g. MX, or the English name.",
        ),
        (
            3,
            "agency_state",
            "Give the agency’s ORI, or its name and its state: a name alone is ambiguous "
            "(Franklin County exists in IA, NY and PA).",
        ),
        (4, "gender", "Gender must be male, female or empty, not “x”."),
        (4, "age_at_arrest", "The age at arrest must be between 10 and 110, not 7."),
        (
            4,
            "arrest_date",
            "“2018-02-30” is not a date. Write 2018-01-15 for a day, or 2018-01 when only the month is known.",
        ),
        (
            4,
            "arrest_charges",
            "Charge 1 (“burglary burglary”) needs a category and the wording, separated by a colon, "
            "e.g. “dangerous-drugs: possession of a controlled substance”.",
        ),
        (4, "declined_date", "The decline (1 Feb 2018) cannot come before the detainer was lodged (5 Feb 2018)."),
        (
            5,
            "arrest_charges",
            "“drunkenness” is not a charge category. Use its slug (e.g. dangerous-drugs) "
            "or its two-digit NCIC code (e.g. 35); the template lists them.",
        ),
        (
            5,
            "subsequent_arrest_1_date",
            "A later arrest must come after the release (9 Mar 2018); this one is 5 Mar 2018.",
        ),
    ]
    assert [r.status for r in preview.rows] == ["new", "error", "error", "error"]

    with pytest.raises(ImportRefused, match="The file has errors; nothing was imported."):
        run(report, "report_errors.csv")
    assert counts() == before


def test_unknown_agencies_are_listed_and_need_a_decision(report, agencies):
    preview = import_report.preview(report, "report_unknown_agency.csv", data("report_unknown_agency.csv"))

    assert preview.is_valid and not preview.is_ready
    unknown = {u.key: u for u in preview.unknown_agencies}
    assert sorted(unknown) == ["Los Angeles Police Dept (CA)", "TX2270000"]
    assert unknown["TX2270000"].lines == [2, 3]
    assert unknown["TX2270000"].candidates == []
    # A near-duplicate name is offered for mapping, never created or matched silently.
    assert unknown["Los Angeles Police Dept (CA)"].candidates == [agencies["lapd"]]
    with pytest.raises(ImportRefused, match="Choose whether to create or map these agencies"):
        run(report, "report_unknown_agency.csv")
    assert not Detainer.objects.exists()

    decisions = {"TX2270000": "create", "Los Angeles Police Dept (CA)": str(agencies["lapd"].pk)}
    run(report, "report_unknown_agency.csv", agency_decisions=decisions)

    travis = Agency.objects.get(ori="TX2270000")
    assert (travis.name, travis.state, travis.agency_type, travis.county) == (
        "Travis County Sheriff's Office",
        "TX",
        "sheriff",
        "Travis",
    )
    assert travis.history.get().history_change_reason == "Import of report_unknown_agency.csv"
    assert Detainer.objects.get(row=3).declining_agency == agencies["lapd"]
    assert Agency.objects.filter(name__startswith="Los Angeles Police").count() == 1
    # The same file with the same decisions again: the new agency now matches by ORI, the mapped one
    # still needs its mapping, and nothing is written.
    before = counts()
    again = run(report, "report_unknown_agency.csv", agency_decisions=decisions)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3, "error": 0}
    assert [u.key for u in again.unknown_agencies] == ["Los Angeles Police Dept (CA)"]
    assert counts() == before


def test_franklin_county_in_three_states_is_three_agencies(report):
    pa = AgencyFactory(name="Franklin County Sheriff's Office", state="PA", ori="PA0280000")
    ny = AgencyFactory(name="Franklin County Sheriff's Office", state="NY")

    preview = import_report.preview(report, "report_franklin.csv", data("report_franklin.csv"))

    (iowa,) = preview.unknown_agencies
    assert iowa.key == "Franklin County Sheriff's Office (IA)"
    assert iowa.candidates == []  # nothing in Iowa to map to
    assert {a.state for a in iowa.other_states} == {"PA", "NY"}  # shown as different agencies
    # Mapping the Iowa row to the Pennsylvania agency is refused: a different state is a different agency.
    refused = import_report.preview(report, "report_franklin.csv", data("report_franklin.csv"), {iowa.key: str(pa.pk)})
    assert [e.message for e in refused.errors] == [
        "Franklin County Sheriff's Office (IA) cannot be mapped to Franklin County Sheriff's Office (PA): "
        "it is in a different state, so it is a different agency."
    ]

    run(report, "report_franklin.csv", agency_decisions={iowa.key: "create"})

    agencies = {d.row: d.declining_agency for d in Detainer.objects.select_related("declining_agency")}
    assert agencies[1] == pa
    assert agencies[2] == ny
    assert agencies[3].state == "IA" and agencies[3] not in (pa, ny)
    assert Agency.objects.filter(name="Franklin County Sheriff's Office").count() == 3


def test_creating_an_agency_whose_name_exists_in_that_state_is_refused(report, agencies):
    preview = import_report.preview(
        report,
        "report_unknown_agency.csv",
        data("report_unknown_agency.csv").replace(b"Los Angeles Police Dept,", b"LOS ANGELES POLICE DEPARTMENT,"),
        {"TX2270000": "create"},
    )
    # Case and punctuation do not make a different name: the row matches the stored agency.
    assert [u.key for u in preview.unknown_agencies] == ["TX2270000"]
    assert preview.is_ready


def test_the_file_and_row_limits_give_clear_errors(report, settings, monkeypatch):
    from cases.services import import_format

    monkeypatch.setattr(import_format, "MAX_ROWS", 3)
    preview = import_report.preview(report, "report_clean.csv", data("report_clean.csv"))
    assert preview.file_error == "The file has 4 cases; the limit is 3 per import. Split it into several files."
    monkeypatch.setattr(import_format, "MAX_FILE_BYTES", 100)
    preview = import_report.preview(report, "report_clean.csv", data("report_clean.csv"))
    assert preview.file_error.startswith("The file is 0.0 MB; the limit is 0 MB.")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cases.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file. Other formats (such as .xls or .pdf) cannot be read."),
        ("cases.csv", b"", "The file is empty."),
        ("cases.csv", b"row,citizenship,agency_ori\n", "The file has a header row but no cases."),
        (
            "cases.csv",
            b"row,nationality,agency_ori\n1,MX,CA0194200\n",
            "Unknown column(s): nationality. Missing column(s): citizenship. "
            "Download the template to see the expected columns.",
        ),
        (
            "cases.xlsx",
            b"PK\x03\x04 not really a workbook",
            "The file could not be opened as an Excel workbook (.xlsx). Save it again and retry.",
        ),
        (
            "cases.csv",
            "row,citizenship,agency_ori\n1,México,CA0194200\n".encode("latin-1"),
            "The file is not UTF-8 text. In Excel choose File → Save As → “CSV UTF-8”, then upload again.",
        ),
    ],
)
def test_unreadable_files_are_refused_with_a_message(report, name, content, message):
    preview = import_report.preview(report, name, content)
    assert preview.file_error == message
    with pytest.raises(ImportRefused):
        import_report.import_file(report, name, content)
    assert not Detainer.objects.exists()


def test_a_stale_preview_is_not_applied(report, agencies):
    preview = import_report.preview(report, "report_clean.csv", data("report_clean.csv"))
    Detainer.objects.create(
        report=report, row=9, individual=Individual.objects.create(citizenship="MX"), declining_agency=agencies["slo"]
    )
    run(report, "report_clean.csv", expected_fingerprint=preview.fingerprint)  # row 9 is not in the file
    Detainer.objects.filter(row=1).update(page=9)
    with pytest.raises(ImportRefused, match="The data changed since the preview"):
        run(report, "report_corrected.csv", expected_fingerprint=preview.fingerprint)


def test_a_200_row_report_imports_completely(report):
    """Correctness of the benchmark file; bench/import_200.py measures its speed."""
    AgencyFactory(name="Los Angeles Police Department", state="CA", ori="CA0194200")
    for n in range(1, 10):
        AgencyFactory(name=f"Bench County Sheriff's Office {n}", state="TX")

    result = run(report, "report_200.csv")

    assert result.counts == {"new": 200, "changed": 0, "unchanged": 0, "error": 0}
    assert Detainer.objects.filter(report=report).count() == 200
    assert Detainer.history.count() == 200
    # Days to the next arrest need it to the day: rows 10, 20 … 200 (odd rows' next arrest is a month).
    assert Detainer.objects.filter(report=report, days_to_next_arrest__isnull=False).count() == 20
    assert import_report.preview(report, "report_200.csv", data("report_200.csv")).counts["unchanged"] == 200


def test_the_arresting_agency_is_recorded_apart_from_the_declining_one():
    """ICE's 2017 Williamson and Bastrop entries were people transferred to Travis County."""
    report = ReportFactory(
        kind="weekly", slug="weekly-2017-01-28", period_start=dt.date(2017, 1, 28), period_end=dt.date(2017, 2, 3)
    )
    travis = AgencyFactory(name="Travis County Sheriff's Office", state="TX", ori="TX2270000")
    williamson = AgencyFactory(name="Williamson County Sheriff's Office", state="TX")

    preview = import_report.preview(report, "report_transfer.csv", data("report_transfer.csv"))

    (bastrop,) = preview.unknown_agencies
    assert (bastrop.key, bastrop.mentions) == ("Bastrop County Sheriff's Office (TX)", [(3, "arresting_agency")])
    run(report, "report_transfer.csv", agency_decisions={bastrop.key: "create"})

    cases = {d.row: d for d in Detainer.objects.select_related("custody_arrest__arresting_agency")}
    assert {d.declining_agency for d in cases.values()} == {travis}
    assert cases[1].custody_arrest.arresting_agency == williamson
    assert cases[2].custody_arrest.arresting_agency.name == "Bastrop County Sheriff's Office"
    assert cases[3].custody_arrest.arresting_agency is None  # not reported


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (
            {"arrest_charges": "burglary: " + "x" * 301},
            "arrest_charges",
            "Charge 1: the wording is 301 characters long; the limit is 300.",
        ),
        (
            {"agency_ori": "", "agency_name": "N" * 201, "agency_state": "CA"},
            "agency_name",
            "This is 201 characters long; the limit is 200.",
        ),
        ({"row": "0"}, "row", "The row number must be between 1 and 32767, not 0."),
        ({"row": ""}, "row", "Every case needs its row number in the report, so it can be cited."),
        (
            {"agency_ori": "CA01"},
            "agency_ori",
            "“CA01” is not an ORI. An ORI is 9 characters: the state code, then 7 letters or digits, e.g. CA0194200.",
        ),
        (
            {"agency_state": "PA"},
            "agency_state",
            "The ORI CA0194200 belongs to CA, but the state column says PA. Check which agency this row means.",
        ),
        (
            {"arrest_charges": "burglary (convicted): burglary"},
            "arrest_charges",
            "Charge 1: “(convicted)” is not a marker we know. "
            "Write (conviction) for a conviction; leave it out for a charge.",
        ),
        (
            {"form": "I-999"},
            "form",
            "The detainer form must be one of I-247A, I-247D, I-247N, I-247X, I-247, not “I-999”.",
        ),
        (
            {"subsequent_arrest_1_date": ""},
            "subsequent_arrest_1_date",
            "This later arrest has charges but no date. Give its date (2018-02-03, or 2018-02).",
        ),
    ],
)
def test_each_bad_cell_gets_a_plain_message_on_its_column(report, cells, column, message):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(data("report_clean.csv").decode())))
    rows[0].update(cells)
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]))
    writer.writeheader()
    writer.writerows(rows[:1])

    preview = import_report.preview(report, "one.csv", out.getvalue().encode())

    assert [(e.line, e.column, e.message) for e in preview.errors] == [(2, column, message)]
