"""Matching the agencies named in an import file to stored agencies, by ORI or by name *and* state.

Nothing here guesses: an agency that is not found is listed for staff to create or map, and a
name found only in another state is a different agency (Franklin County, IA is not Franklin
County, PA).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.text import slugify

from ..models import Agency, AgencyType
from .import_format import CellProblem, parse_choice, parse_state

ORI_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{7}$")
# Words too common to suggest that two agency names mean the same agency.
_COMMON_WORDS = {
    "county",
    "city",
    "police",
    "department",
    "dept",
    "sheriff",
    "sheriffs",
    "s",
    "office",
    "jail",
    "of",
    "the",
    "and",
    "state",
    "detention",
    "center",
    "correctional",
    "facility",
    "pd",
    "so",
}


def name_key(name: str) -> str:
    """Names that differ only in case, spacing or punctuation are the same name."""
    return slugify(name)


@dataclass(frozen=True)
class AgencyRef:
    """An agency as one file row names it."""

    ori: str
    name: str
    state: str
    agency_type: str = ""
    city: str = ""
    county: str = ""

    @property
    def key(self) -> str:
        return self.ori or f"{self.name} ({self.state})"


@dataclass
class UnknownAgency:
    """An agency the file names that is not in the database: staff choose to create or map it."""

    ref: AgencyRef
    mentions: list = field(default_factory=list)  # (line, column prefix)
    candidates: list = field(default_factory=list)  # same state, similar name: could be the same agency
    other_states: list = field(default_factory=list)  # same name elsewhere: a *different* agency
    decision: object = None  # "create", an Agency, or None while undecided

    @property
    def key(self):
        return self.ref.key

    @property
    def lines(self):
        return sorted({line for line, _ in self.mentions})

    @property
    def display_name(self):
        return f"{self.ref.name or '(no name)'} ({self.ref.state})" + (f", ORI {self.ref.ori}" if self.ref.ori else "")


def agency_ref_from(cells, errors_for, prefix="agency", optional=False) -> AgencyRef | None:
    """Read one row's agency columns (``agency_*``, or ``arresting_agency_*``).

    ``errors_for(column, message)`` records a problem. An optional agency whose columns
    are all empty is "not reported": None, and no problem.
    """
    ori = str(cells.get(f"{prefix}_ori") or "").strip().upper()
    name = re.sub(r"\s+", " ", str(cells.get(f"{prefix}_name") or "").strip())
    if optional and not (ori or name or str(cells.get(f"{prefix}_state") or "").strip()):
        return None
    ok = True
    try:
        state = parse_state(cells.get(f"{prefix}_state"))
    except CellProblem as problem:
        errors_for(f"{prefix}_state", str(problem))
        return None
    try:
        agency_type = parse_choice(cells.get(f"{prefix}_type"), AgencyType.values, "The agency type")
    except CellProblem as problem:
        errors_for(f"{prefix}_type", str(problem))
        ok = False
    if ori:
        if not ORI_RE.match(ori):
            errors_for(
                f"{prefix}_ori",
                f"“{ori}” is not an ORI. "
                "An ORI is 9 characters: the state code, then 7 letters or digits, e.g. CA0194200.",
            )
            return None
        if state and not ori.startswith(state):
            errors_for(
                f"{prefix}_state",
                f"The ORI {ori} belongs to {ori[:2]}, "
                f"but the state column says {state}. Check which agency this row means.",
            )
            return None
        state = state or ori[:2]
    elif not (name and state):
        column = f"{prefix}_name" if not name else f"{prefix}_state"
        errors_for(
            column,
            "Give the agency’s ORI, or its name and its state: "
            "a name alone is ambiguous (Franklin County exists in IA, NY and PA).",
        )
        return None
    for column, value, limit in (
        (f"{prefix}_name", name, 200),
        (f"{prefix}_city", cells.get(f"{prefix}_city"), 100),
        (f"{prefix}_county", cells.get(f"{prefix}_county"), 100),
    ):  # the Agency fields' lengths
        if len(str(value or "").strip()) > limit:
            errors_for(column, f"This is {len(str(value).strip())} characters long; the limit is {limit}.")
            ok = False
    if not ok:
        return None
    return AgencyRef(
        ori,
        name,
        state,
        agency_type,
        str(cells.get(f"{prefix}_city") or "").strip(),
        str(cells.get(f"{prefix}_county") or "").strip(),
    )


def _significant_words(name):
    return {w for w in name_key(name).split("-") if w and w not in _COMMON_WORDS}


def resolve(mentions, decisions: dict | None):
    """Match every agency the file mentions, given as ``[(line, column prefix, AgencyRef)]``.

    Returns ``(matched {key: Agency}, [UnknownAgency], errors [(line, column, message)])``.
    """
    decisions = decisions or {}
    refs = {}
    for line, prefix, ref in mentions:
        refs.setdefault(ref.key, (ref, []))[1].append((line, prefix))
    oris = {ref.ori for ref, _ in refs.values() if ref.ori}
    states = {ref.state for ref, _ in refs.values()}
    by_ori = {a.ori: a for a in Agency.objects.filter(ori__in=oris)}
    by_state_name = {}
    by_name = {}
    names = {name_key(ref.name) for ref, _ in refs.values() if ref.name}
    same_state = {}
    for agency in Agency.objects.filter(state__in=states).only("pk", "name", "state", "ori", "slug"):
        by_state_name.setdefault((agency.state, name_key(agency.name)), []).append(agency)
        same_state.setdefault(agency.state, []).append(agency)
    same_name = Q(pk__in=[])
    for ref, _ in refs.values():
        if ref.name:
            same_name |= Q(name__iexact=ref.name)
    for agency in Agency.objects.filter(same_name).order_by("state"):
        if name_key(agency.name) in names:
            by_name.setdefault(name_key(agency.name), []).append(agency)

    matched, unknown, errors = {}, [], []
    for key, (ref, mentions) in refs.items():
        if ref.ori and ref.ori in by_ori:
            matched[key] = by_ori[ref.ori]
            continue
        namesakes = by_state_name.get((ref.state, name_key(ref.name)), []) if ref.name else []
        if not ref.ori and len(namesakes) == 1:
            matched[key] = namesakes[0]
            continue
        if ref.ori and not ref.name:
            message = (
                f"No agency has the ORI {ref.ori}. Add its name in the name column "
                "so it can be created, or add the agency in the admin first."
            )
            _report(errors, mentions, "ori", message)
            continue
        item = UnknownAgency(ref, mentions)
        words = _significant_words(ref.name)
        item.candidates = [
            a for a in same_state.get(ref.state, []) if a in namesakes or (words & _significant_words(a.name))
        ]
        item.other_states = [a for a in by_name.get(name_key(ref.name), []) if a.state != ref.state]
        item.decision = _decision(item, decisions.get(key), errors)
        unknown.append(item)
    return matched, unknown, errors


def _decision(item, choice, errors):
    if choice in (None, ""):
        return None
    if choice == "create":
        if [a for a in item.candidates if name_key(a.name) == name_key(item.ref.name)]:
            message = (
                f"{item.display_name} cannot be created: an agency of that name "
                f"already exists in {item.ref.state}. Map it to that agency instead."
            )
            _report(errors, item.mentions, "name", message)
            return None
        return "create"
    agency = Agency.objects.filter(pk=choice).first() if str(choice).isdigit() else None
    agency = agency or Agency.objects.filter(ori=str(choice).upper()).exclude(ori="").first()
    agency = agency or Agency.objects.filter(slug=str(choice).lower()).first()
    if agency is None:
        _report(errors, item.mentions, "name", f"There is no agency “{choice}” to map {item.display_name} to.")
        return None
    if agency.state != item.ref.state:
        message = (
            f"{item.display_name} cannot be mapped to {agency}: "
            "it is in a different state, so it is a different agency."
        )
        _report(errors, item.mentions, "state", message)
        return None
    return agency


def _report(errors, mentions, column, message):
    for line, prefix in mentions:
        errors.append((line, f"{prefix}_{column}", message))


def create_agency(ref: AgencyRef, *, reason, user) -> Agency:
    base = slugify(f"{ref.name} {ref.state}")[:110]
    slug, n = base, 2
    while Agency.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    agency = Agency(
        name=ref.name,
        slug=slug,
        state=ref.state,
        ori=ref.ori,
        agency_type=ref.agency_type or AgencyType.OTHER,
        city=ref.city,
        county=ref.county,
    )
    agency.full_clean()
    agency._change_reason = reason
    agency._history_user = user
    agency.save()
    return agency
