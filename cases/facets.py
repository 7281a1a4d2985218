"""Facet counts for the case list: how many cases each choice would give, counted within
the current filter (every other parameter applied).

Counts come from the copied columns of the case table (quarter, report, agency, state,
AOR, citizenship) and from the derived CaseCharge table, grouped in as few queries as the
database allows: on PostgreSQL one GROUPING SETS query per distinct set of filters, on
SQLite one GROUP BY per facet. Of a facet counted from the rollups, PostgreSQL returns
only the options shown (``shown``: its ten largest and the chosen ones) and how many there
are. Labels are looked up only for the options shown. The unfiltered counts are the same
for everyone, so they are cached until the data changes.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django_countries import countries

from . import dataversion, lookups
from .counts import filter_values, grouped_by_base, rollup_for
from .fiscal import FiscalQuarter
from .geo import STATE_NAMES
from .models import Agency, CaseCharge, Report

OPTIONS_SHOWN = 10
# A facet that the rollups cannot count (every facet of a search; the charge facets under a
# charge filter; the charge facets under a citizenship filter with an agency, state or AOR)
# is counted from the matching cases, at a cost that grows with their number: at 1,000,000
# cases on PostgreSQL, 0.37 s for the 19,005 with a homicide charge, 3.6 s for the 463,654
# with a drugs charge. Past this many cases such a facet is shown without counts, with a notice;
# the others are counted from the rollups as usual.
COUNTED_FROM_CASES_UP_TO = 10_000


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
    counted: bool = True
    # The options before any chosen value shown after them, and how those were picked.
    leading: int = 0
    picked: str = "most frequent"


# param: (heading, column of the case table)
GROUPED = {
    "quarter": ("Quarter", "quarter"),
    "report": ("Report", "report_id"),
    "agency": ("Declining agency", "declining_agency_id"),
    "state": ("State", "state"),
    "aor": ("ICE field office (AOR)", "aor_id"),
    "citizenship": ("Citizenship", "citizenship"),
}
# param: (heading, timing; None for any arrest)
CHARGES = {
    "subsequent_charge": ("Subsequent charge (after release)", CaseCharge.Timing.SUBSEQUENT),
    "prior_charge": ("Prior charge (up to release)", CaseCharge.Timing.PRIOR),
    "charge": ("Charge at any arrest", None),
}
ORDER = ["quarter", "report", "agency", "state", "aor", "citizenship", "subsequent_charge", "prior_charge", "charge"]


def raw_counts(filterset, count=None):
    """``{param: [(value, count), ...]}``, largest first, for every facet but those left
    uncounted for a view of ``count`` cases (``COUNTED_FROM_CASES_UP_TO``). A facet counted
    from the rollups may give only the rows shown (``shown``)."""
    applied = set(filterset.applied_params())
    top = shown(filterset, applied)
    if not applied:
        key = f"facets:unfiltered:v{dataversion.current()}"
        counts = cache.get(key)
        if counts is None:
            counts = _count(filterset, applied, top=top)
            cache.set(key, counts, timeout=dataversion.cache_seconds())
        return counts
    return _count(filterset, applied, from_cases=count is None or count <= COUNTED_FROM_CASES_UP_TO, top=top)


def shown(filterset, applied):
    """``{param: (OPTIONS_SHOWN, raw values chosen)}`` for the facets whose options are the
    largest counts: every one but the quarter (shown newest first) and the charges."""
    return {
        param: (OPTIONS_SHOWN, filter_values(filterset, param) if param in applied else [])
        for param in GROUPED
        if param != "quarter"
    }


def _count(filterset, applied, use_rollups=True, from_cases=True, top=None):
    """``use_rollups=False`` counts every facet from the cases (tests compare the two);
    ``from_cases=False`` leaves out the facets that the rollups cannot count; ``top`` (see
    ``shown``) lets the rollups' counts give only the rows a facet shows."""
    counts = {}
    # Facets that the rollups answer, each counted without its own filter (facets whose own
    # parameter is not applied share one base), in one query per rollup and base, all sent
    # together.
    by_base = defaultdict(list)
    for param in ORDER:
        if use_rollups and rollup_for(filterset, applied, param) is not None:
            by_base[param if param in applied else None].append(param)
    counts.update(grouped_by_base(filterset, by_base, top=top))
    direct = [param for param in ORDER if param not in counts] if from_cases else []
    # The rest: counted from the cases, facets whose own parameter is not applied sharing one base.
    bases = defaultdict(list)
    for param in direct:
        bases[param if param in applied else None].append(param)
    for excluded, params in bases.items():
        queryset = filterset.qs_without(excluded, counting=True)
        columns = [GROUPED[p][1] for p in params if p in GROUPED]
        timings = [CHARGES[p][1] for p in params if p in CHARGES]
        by_column, by_timing = queryset.facet_counts(columns, timings)
        counts.update({p: by_column[GROUPED[p][1]] for p in params if p in GROUPED})
        counts.update({p: by_timing[CHARGES[p][1]] for p in params if p in CHARGES})
    return counts


# Facets whose labels are rows of a table, read together (``_labels_together``).
LABEL_ROWS = {
    "agency": (
        Agency,
        ["slug", "name", "state"],
        lambda rows: {pk: (slug, f"{name}, {state}") for pk, slug, name, state in rows},
    ),
    "report": (Report, ["slug", "title"], lambda rows: {pk: (slug, title) for pk, slug, title in rows}),
}


def _labels_together(values_by_param):
    """``{param: _labels(param, values)}`` for ``{param: values}``: the rows of every facet
    in ``LABEL_ROWS`` read in one round trip, with the reference tables (lookups.rows_together)."""
    read = [param for param in values_by_param if param in LABEL_ROWS]
    found = lookups.rows_together([(*LABEL_ROWS[param][:2], values_by_param[param]) for param in read])
    labels = {param: LABEL_ROWS[param][2](rows) for param, rows in zip(read, found, strict=True)}
    labels.update({param: _labels(param, values) for param, values in values_by_param.items() if param not in labels})
    return labels


def _labels(param, values):
    """Labels and public values (slugs) for the values of one facet."""
    if param == "quarter":
        return {v: (v, FiscalQuarter.from_slug(v).label) for v in values}
    if param == "state":
        return {v: (v, STATE_NAMES.get(v, v)) for v in values}
    if param == "citizenship":
        return {v: (v, countries.name(v) or v) for v in values}
    if param == "aor":
        return {pk: (slug, name) for pk, slug, name in _field_offices() if pk in values}
    return {pk: (slug, name) for pk, slug, name in _categories() if pk in values}


def _labels_of_public_values(param, public_values, counted):
    """Like ``_labels`` but starting from the values in the URL (slugs or codes); only
    values among ``counted`` (the raw values that have a count) are looked up."""
    if param in {"quarter", "state", "citizenship"}:
        return _labels(param, public_values & counted)
    if param == "agency":
        rows = Agency.objects.filter(slug__in=public_values).values_list("pk", "slug", "name", "state")
        return {pk: (slug, f"{name}, {state}") for pk, slug, name, state in rows}
    if param == "report":
        rows = Report.objects.filter(slug__in=public_values).values_list("pk", "slug", "title")
        return {pk: (slug, title) for pk, slug, title in rows}
    source = _field_offices() if param == "aor" else _categories()
    return {pk: (slug, name) for pk, slug, name in source if slug in public_values}


def _field_offices():
    return [(pk, slug, name) for pk, (slug, name) in lookups.field_offices().items()]


def _categories():
    return [(pk, slug, name) for pk, (_code, slug, name) in lookups.categories().items()]


def case_facets(filterset, selected_values, count=None):
    """``selected_values(param)`` gives the values currently chosen for a parameter; ``count``
    is the number of cases in view (None: count every facet)."""
    counts = raw_counts(filterset, count)
    ordered = {param: _options_in_order(param, counts[param]) for param in ORDER if param in counts}
    # The options each facet shows first, labelled together.
    labelled = _labels_together(
        {param: {value for value, _ in rows[:OPTIONS_SHOWN]} for param, rows in ordered.items()}
    )
    facets = []
    for param in ORDER:
        label = GROUPED[param][0] if param in GROUPED else CHARGES[param][0]
        if param not in counts:
            # Too many cases to count from: no options; the chosen values kept for the next submit.
            facets.append(Facet(param, label, hidden=sorted(set(selected_values(param))), counted=False))
            continue
        rows = ordered[param]
        selected = set(selected_values(param))
        labels = labelled[param]
        options = [Option(*labels[v], n, labels[v][0] in selected) for v, n in rows[:OPTIONS_SHOWN] if v in labels]
        leading = len(options)
        missing = selected - {o.value for o in options}
        if missing:
            # A chosen value beyond the first ten still shows, with its count.
            extra = _labels_of_public_values(param, missing, {value for value, _ in rows[OPTIONS_SHOWN:]})
            options += [Option(*extra[v], n, True) for v, n in rows[OPTIONS_SHOWN:] if v in extra]
        hidden = sorted(selected - {o.value for o in options})
        total = getattr(counts[param], "total", len(rows))
        picked = "most recent" if param == "quarter" else "most frequent"
        facets.append(Facet(param, label, options, total, hidden, leading=leading, picked=picked))
    return facets


def _options_in_order(param, counted):
    """A facet's ``(value, count)`` rows without the empty values, in the order shown: the
    quarters newest first, the rest as counted (largest first)."""
    rows = [(value, n) for value, n in counted if value not in (None, "")]
    if param == "quarter":
        rows.sort(key=lambda row: row[0], reverse=True)
    return rows
