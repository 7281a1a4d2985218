"""The rollups compared with a fresh count of the cases (see cases.services.rollups)."""

from collections import Counter

from django.db import connection
from django.db.models import Count

from cases.models import CaseCharge, CaseRollup, ChargeRollup, Detainer
from cases.services.rollups import CASE_COLUMNS, CHARGE_COLUMNS


def _rows(queryset, columns):
    return Counter({tuple(row[:-1]): row[-1] for row in queryset.values_list(*columns) if row[-1]})


def rollup_differences():
    """``{table: (rows only in the rollup, rows only in a fresh count)}`` where they differ."""
    if not connection.is_usable():
        return {}
    stored_cases = Counter()
    for row in CaseRollup.objects.values_list(*CASE_COLUMNS, "cases"):
        stored_cases[row[:-1]] += row[-1]
    fresh_cases = _rows(
        Detainer.objects.filter(is_public=True).values(*CASE_COLUMNS).annotate(n=Count("pk")).order_by(),
        (*CASE_COLUMNS, "n"),
    )
    stored_charges = Counter()
    for row in ChargeRollup.objects.values_list(*CHARGE_COLUMNS, "timing", "category_id", "cases"):
        stored_charges[row[:-1]] += row[-1]
    public = CaseCharge.objects.filter(is_public=True).order_by()
    of_case = [f"detainer__{c}" for c in CHARGE_COLUMNS]
    fresh_charges = _rows(
        public.values(*of_case, "timing", "category_id").annotate(n=Count("pk")),
        (*of_case, "timing", "category_id", "n"),
    )
    for row in public.values(*of_case, "category_id").annotate(n=Count("detainer", distinct=True)):
        key = (*(row[c] for c in of_case), ChargeRollup.Timing.ANY, row["category_id"])
        fresh_charges[key] = row["n"]
    differences = {}
    for name, stored, fresh in (("cases", stored_cases, fresh_cases), ("charges", stored_charges, fresh_charges)):
        if +stored != +fresh:
            differences[name] = (dict(stored - fresh), dict(fresh - stored))
    return differences
