"""Vietnamese dates and times typed on a phone.

One module on purpose (≈ 750 lines): a parser's error carries examples that this
module builds from the same vocabulary tables and parses back before showing them,
so the reading, the checking and the examples share private tables and call each
other; split, each part would import the others.

Accepted (with or without diacritics, any case; the full table is
tests/domain/test_phrasings_vi.py, summarised in the README):

  dates      15/12, 15/12/2026, 15-12-26, 15.12, ngày 15/12, 15 tháng 12 (năm 2026)
  days       hôm nay, nay, hôm qua, hôm kia, mai, ngày mai, ngày kia, mốt
  weekdays   thứ 3, T3, thứ Ba, chủ nhật, CN — alone or with "này", "tới", "tuần này",
             "tuần sau" / "tuần tới", "tuần trước"; with a date: "thứ 3 15/12" (checked)
  in a month thứ 3 tuần đầu, thứ 6 tuần cuối, chủ nhật tuần 2, ngày 5 (needs `month=`)
  times      14h, 14h30, 14:30, 14g30, 14 giờ 30 (phút), 2 giờ rưỡi, 8h kém 15, 2pm,
             lúc 14, with a part of the day: sáng, trưa, chiều, tối ("2 giờ chiều")
  together   in any order: "thứ 3 tuần sau 14h30", "mai 8h", "15/12 lúc 14 giờ",
             "chiều mai 2h", "14h ngày 15/12"

A date with no time ("sáng 15/12") raises `NeedsTime` carrying the day and the part
of the day, so a dialog can ask only for the hour.

The clock is always passed in (`today` / `now`). Every error is a `DateParseError`
whose text ends with examples ("Ví dụ: 15/12 14h30 hoặc thứ 3 tuần sau 8h.") built
from real days of the window the answer must fall in (the flow's month, past or
future), each checked by parsing it back, so the bot never suggests what it would
refuse.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from domain.errors import DateParseError
from domain.localtime import local_zone, to_local
from domain.periods import Month
from domain.recurrence import (
    WEEKDAY_NAMES_VI,
    WEEKDAY_PATTERN,
    MonthlyRecurrence,
    weekday_index,
)
from domain.text_vi import fold

__all__ = [
    "DAY_PARTS_VI",
    "DateParseError",
    "NeedsTime",
    "Window",
    "date_examples",
    "datetime_examples",
    "describe_day",
    "parse_date",
    "parse_datetime",
    "parse_day_in_month",
    "parse_time",
    "parse_time_on",
    "time_examples",
]

Kind = Literal["date", "datetime"]

# Parts of the day, folded → as written.
DAY_PARTS_VI = {"sang": "sáng", "trua": "trưa", "chieu": "chiều", "toi": "tối"}

# A date without a year means its nearest occurrence. For 29/02 that may be years
# away; beyond this many days we ask for the year instead of guessing.
_LEAP_DAY_REACH = 200
# Explicit years further away than this are typos ("2062" for "2026").
_MAX_YEAR_DISTANCE = 5
# How far from today examples are looked for when no month bounds the answer.
_EXAMPLE_REACH = timedelta(days=60)


class NeedsTime(DateParseError):
    """The day is clear but no time was given: ask for the hour only."""

    def __init__(self, message: str, day: date, part: str | None) -> None:
        super().__init__(message)
        self.day = day
        self.part = part  # "sang", "trua", "chieu", "toi" or None


@dataclass(frozen=True)
class Window:
    """Where an answer may fall. The parser checks answers against it and draws its
    examples from it."""

    today: date
    now: datetime | None = None  # local time; with future_only a moment must not be before it
    month: Month | None = None  # the answer must be a day of this month
    future_only: bool = False
    past_only: bool = False
    latest: date | None = None  # no day after this one (e.g. "away for at most 180 days")

    def __post_init__(self) -> None:
        if self.future_only and self.past_only:
            raise ValueError("future_only and past_only are exclusive")

    def first_day(self) -> date:
        low = self.month.first_day if self.month else self.today - _EXAMPLE_REACH
        return max(low, self.today) if self.future_only else low

    def last_day(self) -> date:
        high = self.month.last_day if self.month else self.today + _EXAMPLE_REACH
        if self.latest is not None:
            high = min(high, self.latest)
        return min(high, self.today) if self.past_only else high


class _Invalid(Exception):
    """An answer that cannot be accepted: a reason, and examples if it has its own."""

    def __init__(self, reason: str, examples: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.examples = examples


@dataclass(frozen=True)
class _Reading:
    day: date | None
    clock: time | None
    part: str | None
    year_inferred: bool = False


# ---------------------------------------------------------------------------
# Public parsers


def parse_date(
    text: str,
    today: date,
    *,
    month: Month | None = None,
    future_only: bool = False,
    past_only: bool = False,
    latest: date | None = None,
) -> date:
    """A day: "15/12", "hôm qua", "thứ 3 tuần trước", "thứ 3 tuần đầu" (with `month`).

    Without a year, a date is its nearest occurrence to `today` (in `month`'s year when
    its month is `month`). With `month` the day must lie in it; `future_only` refuses
    days before today, `past_only` days after it, `latest` days after that one. A time
    in the text is ignored.
    """
    window = Window(today, None, month, future_only, past_only, latest)
    try:
        return _checked_day(text, window)
    except _Invalid as problem:
        raise _error(problem, window, "date") from None


def parse_datetime(
    text: str,
    now: datetime,
    *,
    month: Month | None = None,
    future_only: bool = False,
    past_only: bool = False,
    default_time: time | None = None,
) -> datetime:
    """A day and a time ("15/12 14h", "thứ 3 tuần sau 14h30", "mai 8h", "14h ngày 5/12").

    `now` must be aware; the result is aware, in the bloc's zone. Without a time,
    `default_time` is used, or `NeedsTime` is raised (the caller may ask for the hour).
    `future_only` and `past_only` compare the full moment with `now`.
    """
    local_now = to_local(now)
    window = Window(local_now.date(), local_now, month, future_only, past_only)
    try:
        reading = _read(text, window)
        if reading.day is None:
            if reading.clock is None:
                raise _Invalid(f"Chưa hiểu ngày “{text.strip()}”.")
            raise _Invalid("Vui lòng nhập cả ngày.")
        _check_day(reading.day, window, reading.year_inferred)
        clock = reading.clock or default_time
        if clock is None:
            raise _needs_time(reading.day, reading.part, window)
        moment = datetime.combine(reading.day, clock, tzinfo=local_zone())
        _check_moment(moment, window)
        return moment
    except _Invalid as problem:
        raise _error(problem, window, "datetime") from None


def parse_time(text: str, *, part: str | None = None, bare_hour: bool = False) -> time:
    """A clock time: "14h", "14h30", "14:30", "14 giờ 30", "2h chiều", "2 giờ rưỡi".

    `part` is a part of the day already known (from "sáng 15/12"); with `bare_hour`
    a plain number ("8") is an hour, as an answer to "at what time?".
    """
    try:
        return _time_only(text, part, bare_hour)
    except _Invalid as problem:
        examples = problem.examples or tuple(time_examples(part=part))
        raise _date_error(problem.reason, examples) from None


def parse_time_on(
    text: str,
    day: date,
    now: datetime,
    *,
    part: str | None = None,
    month: Month | None = None,
    future_only: bool = False,
    past_only: bool = False,
) -> datetime:
    """The answer to "at what time on `day`?": a time (a bare hour is fine), checked
    against the window like `parse_datetime`."""
    local_now = to_local(now)
    window = Window(local_now.date(), local_now, month, future_only, past_only)
    try:
        clock = _time_only(text, part, bare_hour=True)
        moment = datetime.combine(day, clock, tzinfo=local_zone())
        _check_moment(moment, window)
        return moment
    except _Invalid as problem:
        examples = tuple(time_examples(part=part, day=day, window=window))
        raise _date_error(problem.reason, examples) from None


def parse_day_in_month(text: str, month: Month) -> date:
    """A day of `month` from "thứ 3 tuần đầu", "thứ 6 tuần cuối", "ngày 5" and the like.

    Unlike a recurrence, a one-off "ngày 31" in a 30-day month is an error, not the 30th.
    """
    return _day_in_month(MonthlyRecurrence.parse(text), month)


# ---------------------------------------------------------------------------
# Examples: real days of the window, each parsed back before it is shown


def date_examples(
    today: date,
    *,
    month: Month | None = None,
    future_only: bool = False,
    past_only: bool = False,
    latest: date | None = None,
    count: int = 2,
) -> list[str]:
    """Up to `count` answers `parse_date` accepts with these arguments."""
    return _examples(Window(today, None, month, future_only, past_only, latest), "date", count)


def datetime_examples(
    now: datetime,
    *,
    month: Month | None = None,
    future_only: bool = False,
    past_only: bool = False,
    count: int = 2,
) -> list[str]:
    """Up to `count` answers `parse_datetime` accepts with these arguments."""
    local_now = to_local(now)
    window = Window(local_now.date(), local_now, month, future_only, past_only)
    return _examples(window, "datetime", count)


def time_examples(
    *,
    part: str | None = None,
    day: date | None = None,
    window: Window | None = None,
    count: int = 2,
) -> list[str]:
    """Times typical of `part` (of the day), valid on `day` in `window` when given."""
    found = []
    for candidate in _TIMES_BY_PART.get(part, _TIMES_BY_PART[None]):
        try:
            clock = _time_only(candidate, part, bare_hour=True)
            if day is not None and window is not None:
                _check_moment(datetime.combine(day, clock, tzinfo=local_zone()), window)
        except _Invalid:
            continue
        found.append(candidate)
        if len(found) == count:
            break
    return found


_TIMES_BY_PART: dict[str | None, tuple[str, ...]] = {
    None: ("14h30", "8h", "9h30", "15h", "16h30", "19h30", "7h30", "10h"),
    "sang": ("8h", "7h30", "9h30", "10h", "11h"),
    "trua": ("11h30", "12h", "13h"),
    "chieu": ("14h", "15h30", "16h30", "17h"),
    "toi": ("19h", "19h30", "20h"),
}


def _examples(window: Window, kind: Kind, count: int) -> list[str]:
    """One accepted answer from each group of candidates, until there are `count`."""
    found: list[str] = []
    for group in _candidates(window, kind):
        accepted = next((c for c in group if _accepts(c, window, kind)), None)
        if accepted is not None and accepted not in found:
            found.append(accepted)
            if len(found) == count:
                break
    return found


def _candidates(window: Window, kind: Kind) -> Iterator[list[str]]:
    """Groups of example answers (one phrase, several times), most natural first."""
    first, last = window.first_day(), window.last_day()
    if first > last:
        return

    def with_time(phrase: str, clocks: tuple[str, ...]) -> list[str]:
        return [phrase] if kind == "date" else [f"{phrase} {clock}" for clock in clocks]

    numeric = [
        with_time(_numeric(day), ("14h30", "8h", _soon(window)))
        for day in _example_days(window, first, last)
    ]
    relative = [
        with_time(phrase, ("8h", "14h", _soon(window)))
        for phrase, _ in _relative_phrases(window, first, last)
    ]
    # Alternate: a plain date, then a phrase in words, and so on.
    for index in range(max(len(numeric), len(relative))):
        yield from (group[index] for group in (numeric, relative) if index < len(group))


def _example_days(window: Window, first: date, last: date) -> list[date]:
    """A couple of working days in [first, last]: ahead of today, or behind it."""
    today = window.today
    if window.past_only:
        start = min(last, today - timedelta(days=2))
        order = [start - timedelta(days=i) for i in range((start - first).days + 1)]
    else:
        target = window.month.day(15) if window.month else today + timedelta(days=7)
        start = min(max(first, target), last)
        order = [start + timedelta(days=i) for i in range((last - start).days + 1)]
        order += [start - timedelta(days=i) for i in range(1, (start - first).days + 1)]
    working = [d for d in order if d.weekday() < 5] + [d for d in order if d.weekday() >= 5]
    return working[:2]


def _relative_phrases(window: Window, first: date, last: date) -> list[tuple[str, date]]:
    today = window.today
    monday = today - timedelta(days=today.weekday())
    phrases: list[tuple[str, date]] = []
    if window.past_only:
        options = [
            ("hôm qua", today - timedelta(days=1)),
            ("thứ 3 tuần trước", monday - timedelta(days=6)),
            ("hôm nay", today),
        ]
    else:
        options = [
            ("thứ 3 tuần sau", monday + timedelta(days=8)),
            ("mai", today + timedelta(days=1)),
            ("thứ 6 tuần sau", monday + timedelta(days=11)),
        ]
    if window.month is not None:
        for day in (window.month.first_day + timedelta(days=i) for i in range(7)):
            if day.weekday() == 1:  # "thứ 3 tuần đầu": the first Tuesday
                options.append(("thứ 3 tuần đầu", day))
        last_friday = window.month.last_day
        while last_friday.weekday() != 4:
            last_friday -= timedelta(days=1)
        options.append(("thứ 6 tuần cuối", last_friday))
    for phrase, day in options:
        if first <= day <= last:
            phrases.append((phrase, day))
    return phrases


def _numeric(day: date) -> str:
    return f"{day.day}/{day.month}"


def _soon(window: Window) -> str:
    """A time later today, for examples on today's date."""
    if window.now is None:
        return "14h30"
    hour = min(window.now.hour + 2, 20)
    return f"{hour}h"


def _accepts(text: str, window: Window, kind: Kind) -> bool:
    try:
        reading = _read(text, window)
        if reading.day is None:
            return False
        _check_day(reading.day, window, reading.year_inferred)
        if kind == "datetime":
            if reading.clock is None:
                return False
            _check_moment(datetime.combine(reading.day, reading.clock, tzinfo=local_zone()), window)
    except (_Invalid, DateParseError):
        return False
    return True


def _with_examples(reason: str, examples: tuple[str, ...] | list[str]) -> str:
    if not examples:
        return reason
    return f"{reason} Ví dụ: {' hoặc '.join(examples)}."


def _error(problem: _Invalid, window: Window, kind: Kind) -> DateParseError:
    own = tuple(e for e in problem.examples if _accepts(e, window, kind))
    examples = own or tuple(_examples(window, kind, 2))
    return _date_error(problem.reason, examples)


def _date_error(reason: str, examples: tuple[str, ...]) -> DateParseError:
    return DateParseError(_with_examples(reason, examples), reason=reason, examples=examples)


def _needs_time(day: date, part: str | None, window: Window) -> NeedsTime:
    times = time_examples(part=part, day=day, window=window, count=1)
    if not times:
        raise _Invalid(f"Ngày {_show_day(day)} không còn giờ nào phù hợp.")
    example = f"{_numeric(day)} {times[0]}"
    if not _accepts(example, window, "datetime"):
        example = f"{_show_day(day)} {times[0]}"
    return NeedsTime(f"Vui lòng nhập cả giờ, ví dụ: {example}.", day, part)


# ---------------------------------------------------------------------------
# Reading the text

_TIME_RE = re.compile(
    r"(?<![\w/.:\-])(?:(?:vao\s+)?luc\s+)?(?:"
    r"(?P<h>\d{1,2})\s*(?:gio|h|g|:)\s*"
    r"(?:(?P<min>\d{1,2})\s*(?:phut|ph|p|')?|(?P<half>ruoi)|kem\s*(?P<kem>\d{1,2})\s*(?:phut|ph|p)?)?"
    r"|(?P<h12>\d{1,2})(?:[:h](?P<min12>\d{2}))?\s*(?P<ampm>am|pm)"
    r")(?![\w/])"
)
_BARE_AT_RE = re.compile(r"(?<!\w)(?:vao\s+)?luc\s+(?P<h>\d{1,2})(?![\w/.:\-])")
_BARE_HOUR_RE = re.compile(r"(?P<h>\d{1,2})")
_PART_RE = re.compile(r"(?<!\w)(?:buoi\s*)?(?P<part>sang|trua|chieu|toi)(?!\w)")
_FILLER_RE = re.compile(r"(?<!\w)(?:vao|luc|nhe|nha|a|vay)(?!\w)")
# "tới" (coming) and "tối" (evening) fold to the same "toi": mark the first before folding.
_COMING_RE = re.compile(r"(?<!\w)(?:sắp\s+)?tới(?!\w)")
_EVENING_RE = re.compile(r"(?<!\w)tối(?!\w)")
_WEEKDAY_TOI_RE = re.compile(rf"(?P<before>(?:tuan|{WEEKDAY_PATTERN}))\s+toi(?!\w)")

_DAY_WORDS = {
    "hom nay": 0,
    "nay": 0,
    "bua nay": 0,
    "hom qua": -1,
    "qua": -1,
    "bua qua": -1,
    "hom kia": -2,
    "mai": 1,
    "ngay mai": 1,
    "mai nay": 1,
    "ngay kia": 2,
    "mot": 2,
    "ngay mot": 2,
}
_NUMERIC_RE = re.compile(
    rf"(?:{WEEKDAY_PATTERN}\s+)?(?:ngay\s*)?(?P<d>\d{{1,2}})\s*"
    r"(?:[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}|\d{2}))?"
    r"|(?:thang|thg)\s*(?P<m2>\d{1,2})(?:\s+(?:nam\s+)?(?P<y2>\d{4}))?)"
)
_NEXT = ("sau", "sap", "ke tiep", "tiep theo")
_PREVIOUS = ("truoc", "roi", "vua roi", "vua qua", "qua")
_WEEKDAY_REL_RE = re.compile(
    rf"{WEEKDAY_PATTERN}(?:\s+(?P<tuan>tuan\s+)?(?P<q>nay|{'|'.join(_NEXT + _PREVIOUS)}))?"
)
_WEEK_FIRST_RE = re.compile(rf"tuan\s+(?P<q>nay|{'|'.join(_NEXT + _PREVIOUS)})\s+(?P<rest>.+)")


def _normalise(text: str) -> str:
    lowered = unicodedata.normalize("NFC", text).lower()
    lowered = _EVENING_RE.sub(" buoitoi ", _COMING_RE.sub(" sap ", lowered))
    folded = fold(lowered.replace(",", " ").replace(";", " ")).rstrip(".!?").strip()
    # Without diacritics "toi" after "tuần" or a weekday is "tới" (coming), not "tối".
    return _WEEKDAY_TOI_RE.sub(lambda m: f"{m['before']} sap", folded)


def _read(text: str, window: Window) -> _Reading:
    folded = _normalise(text)
    if not folded:
        raise _Invalid("Vui lòng nhập ngày.")
    rest, clock = _take_time(folded, text)
    rest, part = _take_part(rest, text)
    if clock is not None and part is not None:
        clock = _apply_part(clock, part, text)
    rest = " ".join(_FILLER_RE.sub(" ", rest).split())
    if not rest:
        return _Reading(None, clock, part)
    day, inferred = _day_of(rest, text, window)
    return _Reading(day, clock, part, inferred)


def _take_time(folded: str, original: str) -> tuple[str, time | None]:
    found = list(_TIME_RE.finditer(folded))
    if not found:
        found = list(_BARE_AT_RE.finditer(folded))
    if len(found) > 1:
        raise _Invalid(f"Chưa hiểu “{original.strip()}”: có hơn một giờ.")
    if not found:
        return folded, None
    m = found[0]
    rest = f"{folded[: m.start()]} {folded[m.end() :]}"
    return rest, _clock_from(m, original)


def _clock_from(m: re.Match[str], original: str) -> time:
    groups = m.groupdict()
    if groups.get("h12") is not None:
        hour, minute = int(groups["h12"]), int(groups["min12"] or 0)
        if not 1 <= hour <= 12:
            raise _bad_time(original)
        hour = hour % 12 + (12 if groups["ampm"] == "pm" else 0)
    else:
        hour = int(groups["h"])
        minute = 0
        if groups.get("min"):
            minute = int(groups["min"])
        elif groups.get("half"):
            minute = 30
        elif groups.get("kem"):
            hour, minute = hour - 1, 60 - int(groups["kem"])  # "8h kém 15" = 7:45
            if not 0 < int(groups["kem"]) < 60:
                raise _bad_time(original)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise _bad_time(original)
    return time(hour, minute)


def _bad_time(original: str) -> _Invalid:
    return _Invalid(
        f"Giờ trong “{original.strip()}” không hợp lệ: giờ từ 0 đến 23, phút từ 0 đến 59."
    )


def _take_part(text: str, original: str) -> tuple[str, str | None]:
    found = list(_PART_RE.finditer(text))
    if not found:
        return text, None
    if len({m["part"] for m in found}) > 1:
        raise _Invalid(f"Chưa hiểu “{original.strip()}”: có hai buổi trong ngày.")
    return _PART_RE.sub(" ", text), found[0]["part"]


def _apply_part(clock: time, part: str, original: str) -> time:
    hour = clock.hour
    if part == "sang" and hour > 12:
        raise _Invalid(f"“{original.strip()}”: buổi sáng không có {hour} giờ.")
    if part in ("chieu", "toi") and hour < 12:
        hour += 12  # "2h chiều" = 14:00, "7h tối" = 19:00
    elif part == "trua" and hour < 6:
        hour += 12  # "1h trưa" = 13:00
    return clock.replace(hour=hour)


def _time_only(text: str, part: str | None, bare_hour: bool) -> time:
    folded = _normalise(text)
    rest, clock = _take_time(folded, text)
    rest, typed_part = _take_part(rest, text)
    rest = " ".join(_FILLER_RE.sub(" ", rest).split())
    if clock is None and bare_hour and (m := _BARE_HOUR_RE.fullmatch(rest)):
        hour = int(m["h"])
        if hour > 23:
            raise _bad_time(text)
        clock, rest = time(hour), ""
    if clock is None or rest:
        raise _Invalid(f"Chưa hiểu giờ “{text.strip()}”.")
    chosen = typed_part or part
    return _apply_part(clock, chosen, text) if chosen else clock


def _day_of(rest: str, original: str, window: Window) -> tuple[date, bool]:
    """The day named by `rest` (the text without its time) and whether its year was guessed."""
    if m := _WEEK_FIRST_RE.fullmatch(rest):  # "tuần sau thứ 3" → "thứ 3 tuần sau"
        rest = f"{m['rest']} tuan {m['q']}"
    today = window.today
    if rest in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[rest]), False
    if m := _NUMERIC_RE.fullmatch(rest):
        return _numeric_day(m, window)
    if m := _WEEKDAY_REL_RE.fullmatch(rest):
        return _weekday_day(weekday_index(m["wd"]), m["q"], bool(m["tuan"]), window), False
    try:
        rule = MonthlyRecurrence.try_parse(rest)
    except DateParseError as error:  # "tuần 5", "ngày 32": say why, with our own examples
        raise _Invalid(str(error).split(", ví dụ:")[0].removesuffix(".") + ".") from None
    if rule is None:
        raise _Invalid(f"Chưa hiểu ngày “{original.strip()}”.")
    if window.month is None:
        raise _Invalid(f"“{original.strip()}” cần một ngày cụ thể.")
    try:
        return _day_in_month(rule, window.month), False
    except DateParseError as error:
        raise _Invalid(str(error)) from None


def _numeric_day(m: re.Match[str], window: Window) -> tuple[date, bool]:
    day_no = int(m["d"])
    month_no = int(m["m"] or m["m2"])
    year_text = m["y"] or m["y2"]
    if year_text is None:
        if window.month is not None and window.month.month == month_no:
            day = _make_date(window.month.year, month_no, day_no)
        else:
            day = _nearest_occurrence(day_no, month_no, window.today)
        inferred = True
    else:
        year = int(year_text)
        year += 2000 if year < 100 else 0  # "5/12/26"
        day = _make_date(year, month_no, day_no)
        inferred = False
        if abs(year - window.today.year) > _MAX_YEAR_DISTANCE and not _wrong_tense(day, window):
            raise _Invalid(f"Năm {year} có vẻ chưa đúng.")
    if m["wd"] is not None and weekday_index(m["wd"]) != day.weekday():
        raise _Invalid(
            f"Ngày {day:%d/%m/%Y} là {WEEKDAY_NAMES_VI[day.weekday()]}, "
            f"không phải {WEEKDAY_NAMES_VI[weekday_index(m['wd'])]}."
        )
    return day, inferred


def _make_date(year: int, month_no: int, day_no: int) -> date:
    try:
        return date(year, month_no, day_no)
    except ValueError:
        raise _Invalid(f"Ngày {day_no:02d}/{month_no:02d}/{year} không tồn tại.") from None


def _nearest_occurrence(day: int, month_no: int, today: date) -> date:
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        with contextlib.suppress(ValueError):
            candidates.append(date(year, month_no, day))
    # Nearest to today; on a tie, the later one (people plan ahead more than they look back).
    best = min(candidates, key=lambda d: (abs((d - today).days), -d.toordinal()), default=None)
    if (month_no, day) == (2, 29) and (best is None or abs((best - today).days) > _LEAP_DAY_REACH):
        leap = next(y for y in range(today.year, today.year + 8) if _is_leap(y))
        raise _Invalid(
            "Ngày 29/02 chỉ có trong năm nhuận: vui lòng nhập cả năm.", (f"29/02/{leap}",)
        )
    if best is None:
        raise _Invalid(f"Ngày {day:02d}/{month_no:02d} không tồn tại.")
    return best


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _weekday_day(weekday: int, qualifier: str | None, calendar_week: bool, window: Window) -> date:
    """Weeks run Monday to Sunday. "thứ 3 tuần sau" is the Tuesday of next week;
    "thứ 3" / "thứ 3 này" the nearest one ahead (behind, when only the past is
    allowed); "thứ 3 tới" the next one after today, "thứ 3 vừa rồi" the last one before."""
    today = window.today
    if calendar_week:
        monday = today - timedelta(days=today.weekday())
        offset = 0 if qualifier == "nay" else 7 if qualifier in _NEXT else -7
        return monday + timedelta(days=offset + weekday)
    if qualifier in _NEXT:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if qualifier in _PREVIOUS:
        return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    if window.past_only:
        return today - timedelta(days=(today.weekday() - weekday) % 7)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _day_in_month(rule: MonthlyRecurrence, month: Month) -> date:
    if rule.day is not None and rule.day > month.days:
        raise DateParseError(
            f"Tháng {month} không có ngày {rule.day}. Vui lòng chọn ngày từ 1 đến {month.days}."
        )
    return rule.date_in(month)


# ---------------------------------------------------------------------------
# Checking against the window


def _checked_day(text: str, window: Window) -> date:
    reading = _read(text, window)
    if reading.day is None:
        raise _Invalid("Vui lòng nhập ngày." if reading.clock else f"Chưa hiểu ngày “{text}”.")
    _check_day(reading.day, window, reading.year_inferred)
    return reading.day


def _wrong_tense(day: date, window: Window) -> bool:
    return (window.future_only and day < window.today) or (window.past_only and day > window.today)


def _check_day(day: date, window: Window, year_inferred: bool) -> None:
    today = window.today
    if window.future_only and day < today:
        own: tuple[str, ...] = ()
        if year_inferred and (day.month, day.day) != (2, 29):
            own = (f"{day.day}/{day.month}/{day.year + 1}",)  # perhaps next year was meant
        raise _Invalid(
            f"Ngày {day:%d/%m/%Y} đã qua: vui lòng nhập ngày từ hôm nay ({today:%d/%m/%Y}) trở đi.",
            own,
        )
    if window.past_only and day > today:
        raise _Invalid(
            f"Ngày {day:%d/%m/%Y} chưa tới: vui lòng nhập ngày đã diễn ra "
            f"(hôm nay là {today:%d/%m/%Y})."
        )
    if window.month is not None and not window.month.contains(day):
        raise _Invalid(f"Ngày {day:%d/%m/%Y} không thuộc tháng {window.month}.")
    if window.latest is not None and day > window.latest:
        raise _Invalid(
            f"Ngày {day:%d/%m/%Y} xa quá: vui lòng chọn ngày đến hết {window.latest:%d/%m/%Y}."
        )


def _check_moment(moment: datetime, window: Window) -> None:
    _check_day(moment.date(), window, False)
    now = window.now
    if now is None:
        return
    if window.future_only and moment < now:
        raise _Invalid(
            f"Thời điểm {_show_moment(moment)} đã qua: vui lòng nhập giờ muộn hơn "
            f"{now:%H:%M} hôm nay hoặc một ngày khác."
        )
    if window.past_only and moment > now:
        raise _Invalid(f"Thời điểm {_show_moment(moment)} chưa tới.")


def _show_day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _show_moment(moment: datetime) -> str:
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def describe_day(day: date) -> str:
    """ "thứ Ba 01/12/2026": how the bot repeats a day back to the user."""
    return f"{WEEKDAY_NAMES_VI[day.weekday()]} {day:%d/%m/%Y}"
