"""Facts derived from stored records, never entered: prior/subsequent charges,
days to the next arrest, and each case's quarter and id.

Every write path (admin, import, sample data) ends up here through the signals in
cases.signals, so derived columns cannot drift from the records they summarise.
"""

import threading
from contextlib import contextmanager

from django.db import transaction

from ..models import Arrest, CaseCharge, Detainer, case_id_for

_batch = threading.local()


@contextmanager
def batch():
    """Collect changes and refresh each touched individual once, at the end.

    Bulk paths (imports, sample data) use this; single edits refresh at once.
    """
    if getattr(_batch, "pending", None) is not None:
        yield
        return
    _batch.pending = set()
    try:
        yield
        pending = _batch.pending
    finally:
        _batch.pending = None
    for individual_id in sorted(pending):
        refresh_individual(individual_id)


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


@transaction.atomic
def refresh_individual(individual_id):
    """Recompute the derived facts of every detainer of one individual."""
    arrests = list(Arrest.objects.filter(individual_id=individual_id).prefetch_related("charges").order_by("pk"))
    detainers = list(Detainer.objects.filter(individual_id=individual_id).select_related("report"))
    for detainer in detainers:
        prior, subsequent = classify_arrests(detainer, arrests)
        wanted = {
            (charge.category_id, timing)
            for timing, group in ((CaseCharge.Timing.PRIOR, prior), (CaseCharge.Timing.SUBSEQUENT, subsequent))
            for arrest in group
            for charge in arrest.charges.all()
        }
        existing = set(detainer.case_charges.values_list("category_id", "timing"))
        if existing != wanted:
            detainer.case_charges.all().delete()
            CaseCharge.objects.bulk_create(
                CaseCharge(detainer=detainer, category_id=category_id, timing=timing)
                for category_id, timing in sorted(wanted)
            )
        days = days_between_release_and_next_arrest(detainer, subsequent)
        if days != detainer.days_to_next_arrest:
            Detainer.objects.filter(pk=detainer.pk).update(days_to_next_arrest=days)


@transaction.atomic
def refresh_report(report):
    """Keep case ids and quarters in step with their report's slug and period.

    Uses save() so that each changed case gets a history record.
    """
    for detainer in report.detainers.select_related("report"):
        expected_id = case_id_for(report.slug, detainer.row) if detainer.row else None
        if detainer.case_id != expected_id or detainer.quarter != report.quarter:
            detainer.report = report
            detainer._change_reason = "Report slug or period changed"
            detainer.save()
