"""Keep the rollups (cases.models.rollups) in step with the published cases.

Every write path marks what it touched: a (report, agency) pair, a whole report (publish,
unpublish) or a whole agency (its state or AOR changed). The per-report-and-agency rollup
rows of what was touched are then deleted and counted again from the cases; the
per-report rows of the touched reports are summed again from them; and the per-agency
totals lose the touched rows before the recount and gain them back after it. All in the
caller's transaction: at once for a single edit, or once at the end of a ``deferred()``
block (imports and other bulk paths, through ``derive.batch``).
"""

import threading
from contextlib import contextmanager
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Count, Q, Sum, Value

from ..models import (
    CaseAgencyRollup,
    CaseCharge,
    CaseReportRollup,
    CaseRollup,
    ChargeAgencyRollup,
    ChargeCitizenshipRollup,
    ChargeReportRollup,
    ChargeRollup,
    Detainer,
    Report,
)
from ..models.detainers import public_q

# Columns of the case table counted by each rollup, under the same names in both.
CASE_COLUMNS = ("quarter", "report_id", "declining_agency_id", "state", "aor_id", "citizenship")
CHARGE_COLUMNS = ("quarter", "report_id", "declining_agency_id", "state", "aor_id")
CASE_REPORT_COLUMNS = ("quarter", "report_id", "citizenship")
CHARGE_REPORT_COLUMNS = ("quarter", "report_id")
CHARGE_CITIZENSHIP_COLUMNS = ("quarter", "report_id", "citizenship")
CASE_AGENCY_COLUMNS = ("declining_agency_id", "state", "aor_id", "citizenship")
CHARGE_AGENCY_COLUMNS = ("declining_agency_id", "state", "aor_id")
ROLLUP_MODELS = (
    CaseRollup,
    ChargeRollup,
    CaseReportRollup,
    ChargeReportRollup,
    ChargeCitizenshipRollup,
    CaseAgencyRollup,
    ChargeAgencyRollup,
)
GRAINS = (
    # (case rollup, its columns, charge rollup, its columns): the first counted from the
    # cases, the others summed from it
    (CaseRollup, CASE_COLUMNS, ChargeRollup, CHARGE_COLUMNS),
    (CaseReportRollup, CASE_REPORT_COLUMNS, ChargeReportRollup, CHARGE_REPORT_COLUMNS),
    (CaseAgencyRollup, CASE_AGENCY_COLUMNS, ChargeAgencyRollup, CHARGE_AGENCY_COLUMNS),
)

_state = threading.local()
ALL = "all"


def touch(*, pairs=(), reports=(), agencies=()):
    """Mark rollup rows as out of date: (report id, agency id) pairs, reports, agencies."""
    marks = {("pair", pair) for pair in pairs if pair[0] and pair[1]}
    marks |= {("report", pk) for pk in reports if pk} | {("agency", pk) for pk in agencies if pk}
    if not marks:
        return
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending |= marks
    else:
        _rebuild(marks)


def touch_all():
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending.add(ALL)
    else:
        _rebuild({ALL})


@contextmanager
def deferred():
    """Collect marks and rebuild once, at the end."""
    if getattr(_state, "pending", None) is not None:
        yield
        return
    _state.pending = set()
    try:
        yield
        pending = _state.pending
    finally:
        _state.pending = None
    if pending:
        _rebuild(pending)


def rebuild_all():
    _rebuild({ALL})


def _where(marks, prefix=""):
    """A Q over the case columns (with ``prefix`` for a related case) matching the marks."""
    if ALL in marks:
        return Q()
    reports = {pk for kind, pk in marks if kind == "report"}
    agencies = {pk for kind, pk in marks if kind == "agency"}
    pairs = {pair for kind, pair in marks if kind == "pair" and pair[0] not in reports and pair[1] not in agencies}
    parts = []
    if reports:
        parts.append(Q(**{f"{prefix}report_id__in": sorted(reports)}))
    if agencies:
        parts.append(Q(**{f"{prefix}declining_agency_id__in": sorted(agencies)}))
    parts += [Q(**{f"{prefix}report_id": r, f"{prefix}declining_agency_id": a}) for r, a in sorted(pairs)]
    return reduce(or_, parts)


def _insert(model, columns, queryset):
    """INSERT INTO the rollup the rows of a grouped query, in one statement."""
    sql, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c.removesuffix("_id")).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)


def _report_marks(marks):
    """The report-level rows to recount: every report with a touched pair or itself touched.
    An agency's own change (its state or AOR) leaves them as they are."""
    if ALL in marks:
        return {ALL}
    return {("report", pk) for kind, pk in marks if kind == "report"} | {
        ("report", pair[0]) for kind, pair in marks if kind == "pair"
    }


def _rebuild(marks):
    (case_rollup, case_columns, charge_rollup, charge_columns), per_report, per_agency = GRAINS
    if ALL not in marks:
        _shift_per_agency(marks, -1)  # the touched rows leave the agencies' totals...
    _recount(marks, case_rollup, case_columns, charge_rollup, charge_columns)
    if ALL in marks:
        _sum_from_pairs(marks, *per_agency)
    else:
        _shift_per_agency(marks, +1)  # ...and come back as counted now
    report_marks = _report_marks(marks)
    _sum_from_pairs(report_marks, *per_report)
    recount_charge_citizenship(report_marks)


# The per-agency rollups, their key columns, their measures, and the rows they sum.
AGENCY_SUMS = (
    (CaseAgencyRollup, CASE_AGENCY_COLUMNS, ("cases", "with_subsequent_charge"), CaseRollup),
    (ChargeAgencyRollup, (*CHARGE_AGENCY_COLUMNS, "timing", "category_id"), ("cases",), ChargeRollup),
)


def _shift_per_agency(marks, sign):
    """Add (``sign`` +1) or take away (-1) the per-report-and-agency rows of the marks to or
    from the per-agency rows: the rows a report touches, not every report of its agencies
    (summing those again took 6.8 to 7.6 s for a report of 30,000 cases at 1,000,000, near
    the statement timeout of 5 s in one statement; these statements, about 0.8 s). Rows left
    at 0 are deleted."""
    quote = connection.ops.quote_name
    for rollup, columns, measures, source in AGENCY_SUMS:
        table = quote(rollup._meta.db_table)
        fields = [rollup._meta.get_field(column.removesuffix("_id")) for column in columns]
        key = [quote(field.column) for field in fields]
        summed = {f"n{index}": Sum(measure) for index, measure in enumerate(measures)}
        rows = source.objects.filter(_where(marks)).order_by().values(*columns).annotate(**summed)
        sql, params = rows.query.sql_with_params()
        # The grouped query's columns are named as the rollup's (the sums: n0, n1).
        delta = f"({sql}) AS delta"
        match = " AND ".join(
            _same(f"{table}.{column}", f"delta.{column}", field.null) for column, field in zip(key, fields, strict=True)
        )
        operator = "+" if sign > 0 else "-"
        measured = [quote(measure) for measure in measures]
        sums = [f"delta.{name}" for name in summed]
        assignments = ", ".join(f"{m} = {table}.{m} {operator} {n}" for m, n in zip(measured, sums, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {assignments} FROM {delta} WHERE {match}", params)
            if sign > 0:
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join([*key, *measured])}) "
                    f"SELECT {', '.join([*(f'delta.{column}' for column in key), *sums])} FROM {delta} "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {match})",
                    params,
                )
                cursor.execute(f"DELETE FROM {table} WHERE {measured[0]} = 0")


def _same(left, right, nullable):
    """Equal, or for a ``nullable`` column both NULL (an agency with no AOR). Only there: the
    planner joins on plain equality with a hash, on IS NOT DISTINCT FROM row by row."""
    if not nullable:
        return f"{left} = {right}"
    if connection.vendor == "postgresql":
        return f"{left} IS NOT DISTINCT FROM {right}"
    return f"{left} IS {right}"


def recount_charge_citizenship(marks):
    """The ChargeCitizenshipRollup rows of the marked reports (or ALL), counted again from
    their charges: no other rollup holds both a charge and a citizenship to sum from."""
    if not marks:
        return
    ChargeCitizenshipRollup.objects.filter(_where(marks)).delete()
    charges = CaseCharge.objects.filter(public_q(), _where(marks, prefix="detainer__")).order_by()
    if ALL not in marks:
        # The charges' own copy of their quarter lets an index find the reports' charges:
        # joined on the report alone, PostgreSQL read every charge (1 s for a report of
        # 25,654 cases at 1,000,000; 0.25 s so).
        reports = [pk for _, pk in marks]
        charges = charges.filter(quarter__in=Report.objects.filter(pk__in=reports).values("quarter"))
    _insert_charges(ChargeCitizenshipRollup, CHARGE_CITIZENSHIP_COLUMNS, charges)


def sum_all_from_pairs():
    """Every per-report and per-agency row, summed from the per-report-and-agency rows (after
    a bulk load that wrote them)."""
    for grain in GRAINS[1:]:
        _sum_from_pairs({ALL}, *grain)


def sum_all_per_agency():
    """Every per-agency row (migration 0016 fills these for the cases already published)."""
    _sum_from_pairs({ALL}, *GRAINS[2])


def _sum_from_pairs(marks, case_rollup, case_columns, charge_rollup, charge_columns):
    """The per-report (or per-agency) rows of the marked reports (or agencies), summed from the
    per-report-and-agency rows: a few thousand rollup rows, not every case or charge. A case
    is in one report and with one agency, so sums across either are counts of cases."""
    if not marks:
        return
    scope = _where(marks)
    case_rollup.objects.filter(scope).delete()
    charge_rollup.objects.filter(scope).delete()
    cases = CaseRollup.objects.filter(scope).order_by().values(*case_columns)
    _insert(
        case_rollup,
        (*case_columns, "cases", "with_subsequent_charge"),
        cases.annotate(n=Sum("cases"), later=Sum("with_subsequent_charge")),
    )
    charges = ChargeRollup.objects.filter(scope).order_by().values(*charge_columns, "timing", "category_id")
    _insert(charge_rollup, (*charge_columns, "timing", "category_id", "cases"), charges.annotate(n=Sum("cases")))


def _recount(marks, case_rollup, case_columns, charge_rollup, charge_columns):
    rollup_scope = _where(marks)
    case_rollup.objects.filter(rollup_scope).delete()
    charge_rollup.objects.filter(rollup_scope).delete()
    cases = Detainer.objects.filter(_where(marks), public_q()).order_by()
    _insert(
        case_rollup,
        (*case_columns, "cases", "with_subsequent_charge"),
        cases.values(*case_columns).annotate(
            n=Count("pk"), later=Count("pk", filter=Q(first_subsequent_code__isnull=False))
        ),
    )
    charges = CaseCharge.objects.filter(public_q()).order_by()
    if ALL not in marks:
        # Driven from the touched cases (their indexes), not from a join over every charge.
        charges = charges.filter(detainer__in=Detainer.objects.filter(_where(marks)).values("pk"))
    _insert_charges(charge_rollup, charge_columns, charges)


def _insert_charges(charge_rollup, charge_columns, charges):
    """The rows of a charge rollup counted from ``charges`` (CaseCharge rows): by timing,
    and once more for timing ``any``, which counts a case once per category."""
    of_case = [f"detainer__{c}" for c in charge_columns]
    # One CaseCharge row per (case, category, timing): counting rows counts cases.
    _insert(
        charge_rollup,
        (*charge_columns, "timing", "category_id", "cases"),
        charges.values(*of_case, "timing", "category_id").annotate(n=Count("pk")),
    )
    _insert(
        charge_rollup,
        (*charge_columns, "category_id", "timing", "cases"),
        charges.values(*of_case, "category_id").annotate(
            t=Value(ChargeRollup.Timing.ANY), n=Count("detainer", distinct=True)
        ),
    )
