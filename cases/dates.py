"""Dates as the sources give them: to the day, or only to the month.

A source that says "arrested in December 2017" is stored as 2017-12-01 with month
precision and shown as "Dec 2017". Comparisons treat such a date as the whole month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractMonth, ExtractYear


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"


@dataclass(frozen=True)
class PartialDate:
    value: dt.date
    precision: str = Precision.DAY

    @classmethod
    def of(cls, value, precision) -> PartialDate | None:
        if value is None:
            return None
        if precision == Precision.MONTH:
            value = value.replace(day=1)
        return cls(value, precision or Precision.DAY)

    @property
    def earliest(self) -> dt.date:
        return self.value

    @property
    def latest(self) -> dt.date:
        if self.precision == Precision.MONTH:
            last = calendar.monthrange(self.value.year, self.value.month)[1]
            return self.value.replace(day=last)
        return self.value

    @property
    def is_exact(self) -> bool:
        return self.precision == Precision.DAY

    def may_be_on_or_before(self, other: PartialDate) -> bool:
        """False only when this date is certainly after ``other``."""
        return self.earliest <= other.latest

    def is_certainly_after(self, other: PartialDate) -> bool:
        return self.earliest > other.latest

    def __str__(self) -> str:
        if self.precision == Precision.MONTH:
            return self.value.strftime("%b %Y")
        return f"{self.value.day} {self.value.strftime('%b %Y')}"

    def iso(self) -> str:
        """ISO 8601 at the stored precision: 2017-12 or 2017-12-05."""
        if self.precision == Precision.MONTH:
            return self.value.strftime("%Y-%m")
        return self.value.isoformat()


def not_after_q(earlier: str, later: str) -> Q:
    """A database condition: ``earlier`` is not certainly after ``later``.

    Either date may be missing. A month-precision ``later`` stands for its whole month,
    so an ``earlier`` day inside that month is allowed.
    """
    return (
        Q(**{f"{earlier}__isnull": True})
        | Q(**{f"{later}__isnull": True})
        | Q(**{f"{earlier}__lte": F(later)})
        | Q(
            **{
                f"{later}_precision": Precision.MONTH,
                f"{earlier}__year": ExtractYear(later),
                f"{earlier}__month": ExtractMonth(later),
            }
        )
    )


def month_precision_on_first_q(field: str) -> Q:
    """A database condition: a month-precision date is stored as the first of its month."""
    return ~Q(**{f"{field}_precision": Precision.MONTH}) | Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__day": 1})
