"""Calendar periods: months, quarters, half-years and years.

All periods are made of whole consecutive months, so they share one small
base class. `key` is a stable ASCII id for storage and outbox keys; `str()` is
the Vietnamese label shown to users.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date
from enum import StrEnum
from typing import ClassVar

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _check_year(year: int) -> None:
    if not MINYEAR <= year <= MAXYEAR:
        raise ValueError(f"year out of range: {year}")


class _MonthSpan:
    """Behaviour shared by periods that are a run of `length` whole months."""

    length: ClassVar[int]

    @property
    def first_month(self) -> Month:
        raise NotImplementedError

    @property
    def months(self) -> tuple[Month, ...]:
        start = self.first_month
        return tuple(start.plus(i) for i in range(self.length))

    @property
    def last_month(self) -> Month:
        return self.first_month.plus(self.length - 1)

    @property
    def first_day(self) -> date:
        return self.first_month.first_day

    @property
    def last_day(self) -> date:
        return self.last_month.last_day

    @property
    def number_in_year(self) -> int:
        """1-based position within its year: the month number, the quarter, the half, 1."""
        return (self.first_month.month - 1) // self.length + 1

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True, order=True)
class Month(_MonthSpan):
    """A calendar month. `str()` gives "MM/YYYY", `key` gives "YYYY-MM"."""

    year: int
    month: int

    length: ClassVar[int] = 1

    def __post_init__(self) -> None:
        _check_year(self.year)
        if not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse "YYYY-MM" (the `key` form) or "MM/YYYY" (the display form)."""
        text = text.strip()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            return cls(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{1,2})/(\d{4})", text):
            return cls(int(m[2]), int(m[1]))
        raise ValueError(f"not a month (expected YYYY-MM or MM/YYYY): {text!r}")

    def plus(self, months: int) -> Month:
        """The month `months` later (negative for earlier)."""
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def next(self) -> Month:
        return self.plus(1)

    def prev(self) -> Month:
        return self.plus(-1)

    @property
    def first_month(self) -> Month:
        return self

    @property
    def days(self) -> int:
        """Number of days in the month (handles February in leap years)."""
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, self.days)

    def day(self, number: int) -> date:
        """Day `number` of this month, clamped to the last day (day 31 of April → 30/04)."""
        if number < 1:
            raise ValueError(f"day must be >= 1: {number}")
        return date(self.year, self.month, min(number, self.days))

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.year, (self.month - 1) // 3 + 1)

    @property
    def half_year(self) -> HalfYear:
        return HalfYear(self.year, 1 if self.month <= 6 else 2)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year:04d}"


@dataclass(frozen=True, order=True)
class Quarter(_MonthSpan):
    """A calendar quarter. `str()` gives "Quý IV/2026", `key` gives "2026-Q4"."""

    year: int
    q: int

    length: ClassVar[int] = 3

    def __post_init__(self) -> None:
        _check_year(self.year)
        if not 1 <= self.q <= 4:
            raise ValueError(f"quarter out of range: {self.q}")

    @classmethod
    def of(cls, day: date) -> Quarter:
        return Month.of(day).quarter

    @property
    def first_month(self) -> Month:
        return Month(self.year, 3 * self.q - 2)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def prev(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-Q{self.q}"

    def __str__(self) -> str:
        return f"Quý {_ROMAN[self.q]}/{self.year:04d}"


@dataclass(frozen=True, order=True)
class HalfYear(_MonthSpan):
    """January–June (half 1) or July–December (half 2); `key` gives "2026-H1"."""

    year: int
    half: int

    length: ClassVar[int] = 6

    def __post_init__(self) -> None:
        _check_year(self.year)
        if self.half not in (1, 2):
            raise ValueError(f"half must be 1 or 2: {self.half}")

    @classmethod
    def of(cls, day: date) -> HalfYear:
        return Month.of(day).half_year

    @property
    def first_month(self) -> Month:
        return Month(self.year, 1 if self.half == 1 else 7)

    def next(self) -> HalfYear:
        return HalfYear(self.year + 1, 1) if self.half == 2 else HalfYear(self.year, 2)

    def prev(self) -> HalfYear:
        return HalfYear(self.year - 1, 2) if self.half == 1 else HalfYear(self.year, 1)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-H{self.half}"

    def __str__(self) -> str:
        which = "đầu" if self.half == 1 else "cuối"
        return f"6 tháng {which} năm {self.year:04d}"


@dataclass(frozen=True, order=True)
class Year(_MonthSpan):
    """A calendar year; `key` gives "2026", `str()` gives "Năm 2026"."""

    year: int

    length: ClassVar[int] = 12

    def __post_init__(self) -> None:
        _check_year(self.year)

    @classmethod
    def of(cls, day: date) -> Year:
        return cls(day.year)

    @property
    def first_month(self) -> Month:
        return Month(self.year, 1)

    def next(self) -> Year:
        return Year(self.year + 1)

    def prev(self) -> Year:
        return Year(self.year - 1)

    @property
    def key(self) -> str:
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return f"Năm {self.year:04d}"


Period = Month | Quarter | HalfYear | Year


class PeriodKind(StrEnum):
    """Which kind of period a report covers; the values are used in the policy YAML."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"

    @property
    def per_year(self) -> int:
        return 12 // _PERIOD_CLASSES[self].length


_PERIOD_CLASSES: dict[PeriodKind, type[Month | Quarter | HalfYear | Year]] = {
    PeriodKind.MONTH: Month,
    PeriodKind.QUARTER: Quarter,
    PeriodKind.HALF_YEAR: HalfYear,
    PeriodKind.YEAR: Year,
}


def kind_of(period: Period) -> PeriodKind:
    for kind, cls in _PERIOD_CLASSES.items():
        if type(period) is cls:
            return kind
    raise TypeError(f"not a period: {period!r}")


def period_of(kind: PeriodKind, day: date) -> Period:
    """The period of `kind` that contains `day`."""
    return _PERIOD_CLASSES[PeriodKind(kind)].of(day)


def parse_period_key(key: str) -> Period:
    """Inverse of `.key`: "2026-12", "2026-Q4", "2026-H2" or "2026"."""
    key = key.strip()
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", key):
        return Quarter(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4})-H([12])", key):
        return HalfYear(int(m[1]), int(m[2]))
    if re.fullmatch(r"\d{4}", key):
        return Year(int(key))
    return Month.parse(key)
