from __future__ import annotations

from datetime import date

import pytest

from domain.periods import (
    HalfYear,
    Month,
    PeriodKind,
    Quarter,
    Year,
    kind_of,
    parse_period_key,
    period_of,
)


def test_month_of_date_and_str() -> None:
    m = Month.of(date(2026, 3, 7))
    assert m == Month(2026, 3)
    assert str(m) == "03/2026"
    assert m.key == "2026-03"


@pytest.mark.parametrize("text", ["2026-03", "2026-3", "03/2026", "3/2026", " 2026-03 "])
def test_month_parse(text: str) -> None:
    assert Month.parse(text) == Month(2026, 3)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "03-2026", "", "2026/03"])
def test_month_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        Month.parse(text)


def test_month_validation() -> None:
    with pytest.raises(ValueError):
        Month(2026, 0)
    with pytest.raises(ValueError):
        Month(2026, 13)


def test_december_to_january_and_back() -> None:
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).prev() == Month(2026, 12)
    assert Month(2026, 11).plus(14) == Month(2028, 1)
    assert Month(2026, 2).plus(-14) == Month(2024, 12)


@pytest.mark.parametrize(
    ("month", "last"),
    [
        (Month(2026, 1), date(2026, 1, 31)),
        (Month(2026, 2), date(2026, 2, 28)),
        (Month(2027, 2), date(2027, 2, 28)),
        (Month(2028, 2), date(2028, 2, 29)),  # leap year
        (Month(2100, 2), date(2100, 2, 28)),  # divisible by 100, not a leap year
        (Month(2000, 2), date(2000, 2, 29)),  # divisible by 400, leap year
        (Month(2026, 4), date(2026, 4, 30)),
        (Month(2026, 12), date(2026, 12, 31)),
    ],
)
def test_last_day(month: Month, last: date) -> None:
    assert month.first_day == date(month.year, month.month, 1)
    assert month.last_day == last
    assert month.days == last.day


def test_day_is_clamped_to_month_end() -> None:
    assert Month(2026, 4).day(31) == date(2026, 4, 30)
    assert Month(2027, 2).day(30) == date(2027, 2, 28)
    assert Month(2028, 2).day(30) == date(2028, 2, 29)
    assert Month(2026, 5).day(5) == date(2026, 5, 5)
    with pytest.raises(ValueError):
        Month(2026, 5).day(0)


def test_months_are_ordered() -> None:
    assert Month(2026, 12) < Month(2027, 1)
    assert sorted([Month(2027, 1), Month(2026, 2), Month(2026, 12)]) == [
        Month(2026, 2),
        Month(2026, 12),
        Month(2027, 1),
    ]


@pytest.mark.parametrize(
    ("month", "quarter"),
    [(1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (9, 3), (10, 4), (12, 4)],
)
def test_quarter_of_month(month: int, quarter: int) -> None:
    assert Month(2026, month).quarter == Quarter(2026, quarter)


def test_quarter_boundaries() -> None:
    q1 = Quarter(2028, 1)
    assert q1.months == (Month(2028, 1), Month(2028, 2), Month(2028, 3))
    assert q1.first_day == date(2028, 1, 1)
    assert q1.last_day == date(2028, 3, 31)
    assert Quarter(2026, 4).last_day == date(2026, 12, 31)
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2027, 1).prev() == Quarter(2026, 4)
    assert Quarter.of(date(2026, 3, 31)) == Quarter(2026, 1)
    assert Quarter.of(date(2026, 4, 1)) == Quarter(2026, 2)
    assert str(Quarter(2026, 4)) == "Quý IV/2026"
    assert Quarter(2026, 4).key == "2026-Q4"
    assert q1.contains(date(2028, 2, 29))
    assert not q1.contains(date(2028, 4, 1))
    with pytest.raises(ValueError):
        Quarter(2026, 5)


def test_half_year_and_year() -> None:
    h1 = HalfYear.of(date(2026, 6, 30))
    assert h1 == HalfYear(2026, 1)
    assert HalfYear.of(date(2026, 7, 1)) == HalfYear(2026, 2)
    assert h1.last_day == date(2026, 6, 30)
    assert HalfYear(2026, 2).next() == HalfYear(2027, 1)
    assert HalfYear(2027, 1).prev() == HalfYear(2026, 2)
    assert str(h1) == "6 tháng đầu năm 2026"
    assert str(HalfYear(2026, 2)) == "6 tháng cuối năm 2026"
    y = Year(2028)
    assert (y.first_day, y.last_day) == (date(2028, 1, 1), date(2028, 12, 31))
    assert len(y.months) == 12
    assert (y.next(), y.prev()) == (Year(2029), Year(2027))
    assert str(y) == "Năm 2028"


def test_number_in_year() -> None:
    assert Month(2026, 11).number_in_year == 11
    assert Quarter(2026, 3).number_in_year == 3
    assert HalfYear(2026, 2).number_in_year == 2
    assert Year(2026).number_in_year == 1


@pytest.mark.parametrize(
    "period", [Month(2026, 12), Quarter(2026, 4), HalfYear(2026, 1), Year(2026)]
)
def test_period_keys_round_trip(period: Month | Quarter | HalfYear | Year) -> None:
    assert parse_period_key(period.key) == period


def test_period_of_kind() -> None:
    day = date(2026, 11, 26)
    assert period_of(PeriodKind.MONTH, day) == Month(2026, 11)
    assert period_of(PeriodKind.QUARTER, day) == Quarter(2026, 4)
    assert period_of(PeriodKind.HALF_YEAR, day) == HalfYear(2026, 2)
    assert period_of(PeriodKind.YEAR, day) == Year(2026)
    assert kind_of(Quarter(2026, 1)) == PeriodKind.QUARTER
    assert [k.per_year for k in PeriodKind] == [12, 4, 2, 1]
