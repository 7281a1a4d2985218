"""The rollups compared with a fresh count of the cases (see cases.services.rollups)."""

from collections import Counter, defaultdict

from django.db import connection
from django.db.models import Count, Q

from cases.models import CaseCharge, ChargeCitizenshipRollup, ChargeRollup, Detainer
from cases.models.detainers import charge_keys
from cases.services.rollups import CHARGE_CITIZENSHIP_COLUMNS, GRAINS


def _rows(queryset, columns):
    return Counter({tuple(row[:-1]): row[-1] for row in queryset.values_list(*columns) if row[-1]})


def rollup_differences():
    """``{table: (rows only in the rollup, rows only in a fresh count)}`` where they differ."""
    if not connection.is_usable():
        return {}
    differences = {}
    charge_grains = [(charge_rollup, charge_columns) for _, _, charge_rollup, charge_columns in GRAINS]
    for charge_rollup, charge_columns in [*charge_grains, (ChargeCitizenshipRollup, CHARGE_CITIZENSHIP_COLUMNS)]:
        stored, fresh = _charges(charge_rollup, charge_columns)
        if +stored != +fresh:
            differences[charge_rollup.__name__] = (dict(stored - fresh), dict(fresh - stored))
    for case_rollup, case_columns, _, _ in GRAINS:
        stored_cases = Counter()
        for *key, n, later in case_rollup.objects.values_list(*case_columns, "cases", "with_subsequent_charge"):
            stored_cases[(*key, "cases")] += n
            stored_cases[(*key, "with_subsequent_charge")] += later
        fresh_cases = Counter()
        public = Detainer.objects.filter(is_public=True).order_by()
        for *key, n, later in public.values_list(*case_columns).annotate(
            n=Count("pk"), later=Count("pk", filter=Q(first_subsequent_code__isnull=False))
        ):
            fresh_cases[(*key, "cases")] = n
            fresh_cases[(*key, "with_subsequent_charge")] = later
        if +stored_cases != +fresh_cases:
            differences[case_rollup.__name__] = (dict(stored_cases - fresh_cases), dict(fresh_cases - stored_cases))
    keys = charge_key_differences()
    if keys:
        differences["Detainer.charge_keys"] = keys
    return differences


def charge_key_differences():
    """``{case pk: (stored keys, keys of its CaseCharge rows)}`` where they differ: the facet
    counts read the keys, the filters the CaseCharge rows, and both must say the same."""
    pairs = defaultdict(list)
    for detainer_id, category_id, timing in CaseCharge.objects.values_list("detainer_id", "category_id", "timing"):
        pairs[detainer_id].append((category_id, timing))
    return {
        pk: (stored, charge_keys(pairs[pk]))
        for pk, stored in Detainer.objects.values_list("pk", "charge_keys")
        if stored != charge_keys(pairs[pk])
    }


def _charges(charge_rollup, charge_columns):
    """``(stored, fresh)`` counts of a charge rollup, by its columns, timing and category."""
    stored = Counter()
    for row in charge_rollup.objects.values_list(*charge_columns, "timing", "category_id", "cases"):
        stored[row[:-1]] += row[-1]
    public = CaseCharge.objects.filter(is_public=True).order_by()
    of_case = [f"detainer__{c}" for c in charge_columns]
    fresh = _rows(
        public.values(*of_case, "timing", "category_id").annotate(n=Count("pk")),
        (*of_case, "timing", "category_id", "n"),
    )
    for row in public.values(*of_case, "category_id").annotate(n=Count("detainer", distinct=True)):
        fresh[(*(row[c] for c in of_case), ChargeRollup.Timing.ANY, row["category_id"])] = row["n"]
    return stored, fresh
