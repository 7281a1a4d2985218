import datetime as dt

import pytest

from cases.fiscal import FiscalQuarter, InvalidQuarter, quarter_slug

D = dt.date


@pytest.mark.parametrize(
    ("day", "label", "slug"),
    [
        (D(2017, 9, 30), "FY2017 Q4", "fy2017-q4"),
        (D(2017, 10, 1), "FY2018 Q1", "fy2018-q1"),
        (D(2017, 12, 31), "FY2018 Q1", "fy2018-q1"),
        (D(2018, 1, 1), "FY2018 Q2", "fy2018-q2"),
        (D(2018, 3, 31), "FY2018 Q2", "fy2018-q2"),
        (D(2018, 4, 1), "FY2018 Q3", "fy2018-q3"),
        (D(2018, 6, 30), "FY2018 Q3", "fy2018-q3"),
        (D(2018, 7, 1), "FY2018 Q4", "fy2018-q4"),
        (D(2018, 9, 30), "FY2018 Q4", "fy2018-q4"),
        (D(2018, 10, 1), "FY2019 Q1", "fy2019-q1"),
        (D(2016, 2, 29), "FY2016 Q2", "fy2016-q2"),
    ],
)
def test_date_to_label_and_slug(day, label, slug):
    quarter = FiscalQuarter.from_date(day)
    assert quarter.label == label
    assert quarter.slug == slug
    assert str(quarter) == label
    assert quarter_slug(day) == slug


@pytest.mark.parametrize(
    ("slug", "start", "end"),
    [
        ("fy2018-q1", D(2017, 10, 1), D(2017, 12, 31)),
        ("fy2018-q2", D(2018, 1, 1), D(2018, 3, 31)),
        ("fy2018-q3", D(2018, 4, 1), D(2018, 6, 30)),
        ("fy2018-q4", D(2018, 7, 1), D(2018, 9, 30)),
        ("fy2016-q2", D(2016, 1, 1), D(2016, 3, 31)),
    ],
)
def test_slug_back_to_period(slug, start, end):
    quarter = FiscalQuarter.from_slug(slug)
    assert (quarter.start, quarter.end) == (start, end)
    assert quarter.contains(start) and quarter.contains(end)
    assert not quarter.contains(start - dt.timedelta(days=1))
    assert not quarter.contains(end + dt.timedelta(days=1))
    assert FiscalQuarter.from_date(start) == quarter == FiscalQuarter.from_date(end)


def test_every_day_of_a_year_round_trips():
    day = D(2019, 1, 1)
    while day.year == 2019:
        quarter = FiscalQuarter.from_date(day)
        assert quarter.contains(day)
        assert FiscalQuarter.from_slug(quarter.slug) == quarter
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("text", ["FY2018 Q2", "fy2018 q2", " FY 2018 Q 2 ", "fy2018-q2", "FY2018-Q2"])
def test_parse_accepts_label_or_slug(text):
    assert FiscalQuarter.parse(text) == FiscalQuarter(2018, 2)


@pytest.mark.parametrize("text", ["", "fy2018", "fy2018-q5", "fy2018-q0", "2018-q2", "fy18-q2", "fy2018-q2x", "\x00"])
def test_parse_rejects_garbage(text):
    with pytest.raises(InvalidQuarter):
        FiscalQuarter.parse(text)


def test_out_of_range_year_is_refused():
    with pytest.raises(InvalidQuarter):
        FiscalQuarter.from_slug("fy9999-q1")


def test_next_previous_and_order():
    q1 = FiscalQuarter(2018, 1)
    assert q1.previous() == FiscalQuarter(2017, 4)
    assert FiscalQuarter(2017, 4).next() == q1
    assert q1.next() == FiscalQuarter(2018, 2)
    assert sorted([FiscalQuarter(2018, 2), FiscalQuarter(2017, 4), q1]) == [
        FiscalQuarter(2017, 4),
        q1,
        FiscalQuarter(2018, 2),
    ]


def test_empty_date_gives_empty_slug():
    assert quarter_slug(None) == ""
