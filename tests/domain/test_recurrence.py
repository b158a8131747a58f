from __future__ import annotations

import calendar
from datetime import date

import pytest

from domain.errors import DateParseError
from domain.periods import Month
from domain.recurrence import LAST, MonthlyRecurrence

TUESDAY, FRIDAY, SUNDAY, MONDAY, WEDNESDAY, SATURDAY = 1, 4, 6, 0, 2, 5


@pytest.mark.parametrize(
    ("text", "weekday", "nth"),
    [
        ("thứ 3 tuần đầu", TUESDAY, 1),
        ("thứ Ba tuần đầu tiên", TUESDAY, 1),
        ("Thứ ba tuần đầu tiên hằng tháng", TUESDAY, 1),
        ("thu 3 tuan dau", TUESDAY, 1),
        ("THU BA TUAN DAU TIEN", TUESDAY, 1),
        ("T3 tuần 1", TUESDAY, 1),
        ("thứ 6 tuần cuối", FRIDAY, LAST),
        ("thứ Sáu tuần cuối cùng", FRIDAY, LAST),
        ("thứ 6 cuối tháng", FRIDAY, LAST),
        ("chủ nhật tuần 2", SUNDAY, 2),
        ("Chủ nhật tuần thứ hai hằng tháng", SUNDAY, 2),
        ("CN tuần thứ 3", SUNDAY, 3),
        ("chu nhat tuan 4", SUNDAY, 4),
        ("thứ 2 tuần thứ nhất", MONDAY, 1),
        ("thứ tư tuần thứ tư", WEDNESDAY, 4),
        ("thứ 7, tuần 2 mỗi tháng", SATURDAY, 2),
        ("  thứ   5   tuần   đầu  ", 3, 1),
    ],
)
def test_parse_nth_weekday(text: str, weekday: int, nth: int) -> None:
    assert MonthlyRecurrence.parse(text) == MonthlyRecurrence.nth_weekday(weekday, nth)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("ngày 5", 5),
        ("ngày 5 hằng tháng", 5),
        ("ngày 5 hàng tháng", 5),
        ("ngay 5 hang thang", 5),
        ("Ngày 15 mỗi tháng", 15),
        ("mùng 5", 5),
        ("mồng 10 hằng tháng", 10),
        ("ngày 31", 31),
    ],
)
def test_parse_day_of_month(text: str, day: int) -> None:
    assert MonthlyRecurrence.parse(text) == MonthlyRecurrence.day_of_month(day)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("thứ 3 tuần 5", "tuần 1 đến 4"),
        ("thứ 3 tuần thứ năm", "tuần 1 đến 4"),
        ("ngày 32", "từ 1 đến 31"),
        ("ngày 0", "từ 1 đến 31"),
        ("thứ 8 tuần đầu", "Chưa hiểu lịch “thứ 8 tuần đầu”"),
        ("hằng tháng", "Chưa hiểu lịch"),
        ("", "Chưa hiểu lịch"),
    ],
)
def test_parse_errors(text: str, fragment: str) -> None:
    with pytest.raises(DateParseError, match=fragment):
        MonthlyRecurrence.parse(text)


def test_try_parse_returns_none_for_other_text() -> None:
    assert MonthlyRecurrence.try_parse("5/12") is None
    assert MonthlyRecurrence.try_parse("14h") is None
    with pytest.raises(DateParseError):
        MonthlyRecurrence.try_parse("thứ 2 tuần 6")


def test_constructor_validation() -> None:
    for bad in (
        {},
        {"day": 5, "weekday": 1},
        {"day": 0},
        {"day": 32},
        {"weekday": 7, "nth": 1},
        {"weekday": 1, "nth": 5},
        {"weekday": 1, "nth": 0},
        {"weekday": 1},
    ):
        with pytest.raises(ValueError):
            MonthlyRecurrence(**bad)


def test_dates_in_december_2026() -> None:
    dec = Month(2026, 12)  # 01/12/2026 is a Tuesday
    assert MonthlyRecurrence.parse("thứ 3 tuần đầu").date_in(dec) == date(2026, 12, 1)
    assert MonthlyRecurrence.parse("thứ 2 tuần đầu").date_in(dec) == date(2026, 12, 7)
    assert MonthlyRecurrence.parse("thứ 6 tuần cuối").date_in(dec) == date(2026, 12, 25)
    assert MonthlyRecurrence.parse("thứ 5 tuần cuối").date_in(dec) == date(2026, 12, 31)
    assert MonthlyRecurrence.parse("chủ nhật tuần 2").date_in(dec) == date(2026, 12, 13)
    assert MonthlyRecurrence.parse("ngày 5").date_in(dec) == date(2026, 12, 5)


def test_fixed_day_clamps_to_month_end() -> None:
    rule = MonthlyRecurrence.day_of_month(31)
    assert rule.date_in(Month(2026, 4)) == date(2026, 4, 30)
    assert rule.date_in(Month(2027, 2)) == date(2027, 2, 28)
    assert rule.date_in(Month(2028, 2)) == date(2028, 2, 29)
    assert rule.date_in(Month(2026, 12)) == date(2026, 12, 31)
    assert MonthlyRecurrence.day_of_month(29).date_in(Month(2027, 2)) == date(2027, 2, 28)


def test_nth_weekday_matches_the_calendar_for_five_years() -> None:
    for index in range(60):
        month = Month(2026, 1).plus(index)
        for weekday in range(7):
            days = [
                d
                for d in range(1, month.days + 1)
                if calendar.weekday(month.year, month.month, d) == weekday
            ]
            for nth in (1, 2, 3, 4):
                got = MonthlyRecurrence.nth_weekday(weekday, nth).date_in(month)
                assert got == date(month.year, month.month, days[nth - 1])
            last = MonthlyRecurrence.nth_weekday(weekday, LAST).date_in(month)
            assert last == date(month.year, month.month, days[-1])


def test_last_weekday_in_february() -> None:
    assert MonthlyRecurrence.parse("thứ 6 tuần cuối").date_in(Month(2027, 2)) == date(2027, 2, 26)
    # 29/02/2028 is a Tuesday: the leap day itself is the last Tuesday.
    assert MonthlyRecurrence.parse("thứ 3 tuần cuối").date_in(Month(2028, 2)) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (MonthlyRecurrence.day_of_month(5), "ngày 5 hằng tháng"),
        (MonthlyRecurrence.nth_weekday(TUESDAY, 1), "thứ Ba tuần đầu tiên hằng tháng"),
        (MonthlyRecurrence.nth_weekday(FRIDAY, LAST), "thứ Sáu tuần cuối hằng tháng"),
        (MonthlyRecurrence.nth_weekday(SUNDAY, 2), "Chủ nhật tuần thứ hai hằng tháng"),
        (MonthlyRecurrence.nth_weekday(WEDNESDAY, 4), "thứ Tư tuần thứ tư hằng tháng"),
    ],
)
def test_describe_vi_round_trips(rule: MonthlyRecurrence, text: str) -> None:
    assert rule.describe_vi() == text
    assert MonthlyRecurrence.parse(text) == rule


def test_every_rule_round_trips_through_text_and_key() -> None:
    rules = [MonthlyRecurrence.day_of_month(d) for d in range(1, 32)] + [
        MonthlyRecurrence.nth_weekday(w, n) for w in range(7) for n in (1, 2, 3, 4, LAST)
    ]
    for rule in rules:
        assert MonthlyRecurrence.parse(rule.describe_vi()) == rule
        assert MonthlyRecurrence.from_key(rule.key) == rule


def test_keys() -> None:
    assert MonthlyRecurrence.day_of_month(5).key == "day:5"
    assert MonthlyRecurrence.nth_weekday(TUESDAY, 1).key == "weekday:1:1"
    assert MonthlyRecurrence.nth_weekday(FRIDAY, LAST).key == "weekday:4:last"
    for bad in ("day", "week:1:1", "weekday:1", ""):
        with pytest.raises(ValueError):
            MonthlyRecurrence.from_key(bad)
