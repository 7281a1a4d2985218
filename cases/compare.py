"""Two fiscal quarters side by side: cases by declining agency and by charge category,
with the difference, each count linking to the case list that holds exactly those cases."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from . import querystring as qs
from .fiscal import FiscalQuarter, InvalidQuarter
from .models import CaseCharge


class InvalidComparison(ValueError):
    def __init__(self, problems):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass
class Row:
    label: str
    a: int
    b: int
    a_url: str
    b_url: str
    detail_url: str = ""

    @property
    def difference(self):
        return self.b - self.a

    @property
    def difference_text(self):
        return f"{self.difference:+d}" if self.difference else "0"


@dataclass
class Comparison:
    a: FiscalQuarter
    b: FiscalQuarter
    total: Row
    agencies: list = field(default_factory=list)
    prior: list = field(default_factory=list)
    subsequent: list = field(default_factory=list)

    @classmethod
    def of(cls, cases, a_text, b_text):
        quarters, problems = [], []
        for name, text in (("a", a_text), ("b", b_text)):
            try:
                quarters.append(FiscalQuarter.parse(text))
            except InvalidQuarter:
                shown = text[:40] if text else "nothing"
                problems.append(
                    f"Quarter {name}: “{shown}” is not a fiscal quarter. Write it like fy2018-q2 (or FY2018 Q2)."
                )
        if problems:
            raise InvalidComparison(problems)
        a, b = quarters
        cases = cases.filter(quarter__in=[a.slug, b.slug])
        per_agency = cases.count_by(
            "quarter", "declining_agency__slug", "declining_agency__name", "declining_agency__state"
        )
        per_charge = cases.charge_counts_by_quarter()
        link = _links(a, b)

        totals = {row["quarter"]: 0 for row in per_agency}
        agencies = {}
        for row in per_agency:
            totals[row["quarter"]] += row["n"]
            slug = row["declining_agency__slug"]
            entry = agencies.setdefault(
                slug, [f"{row['declining_agency__name']}, {row['declining_agency__state']}", {}]
            )
            entry[1][row["quarter"]] = row["n"]
        charges = {CaseCharge.Timing.PRIOR: {}, CaseCharge.Timing.SUBSEQUENT: {}}
        for row in per_charge:
            entry = charges[row["timing"]].setdefault(
                row["category__slug"], [f"{row['category__code']} {row['category__name']}", {}]
            )
            entry[1][row["detainer__quarter"]] = row["n"]

        def rows(groups, param, detail):
            built = [
                Row(
                    label,
                    counts.get(a.slug, 0),
                    counts.get(b.slug, 0),
                    link(a, param, key),
                    link(b, param, key),
                    reverse(detail, kwargs={"slug": key}),
                )
                for key, (label, counts) in groups.items()
            ]
            return sorted(built, key=lambda r: (-max(r.a, r.b), r.label))

        return cls(
            a,
            b,
            Row("All cases", totals.get(a.slug, 0), totals.get(b.slug, 0), link(a), link(b)),
            rows(agencies, "agency", "cases:agency-detail"),
            rows(charges[CaseCharge.Timing.PRIOR], "prior_charge", "cases:charge-detail"),
            rows(charges[CaseCharge.Timing.SUBSEQUENT], "subsequent_charge", "cases:charge-detail"),
        )


def _links(a, b):
    base = reverse("cases:case-list")

    def link(quarter, param=None, value=None):
        pairs = [("quarter", quarter.slug)] + ([(param, value)] if param else [])
        return qs.as_url(base, qs.canonical_pairs(pairs, qs.CASE_LIST_PARAMS))

    return link
