"""Every example the date parser suggests is accepted when typed back, in the same place.

The bot's hints are built from real days of the window the answer must fall in (the
flow's month, past or future). This walks many windows — every month of two years,
the first, middle and last day, registering (future), recording (past) and away
dates (future, at most 180 days) — feeds each one a set of wrong answers, and types
every example of every reply back in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.dates_vi import (
    DateParseError,
    NeedsTime,
    date_examples,
    datetime_examples,
    parse_date,
    parse_datetime,
    parse_time,
    parse_time_on,
)
from domain.localtime import at_local
from domain.periods import Month

WRONG = (
    "abc",
    "",
    "31/02",
    "5/13",
    "14h30",
    "thứ 9",
    "1/1/2020",
    "1/1/2062",
    "hôm qua 8h",
    "mai 8h",
    "hôm qua",
    "mai",
    "25h",
    "15/12 14h sáng",
    "ngày 31",
    "thứ 3 tuần 5",
    "29/2",
    "thứ 2 15/12",
    "thứ 3 tuần đầu",
    "sáng 1/1",
    "12/12",
    "28/2 8h",
)
_EXAMPLES = re.compile(r"[Vv]í dụ: (.+?)\.$")


def examples_in(message: str) -> list[str]:
    assert message.casefold().count("ví dụ:") <= 1, message
    m = _EXAMPLES.search(message)
    return m[1].split(" hoặc ") if m else []


def moments() -> Iterator[datetime]:
    start = Month(2026, 1)
    for i in range(24):
        month = start.plus(i)
        for day in (1, 15, month.days):
            for hour in (8, 20):
                yield at_local(month.day(day), time(hour))


def _each_example(message: str, accept: Callable[[str], object]) -> int:
    examples = examples_in(message)
    for example in examples:
        accept(example)  # raises if refused, or if it lacks the hour the prompt wanted
    return len(examples)


def test_schedule_hints_parse_back() -> None:
    checked = 0
    for now in moments():
        today = now.date()
        for month in (Month.of(today), Month.of(today).next()):
            window = {"month": month, "future_only": True}

            def accept(text: str, now: datetime = now, window: dict = window) -> object:
                return parse_datetime(text, now, **window)  # type: ignore[arg-type]

            for example in datetime_examples(now, **window):  # type: ignore[arg-type]
                accept(example)
                checked += 1
            for wrong in WRONG:
                try:
                    accept(wrong)
                except NeedsTime as asked:
                    checked += _each_example(str(asked), accept)
                    for clock in ("8", "14h30", "25h", "abc"):
                        try:
                            parse_time_on(clock, asked.day, now, part=asked.part, **window)  # type: ignore[arg-type]
                        except DateParseError as error:
                            checked += _each_example(
                                str(error),
                                lambda t, a=asked, n=now, w=window: parse_time_on(
                                    t, a.day, n, part=a.part, **w
                                ),
                            )
                except DateParseError as error:
                    checked += _each_example(str(error), accept)
    assert checked > 2000


def test_record_and_away_hints_parse_back() -> None:
    checked = 0
    for now in moments():
        today = now.date()
        windows: list[dict] = [
            {"month": Month.of(today), "past_only": True},
            {"month": Month.of(today).prev(), "past_only": True},
            {"future_only": True, "latest": today + timedelta(days=180)},
        ]
        for window in windows:

            def accept(text: str, today: date = today, window: dict = window) -> object:
                return parse_date(text, today, **window)

            for example in date_examples(today, **window):
                accept(example)
                checked += 1
            for wrong in WRONG:
                try:
                    accept(wrong)
                except DateParseError as error:
                    checked += _each_example(str(error), accept)
    assert checked > 2000


@pytest.mark.parametrize("part", [None, "sang", "trua", "chieu", "toi"])
def test_time_hints_parse_back(part: str | None) -> None:
    for wrong in ("abc", "25", "14h sáng", "24:00"):
        try:
            parse_time(wrong, part=part, bare_hour=True)
        except DateParseError as error:
            examples = examples_in(str(error))
            assert examples
            for example in examples:
                parse_time(example, part=part, bare_hour=True)


def test_no_hint_echoes_what_was_typed() -> None:
    now = datetime(2027, 1, 10, 2, 0, tzinfo=UTC)
    with pytest.raises(DateParseError) as error:
        parse_datetime("abc", now, month=Month(2027, 1), future_only=True)
    assert examples_in(str(error.value)) == ["15/1 14h30", "thứ 3 tuần sau 8h"]
    assert "abc 14h30" not in str(error.value)
