"""Import one report's cases from a CSV or XLSX file: preview first, then all or nothing.

``preview()`` reads and checks every row and compares it with what is stored, writing
nothing. ``import_file()`` repeats that inside one transaction and, only if the file is
clean and every unknown agency has a decision, writes the differences through ``save()``
and ``delete()`` so that django-simple-history records each changed object with the user
and the reason "Import of <file>". Unchanged objects are not saved, so re-importing the
same file writes nothing at all.

The file format is in cases.services.import_format and docs/entering-a-report.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch
from django_countries import countries

from ..dates import PartialDate, Precision
from ..models import (
    Agency,
    Arrest,
    ArrestCharge,
    ChargeCategory,
    Detainer,
    DetainerForm,
    Individual,
    Report,
    case_id_for,
)
from . import derive, import_agencies
from .import_format import (
    CellProblem,
    FileProblem,
    parse_charges,
    parse_choice,
    parse_country,
    parse_date,
    parse_gender,
    parse_int,
    read_rows,
    subsequent_numbers,
)

ARRESTING_COLUMNS = {"arresting_agency_ori", "arresting_agency_name", "arresting_agency_state"}


class ImportRefused(Exception):
    """Nothing was written; ``preview`` says why."""

    def __init__(self, preview, message):
        super().__init__(message)
        self.preview = preview


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self):
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class CasePlan:
    """What one file row says, read and checked; only the columns the file has."""

    line: int
    row: int
    values: dict = field(default_factory=dict)
    agency_key: str = ""


@dataclass
class RowPreview:
    line: int
    row: int | None
    case_id: str = ""
    status: str = "error"  # new, changed, unchanged or error
    summary: str = ""
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)


@dataclass
class ImportPreview:
    report: Report
    filename: str
    sha256: str
    rows: list = field(default_factory=list)
    file_error: str = ""
    unknown_agencies: list = field(default_factory=list)
    rows_not_in_file: list = field(default_factory=list)
    applied: bool = False
    _plans: list = field(default_factory=list, repr=False)
    _agencies: dict = field(default_factory=dict, repr=False)

    @property
    def errors(self):
        return [error for row in self.rows for error in row.errors]

    @property
    def undecided_agencies(self):
        return [u for u in self.unknown_agencies if u.decision is None]

    @property
    def is_valid(self):
        return not self.file_error and not self.errors

    @property
    def is_ready(self):
        return self.is_valid and not self.undecided_agencies

    def count(self, status):
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self):
        return {s: self.count(s) for s in ("new", "changed", "unchanged", "error")}

    @property
    def fingerprint(self):
        """Identifies what staff saw in the preview, so a confirm applies exactly that."""
        seen = {
            "file": self.sha256,
            "rows": [(r.row, r.status, [(c.label, c.old, c.new) for c in r.changes]) for r in self.rows],
            "agencies": [
                (u.key, u.decision if u.decision == "create" else getattr(u.decision, "pk", None))
                for u in self.unknown_agencies
            ],
        }
        return hashlib.sha256(json.dumps(seen, default=str).encode()).hexdigest()[:32]

    def as_text(self):
        """The preview as plain text, for the management command."""
        lines = [f"{self.filename} → {self.report.title} ({self.report.slug})"]
        if self.file_error:
            return "\n".join([*lines, f"ERROR: {self.file_error}"])
        counts = self.counts
        lines.append(
            f"{len(self.rows)} rows: {counts['new']} new, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged, {counts['error']} with errors"
        )
        for row in self.rows:
            if row.status == "new":
                lines.append(f"  NEW       {row.case_id}: {row.summary}")
            elif row.status == "changed":
                lines.append(f"  CHANGED   {row.case_id}")
                lines.extend(f"      {c.label}: {c.old} → {c.new}" for c in row.changes)
            for error in row.errors:
                lines.append(f"  ERROR     {error}")
        for item in self.unknown_agencies:
            decision = {None: "needs a decision", "create": "will be created"}.get(item.decision, f"→ {item.decision}")
            lines.append(f"  AGENCY    {item.display_name} (lines {', '.join(map(str, item.lines))}): {decision}")
            lines.extend(f"      could be: {a} [{a.slug}]" for a in item.candidates)
            lines.extend(f"      not the same (other state): {a}" for a in item.other_states)
        if self.rows_not_in_file:
            ids = ", ".join(self.rows_not_in_file)
            lines.append(f"  Cases stored but not in this file (left as they are): {ids}")
        return "\n".join(lines)


def preview(report, filename, content, agency_decisions=None) -> ImportPreview:
    """Read and check the whole file and compare it with the database. Writes nothing."""
    result = ImportPreview(report=report, filename=filename, sha256=hashlib.sha256(content).hexdigest())
    try:
        header, raw_rows = read_rows(filename, content)
    except FileProblem as problem:
        result.file_error = str(problem)
        return result
    categories = _categories()
    refs, seen_rows = [], {}
    for raw in raw_rows:
        row_preview = RowPreview(line=raw.line, row=None)
        plan = _read_row(raw, header, categories, row_preview, refs)
        if plan and plan.row in seen_rows:
            row_preview.errors.append(
                RowError(raw.line, "row", f"Row {plan.row} appears twice: also on line {seen_rows[plan.row]}.")
            )
        if plan:
            seen_rows.setdefault(plan.row, raw.line)
            row_preview.row, row_preview.case_id = plan.row, case_id_for(report.slug, plan.row)
        result.rows.append(row_preview)
        result._plans.append(plan)

    matched, unknown, agency_errors = import_agencies.resolve(refs, agency_decisions)
    by_line = {r.line: r for r in result.rows}
    for line, column, message in agency_errors:
        by_line[line].errors.append(RowError(line, column, message))
    result.unknown_agencies = unknown
    # A mapped agency is that agency from here on; only agencies to create stay placeholders.
    result._agencies = {**matched, **{u.key: u.decision if isinstance(u.decision, Agency) else u for u in unknown}}

    existing = _existing_cases(report, [p.row for p in result._plans if p])
    for plan, row_preview in zip(result._plans, result.rows, strict=True):
        if row_preview.errors or plan is None:
            row_preview.status = "error"
            continue
        detainer = existing.get(plan.row)
        sync = CaseSync(plan, detainer, report, result._agencies, write=False)
        sync.run()
        row_preview.changes = sync.changes
        row_preview.status = "new" if detainer is None else ("changed" if sync.changes else "unchanged")
        row_preview.summary = _summary(plan, result._agencies)
    file_rows = set(seen_rows)
    result.rows_not_in_file = list(
        report.detainers.exclude(row__in=file_rows).order_by("row").values_list("case_id", flat=True)
    )
    return result


def import_file(report, filename, content, *, user=None, agency_decisions=None, expected_fingerprint=None):
    """Check the file again and write it in one transaction, or write nothing and raise ImportRefused."""
    reason = f"Import of {filename}"[:100]
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        result = preview(report, filename, content, agency_decisions)
        if not result.is_valid:
            raise ImportRefused(result, "The file has errors; nothing was imported.")
        if result.undecided_agencies:
            names = ", ".join(u.display_name for u in result.undecided_agencies)
            raise ImportRefused(
                result, f"Choose whether to create or map these agencies: {names}. Nothing was imported."
            )
        if expected_fingerprint and expected_fingerprint != result.fingerprint:
            raise ImportRefused(
                result, "The data changed since the preview was made. Check the new preview and confirm again."
            )
        for item in result.unknown_agencies:
            agency = item.decision
            if agency == "create":
                agency = import_agencies.create_agency(item.ref, reason=reason, user=user)
            result._agencies[item.key] = agency
        existing = _existing_cases(report, [p.row for p in result._plans])
        with derive.batch():
            for plan, row_preview in zip(result._plans, result.rows, strict=True):
                if row_preview.status == "unchanged":
                    continue
                CaseSync(
                    plan, existing.get(plan.row), report, result._agencies, write=True, reason=reason, user=user
                ).run()
        result.applied = True
    return result


def _categories():
    lookup = {}
    for category in ChargeCategory.objects.all():
        lookup[category.slug] = lookup[category.code] = category
    return lookup


def _resolve_categories(charges, categories, column):
    resolved = []
    for charge in charges:
        category = categories.get(charge.category)
        if category is None:
            current = ChargeCategory.objects.current_slugs([charge.category]).get(charge.category)
            category = categories.get(current)
        if category is None:
            raise CellProblem(
                f"“{charge.category}” is not a charge category. Use its slug (e.g. dangerous-drugs) "
                "or its two-digit NCIC code (e.g. 35); the template lists them."
            )
        resolved.append((category, charge.wording, charge.kind))
    return resolved


def _read_row(raw, header, categories, row_preview, refs) -> CasePlan | None:
    cells = raw.cells
    values = {}

    def problem(column, message):
        row_preview.errors.append(RowError(raw.line, column, message))

    def read(column, parser, *args, **kwargs):
        if column not in header:
            return
        try:
            values[column] = parser(cells.get(column), *args, **kwargs)
        except CellProblem as error:
            problem(column, str(error))

    read("row", parse_int, what="The row number", low=1, high=32767)
    if "row" in values and values["row"] is None:
        problem("row", "Every case needs its row number in the report, so it can be cited.")
    read("page", parse_int, what="The page", low=1, high=32767)
    read("citizenship", parse_country)
    read("gender", parse_gender)
    read("age_at_arrest", parse_int, what="The age at arrest", low=10, high=110)
    for column in ("arrest_date", "lodged_date", "declined_date", "released_date"):
        read(column, parse_date)
    read("form", parse_choice, DetainerForm.values, "The detainer form")
    read("arrest_charges", lambda v: _resolve_categories(parse_charges(v), categories, "arrest_charges"))
    numbers = subsequent_numbers(header)
    later = []
    for n in numbers:
        date_col, charges_col = f"subsequent_arrest_{n}_date", f"subsequent_arrest_{n}_charges"
        read(date_col, parse_date)
        read(charges_col, lambda v, c=charges_col: _resolve_categories(parse_charges(v), categories, c))
        date, charges = values.pop(date_col, None), values.pop(charges_col, None) or []
        if date is None and charges and date_col not in {e.column for e in row_preview.errors}:
            problem(date_col, "This later arrest has charges but no date. Give its date (2018-02-03, or 2018-02).")
        if date is not None:
            later.append((n, date, charges))
    if numbers:
        values["subsequent"] = later

    agency = import_agencies.agency_ref_from(cells, problem)
    arresting = None
    if ARRESTING_COLUMNS & set(header):
        arresting = import_agencies.agency_ref_from(cells, problem, prefix="arresting_agency", optional=True)
        values["arresting_agency"] = arresting.key if arresting else None
    _check_dates(values, problem)
    if row_preview.errors:
        return None
    refs.append((raw.line, "agency", agency))
    if arresting:
        refs.append((raw.line, "arresting_agency", arresting))
    return CasePlan(raw.line, values["row"], values, agency.key)


def _check_dates(values, problem):
    arrested, lodged = values.get("arrest_date"), values.get("lodged_date")
    declined, released = values.get("declined_date"), values.get("released_date")
    if arrested and lodged and arrested.is_certainly_after(lodged):
        problem(
            "arrest_date",
            f"The arrest ({arrested}) is after the detainer was lodged ({lodged}). "
            "The detainer is lodged while the person is held for this arrest.",
        )
    if lodged and declined and lodged.is_certainly_after(declined):
        problem("declined_date", f"The decline ({declined}) cannot come before the detainer was lodged ({lodged}).")
    if lodged and released and lodged.is_certainly_after(released):
        problem("released_date", f"The release ({released}) cannot come before the detainer was lodged ({lodged}).")
    reference = released or declined or lodged
    for n, date, _ in values.get("subsequent", []):
        column = f"subsequent_arrest_{n}_date"
        if reference is None:
            problem(column, "A later arrest needs the detainer’s lodged, declined or released date to follow.")
        elif not date.is_certainly_after(reference):
            problem(column, f"A later arrest must come after the release ({reference}); this one is {date}.")


def _existing_cases(report, rows):
    charges = Prefetch("charges", queryset=ArrestCharge.objects.select_related("category").order_by("pk"))
    arrests = Prefetch(
        "individual__arrests", queryset=Arrest.objects.prefetch_related(charges).order_by("arrested_on", "pk")
    )
    detainers = (
        report.detainers.filter(row__in=rows)
        .select_related("report", "individual", "declining_agency", "custody_arrest")
        .prefetch_related(arrests, "individual__detainers")
    )
    return {d.row: d for d in detainers}


def _summary(plan, agencies):
    values = plan.values
    agency = agencies[plan.agency_key]
    parts = [agency.display_name if isinstance(agency, import_agencies.UnknownAgency) else str(agency)]
    if values.get("citizenship"):
        parts.append(countries.name(values["citizenship"]))
    if values.get("lodged_date"):
        parts.append(f"lodged {values['lodged_date']}")
    later = len(values.get("subsequent", []))
    if later:
        parts.append(f"{later} later arrest{'s' if later > 1 else ''}")
    return ", ".join(parts)


def _show_date(value):
    return str(value) if value else "—"


def _date_values(prefix, partial):
    if partial is None:
        return {f"{prefix}_on": None, f"{prefix}_on_precision": Precision.DAY}
    return {f"{prefix}_on": partial.value, f"{prefix}_on_precision": partial.precision}


def _show_charges(charges):
    if not charges:
        return "—"
    return "; ".join(
        f"{category.slug}{' (conviction)' if kind == 'conviction' else ''}: {wording}"
        for category, wording, kind in charges
    )


class CaseSync:
    """Bring one stored case in line with one file row. With ``write=False`` it only lists
    the differences; with ``write=True`` it saves each object that differs, and nothing else.
    One code path for both, so the preview and the import cannot disagree."""

    def __init__(self, plan, detainer, report, agencies, *, write, reason="", user=None):
        self.plan, self.values = plan, plan.values
        self.detainer, self.report, self.agencies = detainer, report, agencies
        self.write, self.reason, self.user = write, reason, user
        self.changes = []

    def run(self):
        detainer = self.detainer or Detainer(report=self.report, row=self.plan.row)
        individual = detainer.individual if self.detainer else Individual()
        self._sync(individual, "Individual", self._individual_groups())
        arrests = list(individual.arrests.all()) if self.detainer else []
        custody = next((a for a in arrests if a.pk == detainer.custody_arrest_id), None)
        custody = custody or Arrest(individual=individual)
        custody.individual = individual
        custody_charges = _charges_list(custody)  # read before a new arrest is saved: it has none
        self._sync(custody, "Arrest before the detainer", self._custody_groups())
        if "arrest_charges" in self.values:
            self._sync_charges(
                custody,
                custody_charges,
                self.values["arrest_charges"],
                "Arrest before the detainer",
            )
        detainer.individual, detainer.custody_arrest = individual, custody
        self._sync(detainer, "Case", self._detainer_groups())
        if "subsequent" in self.values:
            self._sync_subsequent(detainer, individual, arrests)

    # Groups: (label, {attname: desired value}, display(values) -> str)

    def _individual_groups(self):
        groups = []
        if "citizenship" in self.values:
            groups.append(_group("citizenship", citizenship=self.values["citizenship"]))
        if "gender" in self.values:
            groups.append(_group("gender", gender=self.values["gender"]))
        return groups

    def _custody_groups(self):
        groups = []
        if "arrest_date" in self.values:
            groups.append(_date_group("date", "arrested", self.values["arrest_date"]))
        if "age_at_arrest" in self.values:
            groups.append(_group("age", age_at_arrest=self.values["age_at_arrest"]))
        if "arresting_agency" in self.values:
            groups.append(
                self._agency_group("arresting agency", "arresting_agency_id", self.values["arresting_agency"])
            )
        return groups

    def _agency_group(self, label, attname, key):
        agency = self.agencies[key] if key else None
        if isinstance(agency, import_agencies.UnknownAgency):
            shown = f"{agency.display_name} (new)"
            return label, {attname: None}, lambda v: shown
        return label, {attname: getattr(agency, "pk", None)}, lambda v: _agency_name(v[attname])

    def _detainer_groups(self):
        groups = [self._agency_group("declining agency", "declining_agency_id", self.plan.agency_key)]
        if "page" in self.values:
            groups.append(_group("page", page=self.values["page"]))
        for column, prefix in (("lodged_date", "lodged"), ("declined_date", "declined"), ("released_date", "released")):
            if column in self.values:
                groups.append(_date_group(prefix, prefix, self.values[column]))
        if "form" in self.values:
            groups.append(_group("form", form=self.values["form"]))
        return groups

    def _sync(self, obj, what, groups):
        changed = obj.pk is None
        for label, desired, show in groups:
            current = {name: getattr(obj, name) for name in desired}
            if current == desired:
                continue
            if obj.pk is not None:
                self.changes.append(FieldChange(f"{what}: {label}", show(current), show(desired)))
            for name, value in desired.items():
                setattr(obj, name, value)
            changed = True
        if changed and self.write:
            self._save(obj)

    def _save(self, obj):
        obj._change_reason = self.reason
        obj._history_user = self.user
        obj.save()

    def _delete(self, obj):
        obj._change_reason = self.reason
        obj._history_user = self.user
        obj.delete()

    def _sync_charges(self, arrest, stored, wanted, what):
        current = [(c.category, c.wording, c.kind) for c in stored]
        if current == wanted:
            return
        if arrest.pk is not None and self.detainer is not None:
            self.changes.append(FieldChange(f"{what}: charges", _show_charges(current), _show_charges(wanted)))
        if not self.write:
            return
        for index in range(max(len(stored), len(wanted))):
            if index >= len(wanted):
                self._delete(stored[index])
                continue
            category, wording, kind = wanted[index]
            charge = stored[index] if index < len(stored) else ArrestCharge(arrest=arrest)
            if charge.pk is None or (charge.category_id, charge.wording, charge.kind) != (category.pk, wording, kind):
                charge.arrest, charge.category, charge.wording, charge.kind = arrest, category, wording, kind
                self._save(charge)

    def _sync_subsequent(self, detainer, individual, arrests):
        others = [a for a in arrests if a.pk != detainer.custody_arrest_id]
        taken = {d.custody_arrest_id for d in individual.detainers.all()} if self.detainer else set()
        _, stored = derive.classify_arrests(detainer, [a for a in others if a.pk not in taken])
        wanted = self.values["subsequent"]
        for index in range(max(len(stored), len(wanted))):
            label = f"Later arrest {index + 1}"
            if index >= len(wanted):
                arrest = stored[index]
                self.changes.append(
                    FieldChange(label, f"{arrest.arrested}: {_show_charges(_charges_of(arrest))}", "(removed)")
                )
                if self.write:
                    for charge in arrest.charges.all():
                        self._delete(charge)
                    self._delete(arrest)
                continue
            _, date, charges = wanted[index]
            arrest = stored[index] if index < len(stored) else Arrest(individual=individual)
            if arrest.pk is None and self.detainer is not None:
                self.changes.append(FieldChange(label, "(none)", f"{date}: {_show_charges(charges)}"))
            stored_charges = _charges_list(arrest)
            self._sync(arrest, label, [_date_group("date", "arrested", date)])
            self._sync_charges(arrest, stored_charges, charges, label)


def _group(label, **desired):
    ((name, value),) = desired.items()

    def show(values):
        shown = values[name]
        if name == "citizenship":
            return countries.name(shown) or "—"
        return "—" if shown in (None, "") else str(shown)

    return label, desired, show


def _date_group(label, prefix, partial):
    def show(values):
        return _show_date(PartialDate.of(values[f"{prefix}_on"], values[f"{prefix}_on_precision"]))

    return label, _date_values(prefix, partial), show


def _agency_name(pk):
    agency = Agency.objects.filter(pk=pk).first() if pk else None
    return str(agency) if agency else "not reported"


def _charges_of(arrest):
    return [(c.category, c.wording, c.kind) for c in arrest.charges.all()]


def _charges_list(arrest):
    return list(arrest.charges.all()) if arrest.pk else []
