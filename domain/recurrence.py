"""Monthly recurrence of a meeting: "ngày 5 hằng tháng" or "thứ Ba tuần đầu tiên".

In Vietnamese, thứ 2 = Monday … thứ 7 = Saturday and chủ nhật = Sunday;
weekdays here use Python's numbering (0 = Monday … 6 = Sunday).
"Tuần đầu/thứ hai/…/cuối" means the first/second/…/last such weekday of the
month (its n-th occurrence), not a calendar week: the first Tuesday may fall on
the 7th.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from domain.errors import DateParseError
from domain.periods import Month
from domain.text_vi import fold

LAST: Final = -1  # `nth` value meaning "tuần cuối", the last occurrence in the month

WEEKDAY_NAMES_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
_NTH_NAMES_VI = {1: "đầu tiên", 2: "thứ hai", 3: "thứ ba", 4: "thứ tư", LAST: "cuối"}

# Tokens after `fold()` (no diacritics, lower case).
_WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
_ORDINAL_WORDS = {"nhat": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5}

# A weekday as typed, folded: "thu 3", "t3", "thu ba", "chu nhat", "cn". Group `wd`.
WEEKDAY_PATTERN = r"(?P<wd>chu\s*nhat|cn|(?:thu|t)\s*[2-7]|thu\s+(?:hai|ba|tu|nam|sau|bay))"
_WEEK = (
    r"(?:tuan\s*)?"
    r"(?P<week>dau(?:\s+tien)?|cuoi(?:\s+cung)?|(?:thu\s*)?(?:\d|nhat|mot|hai|ba|tu|bon|nam))"
)
_EVERY_MONTH = r"(?:\s+(?:cua\s+)?(?:(?:hang|moi)\s+)?thang)?"
_NTH_WEEKDAY_RE = re.compile(rf"{WEEKDAY_PATTERN}\s+{_WEEK}{_EVERY_MONTH}")
_DAY_OF_MONTH_RE = re.compile(rf"(?:ngay|mung|mong)\s*(?P<day>\d{{1,2}}){_EVERY_MONTH}")

EXAMPLE_VI = "thứ 3 tuần đầu, thứ 6 tuần cuối hoặc ngày 5 hằng tháng"


@dataclass(frozen=True)
class MonthlyRecurrence:
    """Either a fixed `day` of the month, or the `nth` (1–4 or LAST) `weekday` of the month."""

    day: int | None = None
    weekday: int | None = None
    nth: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None:
            if self.weekday is not None or self.nth is not None:
                raise ValueError("give either day, or weekday and nth")
            if not 1 <= self.day <= 31:
                raise ValueError(f"day must be 1..31: {self.day}")
        else:
            if self.weekday is None or self.nth is None:
                raise ValueError("give either day, or weekday and nth")
            if not 0 <= self.weekday <= 6:
                raise ValueError(f"weekday must be 0..6: {self.weekday}")
            if self.nth not in (1, 2, 3, 4, LAST):
                raise ValueError(f"nth must be 1..4 or LAST: {self.nth}")

    @classmethod
    def day_of_month(cls, day: int) -> MonthlyRecurrence:
        return cls(day=day)

    @classmethod
    def nth_weekday(cls, weekday: int, nth: int) -> MonthlyRecurrence:
        return cls(weekday=weekday, nth=nth)

    @classmethod
    def parse(cls, text: str) -> MonthlyRecurrence:
        """Parse Vietnamese text, with or without diacritics.

        Accepts e.g. "ngày 5", "ngày 5 hằng tháng", "mùng 5", "thứ 3 tuần đầu",
        "thứ Ba tuần đầu tiên", "T6 tuần cuối", "chủ nhật tuần 2", "thu 3 tuan dau".
        Raises `DateParseError` with a Vietnamese message otherwise.
        """
        rule = cls.try_parse(text)
        if rule is None:
            raise DateParseError(
                f"Chưa hiểu lịch “{text.strip()}”. Vui lòng nhập, ví dụ: {EXAMPLE_VI}."
            )
        return rule

    @classmethod
    def try_parse(cls, text: str) -> MonthlyRecurrence | None:
        """Like `parse`, but None when the text is not a recurrence at all.

        Text that has the right shape but impossible values ("tuần 5", "ngày 32")
        still raises `DateParseError`, so the user learns what was wrong.
        """
        folded = fold(text.replace(",", " "))
        if m := _DAY_OF_MONTH_RE.fullmatch(folded):
            day = int(m["day"])
            if not 1 <= day <= 31:
                raise DateParseError(
                    f"Ngày {day} không tồn tại trong tháng. Vui lòng nhập ngày từ 1 đến 31, "
                    "ví dụ: ngày 5 hằng tháng."
                )
            return cls.day_of_month(day)
        if m := _NTH_WEEKDAY_RE.fullmatch(folded):
            return cls.nth_weekday(weekday_index(m["wd"]), _nth(m["week"]))
        return None

    @classmethod
    def from_key(cls, key: str) -> MonthlyRecurrence:
        """Inverse of `key`: "day:5", "weekday:1:1", "weekday:4:last"."""
        parts = key.split(":")
        if len(parts) == 2 and parts[0] == "day":
            return cls.day_of_month(int(parts[1]))
        if len(parts) == 3 and parts[0] == "weekday":
            nth = LAST if parts[2] == "last" else int(parts[2])
            return cls.nth_weekday(int(parts[1]), nth)
        raise ValueError(f"not a recurrence key: {key!r}")

    @property
    def key(self) -> str:
        """A stable ASCII form for storage."""
        if self.day is not None:
            return f"day:{self.day}"
        return f"weekday:{self.weekday}:{'last' if self.nth == LAST else self.nth}"

    def date_in(self, month: Month) -> date:
        """The date this rule falls on in `month`; a day past the month's end means its last day."""
        if self.day is not None:
            return month.day(self.day)
        assert self.weekday is not None and self.nth is not None  # by __post_init__
        if self.nth == LAST:
            last = month.last_day
            return last - timedelta(days=(last.weekday() - self.weekday) % 7)
        first = month.first_day
        first_match = first + timedelta(days=(self.weekday - first.weekday()) % 7)
        return first_match + timedelta(weeks=self.nth - 1)  # 4th occurrence is at most the 28th

    def describe_vi(self) -> str:
        """E.g. "ngày 5 hằng tháng", "thứ Ba tuần đầu tiên hằng tháng"."""
        if self.day is not None:
            return f"ngày {self.day} hằng tháng"
        assert self.weekday is not None and self.nth is not None
        return f"{WEEKDAY_NAMES_VI[self.weekday]} tuần {_NTH_NAMES_VI[self.nth]} hằng tháng"


def weekday_index(token: str) -> int:
    """0 = Monday … 6 = Sunday, from a folded weekday token matched by WEEKDAY_PATTERN."""
    token = token.replace(" ", "")
    if token in ("chunhat", "cn"):
        return 6
    rest = token.removeprefix("thu") if token.startswith("thu") else token[1:]  # "t3" → "3"
    if rest.isdigit():
        return int(rest) - 2  # thứ 2 = Monday = 0
    return _WEEKDAY_WORDS[rest]


def _nth(token: str) -> int:
    token = token.replace("tuan", "").strip()
    if token.startswith("dau"):
        return 1
    if token.startswith("cuoi"):
        return LAST
    token = token.removeprefix("thu").strip()
    number = int(token) if token.isdigit() else _ORDINAL_WORDS[token]
    if not 1 <= number <= 4:
        raise DateParseError(
            f"Không có tuần thứ {number} cố định trong mọi tháng. Vui lòng chọn tuần 1 đến 4 "
            "hoặc tuần cuối, ví dụ: thứ 6 tuần cuối."
        )
    return number
