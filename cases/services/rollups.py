"""Keep the rollups (cases.models.rollups) in step with the published cases.

Every write path marks what it touched: a (report, agency) pair, a whole report (publish,
unpublish) or a whole agency (its state or AOR changed). The per-agency rollup rows of
what was touched are then deleted and counted again from the cases, and the per-report
rows of the touched reports summed again from the per-agency rows, in the caller's
transaction: at once for a single edit, or once at the end of a ``deferred()`` block
(imports and other bulk paths, through ``derive.batch``).
"""

import threading
from contextlib import contextmanager
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Count, Q, Sum, Value

from ..models import (
    CaseCharge,
    CaseReportRollup,
    CaseRollup,
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
ROLLUP_MODELS = (CaseRollup, ChargeRollup, CaseReportRollup, ChargeReportRollup, ChargeCitizenshipRollup)
GRAINS = (
    # (case rollup, its columns, charge rollup, its columns)
    (CaseRollup, CASE_COLUMNS, ChargeRollup, CHARGE_COLUMNS),
    (CaseReportRollup, CASE_REPORT_COLUMNS, ChargeReportRollup, CHARGE_REPORT_COLUMNS),
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
    (case_rollup, case_columns, charge_rollup, charge_columns), per_report = GRAINS
    _recount(marks, case_rollup, case_columns, charge_rollup, charge_columns)
    report_marks = _report_marks(marks)
    _sum_per_report(report_marks, *per_report)
    recount_charge_citizenship(report_marks)


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


def sum_all_per_report():
    """Every per-report row, summed from the per-agency rows (after a bulk load that wrote them)."""
    _sum_per_report({ALL}, *GRAINS[1])


def _sum_per_report(marks, case_rollup, case_columns, charge_rollup, charge_columns):
    """The per-report rows, summed from the per-agency rows of the same reports (the cases
    of two agencies are never the same cases): a few thousand rollup rows, not every charge."""
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
