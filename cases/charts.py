"""Server-rendered SVG charts: the geometry is computed here, the markup lives in
``templates/includes/_bar_chart.html`` and ``_timeseries.html``.

Bars are sized in percentages of the chart's width, so text keeps its CSS size at any
screen width and the chart needs neither JavaScript nor a charting library. Every bar
carries the URL of the case list that holds exactly the cases it counts (or none, when
no such list exists, e.g. a range of days).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

BAR_ROW = 34  # px per horizontal bar: label line, then the bar
BAR_SPAN = 82  # % of the width the longest bar takes, leaving room for its value
COLUMN_PLOT = 160  # px of plot height in a time series
COLUMN_TOP = 18  # px above the tallest column, for its value
MAX_COLUMN_LABELS = 6
MAX_PHONE_LABELS = 3  # a phone keeps only these axis labels (CSS hides the others)
MAX_VALUE_LABELS = 12


@dataclass
class Bar:
    label: str
    value: int
    url: str | None = None
    key: str = ""
    # geometry, filled by the chart
    y: float = 0
    rect_y: float = 0
    width: float = 0  # percent
    x: float = 0  # percent (columns)
    height: float = 0  # px (columns)
    center: float = 0  # percent (columns)
    label_y: float = 0
    value_y: float = 0
    short_label: str = ""
    show_label: bool = True
    major: bool = True  # an axis label kept on narrow screens


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    value_label: str = "Cases"
    bars: list[Bar] = field(default_factory=list)
    kind: str = "bar"  # "bar" (horizontal) or "timeseries" (columns in time order)
    note: str = ""
    height: int = 0
    column_width: float = 0
    label_y: int = 0
    show_values: bool = True
    baseline: int = 0

    @property
    def total(self):
        return sum(bar.value for bar in self.bars)

    @property
    def template(self):
        return "includes/_timeseries.html" if self.kind == "timeseries" else "includes/_bar_chart.html"

    @property
    def max_value(self):
        return max((bar.value for bar in self.bars), default=0)


def bar_chart(slug, title, description, bars, **kwargs) -> Chart:
    """A horizontal bar chart, bars in the order given."""
    chart = Chart(slug, title, description, bars=list(bars), **kwargs)
    top = chart.max_value or 1
    for index, bar in enumerate(chart.bars):
        bar.y = index * BAR_ROW
        bar.width = round(BAR_SPAN * bar.value / top, 2) if bar.value else 0
        if bar.value:
            bar.width = max(bar.width, 0.5)  # a visible sliver for the smallest counts
        bar.label_y, bar.rect_y, bar.value_y = bar.y + 13, bar.y + 17, bar.y + 28
    chart.height = max(len(chart.bars), 1) * BAR_ROW
    return chart


def timeseries(slug, title, description, bars, **kwargs) -> Chart:
    """Columns in time order; ``bars`` already include the empty periods between others."""
    chart = Chart(slug, title, description, bars=list(bars), kind="timeseries", **kwargs)
    count = max(len(chart.bars), 1)
    top = chart.max_value or 1
    slot = 100 / count
    chart.column_width = round(slot * 0.7, 3)
    every = math.ceil(count / MAX_COLUMN_LABELS)
    every_major = every * math.ceil(math.ceil(count / every) / MAX_PHONE_LABELS)
    for index, bar in enumerate(chart.bars):
        bar.x = round(index * slot + slot * 0.15, 3)
        bar.height = round(COLUMN_PLOT * bar.value / top, 1)
        bar.y = COLUMN_TOP + COLUMN_PLOT - bar.height
        bar.center = round(index * slot + slot / 2, 3)
        bar.value_y = bar.y - 4
        bar.show_label = index % every == 0
        bar.major = index % every_major == 0
        bar.short_label = bar.label.replace("FY20", "FY")
    chart.show_values = count <= MAX_VALUE_LABELS
    chart.baseline = COLUMN_TOP + COLUMN_PLOT
    chart.label_y = COLUMN_TOP + COLUMN_PLOT + 16
    chart.height = chart.label_y + 8
    return chart
