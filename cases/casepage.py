"""The case page's queries, compiled once per connection (see ``precompiled``).

Each has the same shape on every case page; only the case id, the individual, the case and
whether the reader is staff change. Compiling them took as long as PostgreSQL took to answer
them at 1,000,000 cases.
"""

from types import SimpleNamespace

from .models import Arrest, ArrestCharge, Correction, Detainer
from .precompiled import Precompiled

STAFF = SimpleNamespace(is_staff=True)  # what ``visible_to`` reads of a user
PUBLIC = SimpleNamespace(is_staff=False)


def _reader(staff):
    return STAFF if staff else PUBLIC


DETAINERS = Precompiled(Detainer, lambda case_id, staff: Detainer.objects.for_detail(case_id, _reader(staff)), str)
ARRESTS = Precompiled(
    Arrest, lambda individual_id: Arrest.objects.filter(individual_id=individual_id).for_timeline(), int
)
CHARGES = Precompiled(ArrestCharge, lambda individual_id: ArrestCharge.objects.of_individual(individual_id), int)
CORRECTIONS = Precompiled(
    Correction,
    lambda case_pk, staff: (
        Correction.objects.visible_to(_reader(staff)).filter(detainer_id=case_pk).select_related("report")
    ),
    int,
)


def is_staff(user):
    return bool(getattr(user, "is_staff", False))


def detainers(case_id, user):
    """``Detainer.objects.for_detail(case_id, user)``, as a list."""
    return DETAINERS.fetch(case_id, shape=(is_staff(user),))


def arrests_with_charges(individual_id):
    """The individual's arrests in date order, and their charges by arrest id: two queries."""
    arrests = ARRESTS.fetch(individual_id)
    charges = {arrest.pk: [] for arrest in arrests}
    by_pk = {arrest.pk: arrest for arrest in arrests}
    for charge in CHARGES.fetch(individual_id) if arrests else ():
        charge.arrest = by_pk[charge.arrest_id]  # as a prefetch would: no query for charge.arrest
        charges[charge.arrest_id].append(charge)
    return arrests, charges


def corrections(case, user):
    """The corrections of ``case`` that ``user`` may see, with their reports."""
    return CORRECTIONS.fetch(case.pk, shape=(is_staff(user),))
