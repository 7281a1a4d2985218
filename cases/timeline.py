"""An individual's history around one case, in date order: arrests, and each detainer's
lodging, decline and release. Built from loaded rows; it runs no queries itself."""

import datetime as dt
from dataclasses import dataclass, field

from .dates import PartialDate
from .services.derive import classify_arrests

STEP_ORDER = {"arrest": 0, "lodged": 1, "declined": 2, "released": 3}
STEP_TITLES = {
    "lodged": "Detainer lodged",
    "declined": "Detainer declined (the date ICE recorded the decline)",
    "released": "Released from custody",
}


@dataclass
class Event:
    when: PartialDate | None
    step: str
    phase: str  # "prior", "subsequent", or "" for events of detainers
    arrest: object = None
    detainer: object = None
    is_this_case: bool = False
    charges: list = field(default_factory=list)

    @property
    def title(self):
        return STEP_TITLES.get(self.step, "Arrest")

    @property
    def sort_key(self):
        earliest = self.when.earliest if self.when else dt.date.max
        return (earliest, STEP_ORDER[self.step])


def case_timeline(case, arrests, charges, detainers):
    """``arrests``, their ``charges`` (lists by arrest id) and ``detainers`` are the individual's,
    already loaded."""
    prior, _subsequent = classify_arrests(case, arrests)
    prior_ids = {arrest.pk for arrest in prior}
    events = [
        Event(
            arrest.arrested,
            "arrest",
            "prior" if arrest.pk in prior_ids else "subsequent",
            arrest=arrest,
            charges=charges.get(arrest.pk, []),
        )
        for arrest in arrests
    ]
    for detainer in detainers:
        for step in ("lodged", "declined", "released"):
            when = getattr(detainer, step)
            if when is not None:
                events.append(Event(when, step, "", detainer=detainer, is_this_case=detainer.pk == case.pk))
    return sorted(events, key=lambda event: event.sort_key)
