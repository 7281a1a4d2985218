"""Federal fiscal quarters: a date to ``FY2018 Q2``, to the slug ``fy2018-q2``, and back.

FY N runs from 1 October of N-1 to 30 September of N; Q1 is Oct–Dec, Q2 Jan–Mar,
Q3 Apr–Jun and Q4 Jul–Sep. This module is the only place that knows that.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_SLUG_RE = re.compile(r"^fy(\d{4})-q([1-4])$")
_LABEL_RE = re.compile(r"^\s*FY\s*(\d{4})\s*Q\s*([1-4])\s*$", re.IGNORECASE)

MIN_YEAR = 1900
MAX_YEAR = 2200


class InvalidQuarter(ValueError):
    """Raised for text that does not name a fiscal quarter."""


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    year: int
    quarter: int

    def __post_init__(self):
        if not 1 <= self.quarter <= 4:
            raise InvalidQuarter(f"Quarter must be 1 to 4, not {self.quarter}.")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidQuarter(f"Fiscal year {self.year} is out of range.")

    @classmethod
    def from_date(cls, day: dt.date) -> FiscalQuarter:
        if day.month >= 10:
            return cls(day.year + 1, 1)
        return cls(day.year, (day.month - 1) // 3 + 2)

    @classmethod
    def from_slug(cls, slug: str) -> FiscalQuarter:
        """Parse the canonical slug ``fy2018-q2``. Case and surrounding space are forgiven."""
        match = _SLUG_RE.match(str(slug).strip().lower())
        if not match:
            raise InvalidQuarter(f"“{slug}” is not a fiscal quarter like fy2018-q2.")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def parse(cls, text: str) -> FiscalQuarter:
        """Accept either the slug (``fy2018-q2``) or the label (``FY2018 Q2``)."""
        match = _LABEL_RE.match(str(text))
        if match:
            return cls(int(match[1]), int(match[2]))
        return cls.from_slug(text)

    @property
    def label(self) -> str:
        return f"FY{self.year} Q{self.quarter}"

    @property
    def slug(self) -> str:
        return f"fy{self.year}-q{self.quarter}"

    @property
    def start(self) -> dt.date:
        if self.quarter == 1:
            return dt.date(self.year - 1, 10, 1)
        return dt.date(self.year, 3 * (self.quarter - 2) + 1, 1)

    @property
    def end(self) -> dt.date:
        last_month_start = self.start.replace(month=self.start.month + 2)
        last_day = calendar.monthrange(last_month_start.year, last_month_start.month)[1]
        return last_month_start.replace(day=last_day)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> FiscalQuarter:
        if self.quarter == 4:
            return FiscalQuarter(self.year + 1, 1)
        return FiscalQuarter(self.year, self.quarter + 1)

    def previous(self) -> FiscalQuarter:
        if self.quarter == 1:
            return FiscalQuarter(self.year - 1, 4)
        return FiscalQuarter(self.year, self.quarter - 1)

    def __str__(self) -> str:
        return self.label


def quarter_slug(day: dt.date | None) -> str:
    """The slug of the quarter holding ``day``, or '' when there is no date."""
    return FiscalQuarter.from_date(day).slug if day else ""
