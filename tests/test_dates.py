import datetime as dt

from cases.dates import PartialDate, Precision

D = dt.date


def test_month_precision_is_shown_and_compared_as_a_whole_month():
    december = PartialDate.of(D(2017, 12, 17), Precision.MONTH)
    assert december.value == D(2017, 12, 1)
    assert str(december) == "Dec 2017"
    assert december.iso() == "2017-12"
    assert (december.earliest, december.latest) == (D(2017, 12, 1), D(2017, 12, 31))
    mid_december = PartialDate.of(D(2017, 12, 20), Precision.DAY)
    assert str(mid_december) == "20 Dec 2017"
    assert mid_december.iso() == "2017-12-20"
    # A day inside a month-precision date is not certainly after or before it.
    assert not mid_december.is_certainly_after(december)
    assert not december.is_certainly_after(mid_december)
    assert PartialDate.of(D(2018, 1, 1), Precision.DAY).is_certainly_after(december)


def test_february_in_a_leap_year():
    assert PartialDate.of(D(2016, 2, 1), Precision.MONTH).latest == D(2016, 2, 29)


def test_missing_date_is_none():
    assert PartialDate.of(None, Precision.DAY) is None
