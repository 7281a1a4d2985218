"""Counts of the cases matching a filter, read from the rollups (cases.models.rollups)
whenever they can express the filter: sums over a few hundred rollup rows instead of
counts over every case. Where they cannot, the callers count the cases themselves.
"""

from django.db import connections, router
from django.db.models import Count, Sum

from . import grouping
from .models import (
    CaseAgencyRollup,
    CaseReportRollup,
    CaseRollup,
    ChargeAgencyRollup,
    ChargeCitizenshipRollup,
    ChargeReportRollup,
    ChargeRollup,
)

# Parameters that the rollups (cases.models.rollups) can count by, with their column.
ROLLUP_COLUMNS = {
    "quarter": "quarter",
    "report": "report_id",
    "agency": "declining_agency_id",
    "state": "state",
    "aor": "aor_id",
    "citizenship": "citizenship",
}
REPORT_GRAIN = {"quarter", "report", "citizenship"}
REPORT_PARAMS = {"quarter", "report"}
ROLLUP_TIMING = {
    "charge": ChargeRollup.Timing.ANY,
    "prior_charge": ChargeRollup.Timing.PRIOR,
    "subsequent_charge": ChargeRollup.Timing.SUBSEQUENT,
}


def filter_values(filterset, param):
    value = filterset.form.cleaned_data[param]
    if param == "quarter":
        return sorted(quarter.slug for quarter in value)
    if param in {"state", "citizenship"}:
        return sorted(value)
    return sorted(item.pk for item in value)


def rollup_for(filterset, applied, facet=None, group=None):
    """``(rollup model, filter kwargs)`` whose rows, summed by ``group`` (a parameter; by
    default ``facet``), count the cases matching every applied filter except ``facet``'s
    own; None when the rollups cannot express it (a search, two charge filters, several
    categories in one charge filter, the charges of cases with a charge, or citizenship
    together with a charge and an agency, state or AOR), and the cases are then counted
    directly."""
    group = facet if group is None else group
    others = [param for param in applied if param != facet]
    charges = [param for param in others if param in ROLLUP_TIMING]
    plain = [param for param in others if param not in ROLLUP_TIMING]
    if any(param not in ROLLUP_COLUMNS for param in plain):
        return None
    lookups = {f"{ROLLUP_COLUMNS[param]}__in": filter_values(filterset, param) for param in plain}
    # The report-level rollups hold all that is needed unless an agency, state or AOR is; the
    # agency-level ones, unless a quarter or report is. Otherwise: per report and agency.
    involved = {*plain, group}
    per_report = involved <= {None, *REPORT_GRAIN, *ROLLUP_TIMING}
    per_agency = not per_report and not involved & REPORT_PARAMS
    if not charges and group not in ROLLUP_TIMING:
        return (CaseReportRollup if per_report else CaseAgencyRollup if per_agency else CaseRollup), lookups
    if len(charges) > 1 or (charges and group in ROLLUP_TIMING):
        return None  # which other charges cases with a charge have: counted directly
    citizenship = "citizenship" in plain or group == "citizenship"
    if citizenship and not per_report:
        return None
    if charges:
        categories = filter_values(filterset, charges[0])
        if len(categories) != 1:
            return None  # a case with two of the chosen categories would count twice
        lookups.update(timing=ROLLUP_TIMING[charges[0]], category_id=categories[0])
    if citizenship:
        return ChargeCitizenshipRollup, lookups
    return (ChargeReportRollup if per_report else ChargeAgencyRollup if per_agency else ChargeRollup), lookups


def rollup_count(filterset):
    """The number of cases in the current view from the rollups, or None if they cannot say."""
    found = rollup_for(filterset, set(filterset.applied_params()))
    if found is None:
        return None
    model, lookups = found
    # Written out (``_rows_sql``), as the facets' counts are: the ORM's aggregate took longer
    # to build than the database took to sum the rows.
    connection = connections[router.db_for_read(model)]
    sql, params = _rows_sql(connection, model, lookups, ["cases"])
    if sql is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT SUM({connection.ops.quote_name('cases')}) FROM ({sql}) AS counted", params)
        (total,) = cursor.fetchone()
    return int(total or 0)


def grouped(filterset, groups, excluded=None, top=None):
    """``{group: [(value, count), ...]}``, largest first, of the cases matching every applied
    filter (but ``excluded``), by each of ``groups`` (case-level parameters, or charge
    parameters: by category), in one query per rollup; a group the rollups cannot express
    is left out. ``top`` maps case-level groups to ``(size, keep)``: a ``grouping.Top`` of
    those (see ``group_counts``)."""
    return grouped_by_base(filterset, {excluded: groups}, top)


def grouped_by_base(filterset, bases, top=None):
    """``grouped`` for several sets of groups at once, ``{excluded: groups}``: one statement
    per rollup and set of filters, all sent in one round trip on PostgreSQL (``grouping.run``)."""
    top = top or {}
    applied = set(filterset.applied_params())
    batches = {}
    for excluded, groups in bases.items():
        for group in groups:
            found = rollup_for(filterset, applied, facet=excluded, group=group)
            if found is not None:
                model, lookups = found
                batches.setdefault((model, _frozen(lookups)), (model, lookups, []))[2].append(group)
    if not batches:
        return {}
    # Every rollup is read from one database: the router's for a read of any of them.
    connection = connections[router.db_for_read(CaseRollup)]
    countings, readers = [], []
    for model, lookups, batch in batches.values():
        columns = [ROLLUP_COLUMNS[group] for group in batch if group in ROLLUP_COLUMNS]
        if columns:
            limits = {ROLLUP_COLUMNS[group]: top[group] for group in batch if group in top}
            sql, params = _rows_sql(connection, model, lookups, [*columns, "cases"])
            countings.append(grouping.counting(connection, sql, params, columns, total="cases", top=limits))
            readers.append(_by_column(batch))
        timings = {ROLLUP_TIMING[group]: group for group in batch if group in ROLLUP_TIMING}
        if timings:
            countings.append(_timing_counting(connection, model, lookups, timings))
            readers.append(None)
    result = {}
    for reader, counted in zip(readers, grouping.run(connection, countings), strict=True):
        result.update(reader(counted) if reader else counted)
    return result


def _by_column(batch):
    """From the counts by rollup column, the counts of each group of ``batch`` that has one."""
    return lambda by_column: {group: by_column[ROLLUP_COLUMNS[group]] for group in batch if group in ROLLUP_COLUMNS}


def _timing_counting(connection, model, lookups, timings):
    """The cases per charge category of the rollup rows of ``lookups``, for each timing of
    ``timings`` (``{timing: group}``): ``{group: [(category id, count), ...]}``, largest first."""
    lookups = {**lookups, "timing__in": list(timings)}
    sql, params = _rows_sql(connection, model, lookups, ["timing", "category", "cases"])
    statement = sql and f"SELECT timing, category_id, SUM(cases) FROM ({sql}) AS counted GROUP BY 1, 2"

    def read(rows):
        result = {group: [] for group in timings.values()}
        for timing, category_id, n in rows:
            result[timings[timing]].append((category_id, n))
        for counted in result.values():
            counted.sort(key=lambda row: (-row[1], row[0]))
        return result

    return grouping.Counting(statement, params, read)


def _rows_sql(connection, model, lookups, fields):
    """``(sql, params)`` selecting ``fields`` (by column) of the rows of rollup ``model`` that
    match ``lookups`` (``field=value`` or ``field__in=[values]``, as ``rollup_for`` gives
    them), or ``(None, ())`` when nothing can match (an empty list). Written out rather than
    built by the ORM, which took more time to build these than PostgreSQL took to run them."""
    quote = connection.ops.quote_name
    opts = model._meta
    where, params = [], []
    for key, value in lookups.items():
        name, _, lookup = key.partition("__")
        column = quote(opts.get_field(name).column)
        if lookup == "in":
            if not value:
                return None, ()
            where.append(f"{column} IN ({', '.join(['%s'] * len(value))})")
            params.extend(value)
        elif lookup:
            raise ValueError(f"rollup rows are selected by = or __in, not {key}")
        else:
            where.append(f"{column} = %s")
            params.append(value)
    selected = ", ".join(quote(opts.get_field(name).column) for name in fields)
    sql = f"SELECT {selected} FROM {quote(opts.db_table)}"
    if where:
        sql += f" WHERE {' AND '.join(where)}"
    return sql, params


def _frozen(lookups):
    return tuple(sorted((key, tuple(value) if isinstance(value, list) else value) for key, value in lookups.items()))


def rollup_totals():
    """Headline numbers of the published cases, from the rollups: cases, agencies, reports,
    and cases with a charge after release."""
    cases = CaseReportRollup.objects.aggregate(
        cases=Sum("cases"), with_later_charge=Sum("with_subsequent_charge"), reports=Count("report", distinct=True)
    )
    return {
        "cases": cases["cases"] or 0,
        "agencies": CaseRollup.objects.aggregate(n=Count("declining_agency", distinct=True))["n"],
        "reports": cases["reports"],
        "with_later_charge": cases["with_later_charge"] or 0,
    }
