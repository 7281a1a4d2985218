"""Canonical query strings for public lists: the promise that a shared link keeps working.

A view is fully described by its URL. The canonical form lists parameters in a fixed
order, drops empty values and duplicates, sorts repeated values, and writes slugs in
lower case and codes (state, citizenship) in upper case. Former slugs are mapped to
current ones by the views, which know the models; this module only knows text.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, urlencode

from .fiscal import FiscalQuarter, InvalidQuarter

CASE_LIST_PARAMS = (
    "quarter",
    "report",
    "agency",
    "state",
    "aor",
    "citizenship",
    "charge",
    "prior_charge",
    "subsequent_charge",
    "q",
    "sort",
    "page",
)
TABLE_PARAMS = ("sort", "page")
SINGLE_VALUED = {"q", "sort", "page"}
UPPER_CASE = {"state", "citizenship"}
FREE_TEXT = {"q"}
# Longer search text is cut to this length (the canonical redirect shows the cut text),
# so that a 10 KB value cannot be echoed into every part of the page.
MAX_FREE_TEXT = 200
# Parameters that select rows, as opposed to how they are shown (sort, page).
FILTER_PARAMS = tuple(p for p in CASE_LIST_PARAMS if p not in {"sort", "page"})


def raw_pairs(query_string: str) -> list[tuple[str, str]]:
    return parse_qsl(query_string, keep_blank_values=True)


@functools.lru_cache(maxsize=256)
def normalise_value(param: str, value: str) -> str:
    """A pure function of two strings, memoised: a page writes some 30 links from the same
    few values (each sort and page link normalises every parameter again)."""
    # Control characters (NUL above all, which PostgreSQL refuses) never belong in a value.
    value = " ".join("".join(ch for ch in value if ch.isprintable() or ch.isspace()).split())
    # No slug, code or quarter is longer than this; a longer value is cut before it is echoed.
    value = value[:MAX_FREE_TEXT].strip()
    if param in FREE_TEXT:
        return value
    if param in UPPER_CASE:
        return value.upper()
    if param == "quarter":
        try:
            return FiscalQuarter.parse(value).slug
        except InvalidQuarter:
            return value.lower()
    return value.lower()


def canonical_pairs(pairs, params, renames=None) -> list[tuple[str, str]]:
    """The canonical ``[(param, value), ...]`` for the given raw pairs.

    ``renames`` maps ``param -> {old value: current value}`` (former slugs).
    Unknown parameters are dropped: they do not describe the view.
    """
    renames = renames or {}
    values: dict[str, list[str]] = {p: [] for p in params}
    for param, value in pairs:
        if param not in values:
            continue
        value = normalise_value(param, value)
        value = renames.get(param, {}).get(value, value)
        if value and value not in values[param]:
            values[param].append(value)
    result = []
    for param in params:
        found = values[param][-1:] if param in SINGLE_VALUED else sorted(values[param])
        if param == "page" and found == ["1"]:
            continue
        result.extend((param, v) for v in found)
    return result


def encode(pairs) -> str:
    return urlencode(list(pairs))


def as_url(path: str, pairs) -> str:
    query = encode(pairs)
    return f"{path}?{query}" if query else path


def values_of(pairs, param) -> list[str]:
    return [v for p, v in pairs if p == param]


def replace(pairs, param, value=None) -> list[tuple[str, str]]:
    """Set a single-valued parameter (or drop it with ``None``), resetting the page."""
    kept = [(p, v) for p, v in pairs if p != param and p != "page"]
    if value not in (None, ""):
        kept.append((param, str(value)))
    return kept


def toggle(pairs, param, value) -> list[tuple[str, str]]:
    """Add or remove one value of a repeatable filter, back to page 1."""
    kept = [(p, v) for p, v in pairs if p != "page"]
    if (param, value) in kept:
        return [pair for pair in kept if pair != (param, value)]
    return [*kept, (param, value)]


def without_filters(pairs) -> list[tuple[str, str]]:
    return [(p, v) for p, v in pairs if p == "sort"]
