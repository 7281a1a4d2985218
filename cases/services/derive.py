"""Facts derived from stored records, never entered: prior/subsequent charges,
days to the next arrest, and each case's quarter and id.

Every write path (admin, import, sample data) ends up here through the signals in
cases.signals, so derived columns cannot drift from the records they summarise.
"""

import threading
from collections import defaultdict
from contextlib import contextmanager

from django.db import transaction

from ..models import Arrest, CaseCharge, ChargeCategory, Detainer, ReportStatus, case_id_for
from ..models.detainers import charge_keys
from . import rollups

_batch = threading.local()


@contextmanager
def batch():
    """Collect changes and refresh each touched individual once, at the end.

    Bulk paths (imports, sample data) use this; single edits refresh at once.
    """
    if getattr(_batch, "pending", None) is not None:
        yield
        return
    with rollups.deferred():
        _batch.pending = set()
        try:
            yield
            pending = _batch.pending
        finally:
            _batch.pending = None
        refresh_individuals(pending)


def individual_changed(individual_id):
    if not individual_id:
        return
    pending = getattr(_batch, "pending", None)
    if pending is not None:
        pending.add(individual_id)
    else:
        refresh_individual(individual_id)


def classify_arrests(detainer, arrests):
    """Split an individual's arrests into (prior, subsequent) for one detainer.

    Subsequent means certainly after release; an arrest whose date could fall on or
    before release (including the custody arrest) is prior.
    """
    reference = detainer.release_reference
    prior, subsequent = [], []
    for arrest in arrests:
        if arrest.pk == detainer.custody_arrest_id or reference is None or arrest.arrested is None:
            prior.append(arrest)
        elif arrest.arrested.is_certainly_after(reference):
            subsequent.append(arrest)
        else:
            prior.append(arrest)
    return prior, subsequent


def days_between_release_and_next_arrest(detainer, subsequent):
    """Whole days, only when both dates are known to the day; otherwise None."""
    reference = detainer.release_reference
    if reference is None or not reference.is_exact or not subsequent:
        return None
    first = min(subsequent, key=lambda a: a.arrested_on)  # subsequent arrests always have a date
    if not first.arrested.is_exact:
        return None
    return (first.arrested_on - reference.value).days


def _date_order(arrest):
    return (arrest.arrested_on is None, arrest.arrested_on, arrest.pk)


def charge_summary(prior, subsequent):
    """The ``Detainer.charges`` value: each group's charges as [category id, kind, wording,
    arrest date in ISO at its precision], arrests in date order (undated last), charges in
    the order entered."""

    def rows(group):
        return [
            [charge.category_id, charge.kind, charge.wording, arrest.arrested.iso() if arrest.arrested else None]
            for arrest in sorted(group, key=_date_order)
            for charge in sorted(arrest.charges.all(), key=lambda c: c.pk)
        ]

    return {"prior": rows(prior), "subsequent": rows(subsequent)}


CHARGE_SEPARATOR = " | "
CHARGE_COLUMNS = ["prior_charge_codes", "prior_charges_text", "subsequent_charge_codes", "subsequent_charges_text"]


def charge_columns(summary, categories):
    """The export text of a ``charge_summary``: for each group, its NCIC codes joined by "|"
    and its charges joined by " | ", each as "CODE Category (kind): wording as published".
    ``categories`` is ``{pk: (code, name)}``."""
    columns = {}
    for group in ("prior", "subsequent"):
        charges = summary.get(group, [])
        columns[f"{group}_charge_codes"] = "|".join(categories[c[0]][0] for c in charges)
        columns[f"{group}_charges_text"] = CHARGE_SEPARATOR.join(
            f"{categories[c][0]} {categories[c][1]} ({kind}): {wording}" for c, kind, wording, _on in charges
        )
    return columns


def _derived(detainer, arrests):
    """The (category, timing) pairs, days to the next arrest and charge summary that
    ``detainer`` should have."""
    prior, subsequent = classify_arrests(detainer, arrests)
    wanted = {
        (charge.category_id, timing)
        for timing, group in ((CaseCharge.Timing.PRIOR, prior), (CaseCharge.Timing.SUBSEQUENT, subsequent))
        for arrest in group
        for charge in arrest.charges.all()
    }
    return wanted, days_between_release_and_next_arrest(detainer, subsequent), charge_summary(prior, subsequent)


DERIVED_FIELDS = [
    "days_to_next_arrest",
    "first_prior_code",
    "first_subsequent_code",
    "is_public",
    "state",
    "aor_id",
    "citizenship",
    "agency_name",
    "agency_slug",
    "charges",
    "charge_keys",
    *CHARGE_COLUMNS,
]


def category_codes():
    """``{pk: (code, name)}``, read fresh: a category just renamed must show its new name."""
    return {pk: (code, name) for pk, code, name in ChargeCategory.objects.values_list("pk", "code", "name")}


def _lowest(codes, wanted, timing):
    return min((codes[category_id][0] for category_id, t in wanted if t == timing), default=None)


def copied_columns(detainer):
    """The columns a case copies from its report, declining agency and individual."""
    report, agency = detainer.report, detainer.declining_agency
    return {
        "is_public": bool(report and detainer.row and report.status == ReportStatus.PUBLISHED),
        "state": agency.state,
        "aor_id": agency.aor_id,
        "agency_name": agency.name,
        "agency_slug": agency.slug,
        "citizenship": str(detainer.individual.citizenship),
    }


def refresh_individual(individual_id):
    """Recompute the derived facts of every detainer of one individual."""
    refresh_individuals([individual_id])


@transaction.atomic
def refresh_individuals(individual_ids, chunk_size=500):
    """Recompute the derived facts of every detainer of these individuals, in a few queries
    per chunk whatever their number (a 200-case import refreshes 200 individuals)."""
    ids = sorted(set(individual_ids))
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        arrests = defaultdict(list)
        for arrest in Arrest.objects.filter(individual_id__in=chunk).prefetch_related("charges").order_by("pk"):
            arrests[arrest.individual_id].append(arrest)
        detainers = list(
            Detainer.objects.filter(individual_id__in=chunk).select_related("report", "declining_agency", "individual")
        )
        existing, carried = defaultdict(set), defaultdict(set)
        for detainer_id, category_id, timing, is_public, quarter in CaseCharge.objects.filter(
            detainer__in=detainers
        ).values_list("detainer_id", "category_id", "timing", "is_public", "quarter"):
            existing[detainer_id].add((category_id, timing))
            carried[detainer_id].add((is_public, quarter))
        codes = category_codes()
        stale, fresh, changed = [], [], []
        for detainer in detainers:
            wanted, days, charges = _derived(detainer, arrests[detainer.individual_id])
            copied = copied_columns(detainer)
            if existing[detainer.pk] != wanted or not carried[detainer.pk] <= {(copied["is_public"], detainer.quarter)}:
                stale.append(detainer.pk)
                fresh.extend(
                    CaseCharge(
                        detainer=detainer,
                        category_id=category_id,
                        timing=timing,
                        is_public=copied["is_public"],
                        quarter=detainer.quarter,
                    )
                    for category_id, timing in sorted(wanted)
                )
            values = {
                "days_to_next_arrest": days,
                "charges": charges,
                "charge_keys": charge_keys(wanted),
                **charge_columns(charges, codes),
                "first_prior_code": _lowest(codes, wanted, CaseCharge.Timing.PRIOR),
                "first_subsequent_code": _lowest(codes, wanted, CaseCharge.Timing.SUBSEQUENT),
                **copied,
            }
            if any(getattr(detainer, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(detainer, field, value)
                changed.append(detainer)
        if stale:
            CaseCharge.objects.filter(detainer_id__in=stale).delete()
            CaseCharge.objects.bulk_create(fresh)
        if changed:
            # Derived, never entered: not a change staff made, so no history record.
            Detainer.objects.bulk_update(changed, DERIVED_FIELDS)
        rollups.touch(pairs={(d.report_id, d.declining_agency_id) for d in detainers})


@transaction.atomic
def refresh_report(report):
    """Keep case ids and quarters in step with their report's slug and period.

    Uses save() so that each changed case gets a history record.
    """
    with rollups.deferred():
        moved = 0
        for detainer in report.detainers.select_related("report"):
            expected_id = case_id_for(report.slug, detainer.row) if detainer.row else None
            if detainer.case_id != expected_id or detainer.quarter != report.quarter:
                detainer.report = report
                detainer._change_reason = "Report slug or period changed"
                detainer.save()
                moved += 1
        public = report.status == ReportStatus.PUBLISHED
        changed = report.detainers.filter(row__isnull=False).exclude(is_public=public).update(is_public=public)
        changed += (
            CaseCharge.objects.filter(detainer__report=report, detainer__row__isnull=False)
            .exclude(is_public=public, quarter=report.quarter)
            .update(is_public=public, quarter=report.quarter)
        )
        if moved or changed:
            rollups.touch(reports=[report.pk])


def agency_changed(agency):
    """Cases copy their declining agency's state, AOR, name and slug. The rollups count by
    state and AOR, so only a move recounts them: a new name or slug changes no count."""
    cases = Detainer.objects.filter(declining_agency=agency)
    moved = cases.exclude(state=agency.state, aor_id=agency.aor_id).exists()
    copied = {"state": agency.state, "aor_id": agency.aor_id, "agency_name": agency.name, "agency_slug": agency.slug}
    cases.exclude(**copied).update(**copied)
    if moved:
        rollups.touch(agencies=[agency.pk])


def category_changed(category):
    """Cases copy the lowest NCIC code of their charges (first_prior_code, first_subsequent_code)
    and the export text of their charges, which holds category codes and names."""
    individuals = Detainer.objects.filter(case_charges__category=category).values_list("individual_id", flat=True)
    refresh_individuals(set(individuals))


def individual_changed_citizenship(individual):
    code = str(individual.citizenship)
    cases = Detainer.objects.filter(individual=individual)
    if cases.exclude(citizenship=code).update(citizenship=code):
        rollups.touch(pairs=set(cases.values_list("report_id", "declining_agency_id")))
