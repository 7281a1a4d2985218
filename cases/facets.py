"""Facet counts for the case list: how many cases each choice would give, counted within
the current filter (every other parameter applied), one aggregate query per facet."""

from dataclasses import dataclass, field

from django_countries import countries

from .fiscal import FiscalQuarter
from .geo import STATE_NAMES
from .models import CaseCharge

OPTIONS_SHOWN = 10


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    param: str
    label: str
    options: list = field(default_factory=list)
    total_options: int = 0
    # Chosen values with no option shown (none left under the other filters): kept on submit.
    hidden: list = field(default_factory=list)


# param, heading, grouped fields, value field, label of a row
GROUPED = (
    ("quarter", "Quarter", ("quarter",), "quarter", lambda r: FiscalQuarter.from_slug(r["quarter"]).label),
    ("report", "Report", ("report__slug", "report__title"), "report__slug", lambda r: r["report__title"]),
    (
        "agency",
        "Declining agency",
        ("declining_agency__slug", "declining_agency__name", "declining_agency__state"),
        "declining_agency__slug",
        lambda r: f"{r['declining_agency__name']}, {r['declining_agency__state']}",
    ),
    (
        "state",
        "State",
        ("declining_agency__state",),
        "declining_agency__state",
        lambda r: STATE_NAMES.get(r["declining_agency__state"], r["declining_agency__state"]),
    ),
    (
        "aor",
        "ICE field office (AOR)",
        ("declining_agency__aor__slug", "declining_agency__aor__name"),
        "declining_agency__aor__slug",
        lambda r: r["declining_agency__aor__name"],
    ),
    (
        "citizenship",
        "Citizenship",
        ("individual__citizenship",),
        "individual__citizenship",
        lambda r: countries.name(r["individual__citizenship"]) or r["individual__citizenship"],
    ),
)
CHARGES = (
    ("subsequent_charge", "Subsequent charge (after release)", CaseCharge.Timing.SUBSEQUENT),
    ("prior_charge", "Prior charge (up to release)", CaseCharge.Timing.PRIOR),
    ("charge", "Charge at any arrest", None),
)


def _facet(param, label, rows, value_of, label_of, selected):
    options = [Option(value_of(r), label_of(r), r["n"], value_of(r) in selected) for r in rows if value_of(r)]
    if param == "quarter":
        options.sort(key=lambda o: o.value, reverse=True)
    shown = [o for i, o in enumerate(options) if i < OPTIONS_SHOWN or o.selected]
    hidden = sorted(set(selected) - {o.value for o in shown})
    return Facet(param, label, shown, len(options), hidden)


def case_facets(filterset, selected_values):
    """``selected_values(param)`` gives the values currently chosen for a parameter."""
    facets = []
    for param, label, fields, value_field, label_of in GROUPED:
        rows = filterset.qs_without(param).count_by(*fields)
        facets.append(_facet(param, label, rows, lambda r, f=value_field: r[f], label_of, selected_values(param)))
    for param, label, timing in CHARGES:
        rows = filterset.qs_without(param).charge_counts(timing)
        facets.append(
            _facet(
                param,
                label,
                rows,
                lambda r: r["category__slug"],
                lambda r: r["category__name"],
                selected_values(param),
            )
        )
    return facets
