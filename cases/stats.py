"""Statistics for any filtered set of cases: a fixed number of GROUP BY queries on the
derived columns (quarter, declining agency, CaseCharge, days_to_next_arrest), whatever
the number of cases, cached on the data version.

``compute()`` returns plain data (cacheable); ``charts()`` turns it into chart components
whose bars link to the case list holding exactly the cases they count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse
from django_countries import countries

from . import counts, dataversion, lookups
from . import querystring as qs
from .charts import Bar, bar_chart, timeseries
from .fiscal import FiscalQuarter
from .geo import STATE_NAMES
from .models import Agency, CaseCharge, Detainer

TOP_AGENCIES = 15
TOP_CITIZENSHIPS = 15
DAY_BUCKETS = ((1, 7), (8, 30), (31, 90), (91, 180), (181, 365), (366, 730), (731, None))
CACHE_SECONDS = 3600


def compute(cases, filterset=None) -> dict:
    """Counts for these cases (a filtered, published Detainer queryset; ``filterset`` is the
    filter that selected them): from the rollups where they can express the filter; the
    rest (always the days) counted from the cases (see ONE_STATEMENT_UP_TO)."""
    from_rollups = counts.grouped(filterset, GROUPS) if filterset is not None else {}
    columns = [column for param, column in CASE_GROUPS.items() if param not in from_rollups]
    timings = [timing for param, timing in CHARGE_GROUPS.items() if param not in from_rollups]
    columns.append("days_to_next_arrest")
    bound = _at_most(filterset, from_rollups)
    if bound is not None and bound <= ONE_STATEMENT_UP_TO:
        by_column, by_timing = cases.facet_counts(columns, timings)
    else:
        by_column, by_timing = cases.group_counts(columns), cases.charge_group_counts(timings)

    def by(param, column):
        if param in from_rollups:
            return from_rollups[param]
        return by_column[column]

    def charges(param, timing):
        rows = from_rollups[param] if param in from_rollups else by_timing[timing]
        categories = lookups.categories()
        return [(categories[pk][1], categories[pk][0], categories[pk][2], n) for pk, n in rows]

    quarters = by("quarter", "quarter")
    agencies = by("agency", "declining_agency_id")
    agency_labels = {
        pk: (slug, name, state)
        for pk, slug, name, state in Agency.objects.filter(pk__in=[pk for pk, _ in agencies]).values_list(
            "pk", "slug", "name", "state"
        )
    }
    offices = lookups.field_offices()
    return {
        "total": sum(n for _, n in quarters),
        "quarters": sorted((quarter, n) for quarter, n in quarters if quarter),
        "agencies": [(*agency_labels[pk], n) for pk, n in agencies if pk in agency_labels],
        "states": by("state", "state"),
        "aors": [(*offices.get(pk, (None, None)), n) for pk, n in by("aor", "aor_id")],
        "citizenship": by("citizenship", "citizenship"),
        "prior": charges("prior_charge", CaseCharge.Timing.PRIOR),
        "subsequent": charges("subsequent_charge", CaseCharge.Timing.SUBSEQUENT),
        "days": sorted((days, n) for days, n in by_column["days_to_next_arrest"] if days is not None),
    }


# The counts that no rollup gives come from one statement that finds the
# view's cases once, for a view known to hold at most this many cases; else from one
# GROUPING SETS query for the case columns and one for both charge timings, which
# PostgreSQL runs in parallel. At 1,000,000 cases, in-process, against one query per
# chart before: `?q=homicide` (19,005 cases) 2.5 → 0.46 s in one statement;
# `?charge=dangerous-drugs` (463,654) 2.5 → 1.6 s grouped (3.1 s in one statement).
ONE_STATEMENT_UP_TO = 50_000


def _at_most(filterset, from_rollups):
    """The number of cases in the view, or a bound of it, when known without counting:
    the rollups' count by quarter, or the ids a search listed (None otherwise)."""
    if "quarter" in from_rollups:
        return sum(n for _, n in from_rollups["quarter"])
    text = getattr(filterset.form, "cleaned_data", {}).get("q") if filterset is not None else None
    if text:
        listed = Detainer.objects.listed_search_ids(text)
        return None if listed is None else len(listed)
    return None


# The charts' groups: case columns, and charge timings.
CASE_GROUPS = {
    "quarter": "quarter",
    "agency": "declining_agency_id",
    "state": "state",
    "aor": "aor_id",
    "citizenship": "citizenship",
}
CHARGE_GROUPS = {"prior_charge": CaseCharge.Timing.PRIOR, "subsequent_charge": CaseCharge.Timing.SUBSEQUENT}
GROUPS = (*CASE_GROUPS, *CHARGE_GROUPS)


def _charges(rows):
    return [(row["category__slug"], row["category__code"], row["category__name"], row["n"]) for row in rows]


def cache_key(pairs) -> str:
    """The data version and the canonical filter: what a cached statistic depends on."""
    digest = hashlib.sha256(qs.encode(pairs).encode()).hexdigest()[:32]
    return f"{dataversion.current()}:{digest}"


def cached(cases, pairs, filterset=None) -> dict:
    """``compute(cases, filterset)``, cached under ``cache_key(pairs)``."""
    key = f"insight:stats:{cache_key(pairs)}"
    data = cache.get(key)
    if data is None:
        data = compute(cases, filterset)
        cache.set(key, data, timeout=dataversion.cache_seconds(CACHE_SECONDS))
    return data


def median(days_rows):
    """The median of a distribution given as sorted ``(value, count)`` pairs; None if empty."""
    count = sum(n for _, n in days_rows)
    if not count:
        return None
    wanted = [(count - 1) // 2, count // 2]  # the middle one or two positions, 0-based
    found, seen = [], 0
    for value, n in days_rows:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    middle = sum(found) / 2
    return int(middle) if middle == int(middle) else middle


def day_buckets(days_rows):
    buckets = []
    for low, high in DAY_BUCKETS:
        n = sum(count for value, count in days_rows if value >= low and (high is None or value <= high))
        label = f"{low}–{high} days" if high else f"{low} days or more"
        buckets.append((f"{low}-{high or ''}", label, n))
    return buckets


class ListLink:
    """URLs of the case list for the current filters with one parameter set to one value.

    Parameters that hold one value per case (quarter, agency, state, ...) are replaced:
    under the current filter only chosen values appear, so the list has exactly the
    count shown. Charge parameters hold several values per case and are OR-ed, so a
    bar of another category than the one chosen has no list with exactly its count.
    """

    MULTI_VALUED = {"charge", "prior_charge", "subsequent_charge"}

    def __init__(self, pairs):
        self.pairs = [(p, v) for p, v in pairs if p in qs.FILTER_PARAMS]
        self.base = reverse("cases:case-list")

    def __call__(self, param, value):
        if not value:
            return None
        chosen = qs.values_of(self.pairs, param)
        if param in self.MULTI_VALUED and chosen and chosen != [value]:
            return None
        pairs = [(p, v) for p, v in self.pairs if p != param] + [(param, value)]
        return qs.as_url(self.base, qs.canonical_pairs(pairs, qs.CASE_LIST_PARAMS))

    def all_cases(self):
        return qs.as_url(self.base, qs.canonical_pairs(self.pairs, qs.CASE_LIST_PARAMS))


def quarter_bars(quarter_rows, link):
    """One bar per quarter from the first to the last, empty quarters included."""
    counts = dict(quarter_rows)
    if not counts:
        return []
    first, last = FiscalQuarter.from_slug(min(counts)), FiscalQuarter.from_slug(max(counts))
    bars, current = [], first
    while current <= last:
        bars.append(Bar(current.label, counts.get(current.slug, 0), link("quarter", current.slug), current.slug))
        current = current.next()
    return bars


@dataclass
class Summary:
    total: int
    agency_count: int
    days_known: int
    median_days: float | None


def summary(data) -> Summary:
    days_known = sum(n for _, n in data["days"])
    return Summary(data["total"], len(data["agencies"]), days_known, median(data["days"]))


def quarters_chart(quarter_rows, link):
    return timeseries(
        "quarters",
        "Cases per fiscal quarter",
        "Cases by the federal fiscal quarter of the report that lists them (FY N runs October to September).",
        quarter_bars(quarter_rows, link),
    )


def agencies_chart(agency_rows, link):
    agencies = agency_rows[:TOP_AGENCIES]
    shown = f"The {len(agencies)} with most cases of {len(agency_rows)}." if agencies else ""
    return bar_chart(
        "agencies",
        "Top declining agencies",
        f"Cases by the agency that declined the detainer. {shown}",
        [Bar(f"{name}, {state}", n, link("agency", slug), slug) for slug, name, state, n in agencies],
    )


def charts(data, pairs) -> list:
    """The statistics page's charts, in reading order."""
    link = ListLink(pairs)
    citizenship = data["citizenship"][:TOP_CITIZENSHIPS]
    return [
        quarters_chart(data["quarters"], link),
        agencies_chart(data["agencies"], link),
        bar_chart(
            "states",
            "Cases by state",
            "Cases by the state of the declining agency.",
            [Bar(STATE_NAMES.get(code, code), n, link("state", code), code) for code, n in data["states"]],
        ),
        bar_chart(
            "aors",
            "Cases by ICE field office (AOR)",
            "Cases by the ICE Area of Responsibility of the declining agency.",
            [Bar(name or "Not recorded", n, link("aor", slug), slug or "") for slug, name, n in data["aors"]],
        ),
        *charge_charts(data["prior"], data["subsequent"], link),
        bar_chart(
            "citizenship",
            "Country of citizenship",
            "Cases by the individual's country of citizenship"
            + (f"; the {len(citizenship)} most frequent of {len(data['citizenship'])}." if citizenship else "."),
            [
                Bar(countries.name(code) or code or "Not recorded", n, link("citizenship", code), code)
                for code, n in citizenship
            ],
        ),
        bar_chart(
            "days",
            "Days from release to the next arrest",
            "Cases by the number of days between release and the next arrest. Days are only known when both "
            "dates are known to the day; cases with a month-only date, or with no later arrest, are not counted.",
            [Bar(label, n, None, key) for key, label, n in day_buckets(data["days"])],
            note="The case list cannot be filtered by a range of days, so these bars do not link to it; "
            "sort the list by days instead.",
        ),
    ]


def detail_charts(pairs, *, quarters=None, agencies=None, prior=None, subsequent=None):
    """Charts for a detail page from rows it already has: ``count_by()`` and ``charge_counts()``
    rows; ``pairs`` is the case-list filter that selects the page's cases (e.g. its agency)."""
    link = ListLink(pairs)
    result = []
    if quarters is not None:
        result.append(quarters_chart(sorted((r["quarter"], r["n"]) for r in quarters if r["quarter"]), link))
    if agencies is not None:
        rows = [
            (r["declining_agency__slug"], r["declining_agency__name"], r["declining_agency__state"], r["n"])
            for r in agencies
        ]
        result.append(agencies_chart(rows, link))
    if prior is not None and subsequent is not None:
        result.extend(charge_charts(_charges(prior), _charges(subsequent), link))
    return result


def charge_charts(prior_rows, subsequent_rows, link):
    """Prior and subsequent charges on the same category axis, so they read side by side."""
    order = {}
    for slug, code, name, _ in sorted(prior_rows + subsequent_rows, key=lambda row: row[1]):
        order.setdefault(slug, (code, name))

    def bars(rows, param):
        counts = {slug: n for slug, _, _, n in rows}
        return [
            Bar(f"{code} {name}", counts.get(slug, 0), link(param, slug), slug) for slug, (code, name) in order.items()
        ]

    note = (
        "A case counts once per category, whether the source lists a charge or a conviction; "
        "one case can have several categories, so these bars add up to more than the cases."
    )
    return [
        bar_chart(
            "prior",
            "Prior charges (up to release)",
            "Cases by NCIC category of the charges or convictions on or before release.",
            bars(prior_rows, "prior_charge"),
            note=note,
        ),
        bar_chart(
            "subsequent",
            "Subsequent charges (after release)",
            "Cases by NCIC category of the charges at arrests after release.",
            bars(subsequent_rows, "subsequent_charge"),
            note=note,
        ),
    ]
