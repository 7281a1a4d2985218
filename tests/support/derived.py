"""A snapshot of every derived fact of a case, to compare bulk-built data with derive."""

from cases.models import Detainer
from cases.services.derive import DERIVED_FIELDS


def derived_snapshot(case_pk):
    case = Detainer.objects.get(pk=case_pk)
    return {
        **{field: getattr(case, field) for field in DERIVED_FIELDS},
        "quarter": case.quarter,
        "case_id": case.case_id,
        "case_charges": set(case.case_charges.values_list("category__code", "timing", "is_public", "quarter")),
    }
