"""Vietnamese dates and times typed on a phone.

Accepted (with or without diacritics, any case):
  dates      5/12, 05/12/2026, 5-12-26, 5.12, ngày 5/12
  times      14h, 14h30, 14:30, 14 giờ 30, 2h chiều, lúc 8h sáng
  together   5/12 14h, 05/12/2026 14:00, 14h ngày 5/12
  in a month thứ 3 tuần đầu, thứ Ba tuần đầu tiên, thứ 6 tuần cuối, chủ nhật tuần 2,
             ngày 5 (needs `month=`; see `domain.recurrence` for the rules)

The clock is always passed in (`today` / `now`). Errors are `DateParseError`
with a short polite Vietnamese sentence saying what to type instead.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, time

from domain.errors import DateParseError
from domain.localtime import local_zone, to_local
from domain.periods import Month
from domain.recurrence import MonthlyRecurrence
from domain.text_vi import fold

__all__ = [
    "DateParseError",
    "parse_date",
    "parse_datetime",
    "parse_day_in_month",
    "parse_time",
]

DATE_EXAMPLE = "ví dụ: 5/12 hoặc 05/12/2026 14:00"
TIME_EXAMPLE = "ví dụ: 14h, 14h30 hoặc 14:30"

# A date without a year means its nearest occurrence. For 29/02 that may be years
# away; beyond this many days we ask for the year instead of guessing.
_LEAP_DAY_REACH = 200
# Explicit years further away than this are typos ("2062" for "2026").
_MAX_YEAR_DISTANCE = 5

_DATE_RE = re.compile(
    r"(?:ngay\s*)?(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}|\d{2}))?"
)
_TIME = (
    r"(?:luc\s*)?(?P<h>\d{1,2})\s*(?:gio|g|h|:)\s*(?:(?P<min>\d{1,2})\s*(?:phut|p)?)?"
    r"\s*(?P<part>sang|trua|chieu|toi)?"
)
_TIME_RE = re.compile(_TIME)
_TIME_AT_END_RE = re.compile(rf"(?P<rest>.*?)\s*(?<![\d/.\-])(?P<time>{_TIME})")
_TIME_AT_START_RE = re.compile(rf"(?P<time>{_TIME})\s+(?P<rest>.+)")


def parse_date(
    text: str,
    today: date,
    *,
    month: Month | None = None,
    future_only: bool = False,
    past_only: bool = False,
) -> date:
    """Parse a date typed as day/month[/year].

    Without a year, the date is its nearest occurrence to `today` (so on 20/12
    "5/1" is next January, and on 10/12 "5/12" is five days ago). With
    `future_only`, a date before `today` is refused (today itself is fine);
    with `past_only`, a date after `today` is refused. When `month` is given,
    "thứ 3 tuần đầu" or "ngày 5" are also accepted and mean a day of that month.
    """
    _check_flags(future_only, past_only)
    folded = _clean(text)
    if not folded:
        raise DateParseError(f"Vui lòng nhập ngày, {DATE_EXAMPLE}.")
    day, inferred = _date_part(folded, text, today, month)
    _check_tense(day, today, inferred, future_only, past_only)
    return day


def parse_time(text: str) -> time:
    """Parse a clock time: "14h", "14h30", "14:30", "14 giờ 30", "2h chiều"."""
    folded = _clean(text)
    m = _TIME_RE.fullmatch(folded)
    if m is None:
        raise DateParseError(f"Chưa hiểu giờ “{text.strip()}”. Vui lòng nhập, {TIME_EXAMPLE}.")
    return _time_from_match(m, text)


def parse_datetime(
    text: str,
    now: datetime,
    *,
    month: Month | None = None,
    future_only: bool = False,
    past_only: bool = False,
    default_time: time | None = None,
) -> datetime:
    """Parse a date and a time ("5/12 14h", "05/12/2026 14:00", "14h ngày 5/12").

    `now` must be aware; the result is aware, in Asia/Ho_Chi_Minh. Without a time,
    `default_time` is used, or the user is asked to add one. `future_only` and
    `past_only` compare the full moment with `now`.
    """
    _check_flags(future_only, past_only)
    local_now = to_local(now)
    folded = _clean(text)
    date_text, clock = _split_time(folded, text)
    if not date_text:
        raise DateParseError(f"Vui lòng nhập cả ngày, ví dụ: 5/12 {text.strip()}.")
    if clock is None:
        if default_time is None:
            raise DateParseError(f"Vui lòng nhập cả giờ, ví dụ: {text.strip()} 14h30.")
        clock = default_time
    day, inferred = _date_part(date_text, text, local_now.date(), month)
    _check_tense(day, local_now.date(), inferred, future_only, past_only)
    moment = datetime.combine(day, clock, tzinfo=local_zone())
    if future_only and moment < local_now:
        raise DateParseError(
            f"Thời điểm {_show_moment(moment)} đã qua. Vui lòng nhập giờ muộn hơn "
            f"{local_now:%H:%M} hôm nay hoặc một ngày khác."
        )
    if past_only and moment > local_now:
        raise DateParseError(
            f"Thời điểm {_show_moment(moment)} chưa tới. Vui lòng nhập thời điểm đã diễn ra."
        )
    return moment


def parse_day_in_month(text: str, month: Month) -> date:
    """A day of `month` from "thứ 3 tuần đầu", "thứ 6 tuần cuối", "ngày 5" and the like.

    Unlike a recurrence, a one-off "ngày 31" in a 30-day month is an error, not the 30th.
    """
    return _day_in_month(MonthlyRecurrence.parse(text), month)


# ---------------------------------------------------------------------------


def _clean(text: str) -> str:
    return fold(text.replace(",", " ")).rstrip(".").strip()


def _check_flags(future_only: bool, past_only: bool) -> None:
    if future_only and past_only:
        raise ValueError("future_only and past_only are exclusive")


def _split_time(folded: str, original: str) -> tuple[str, time | None]:
    """Separate a time at the end or start of the text from the date part."""
    if m := _TIME_RE.fullmatch(folded):
        return "", _time_from_match(m, original)
    if (m := _TIME_AT_END_RE.fullmatch(folded)) and m["rest"]:
        return m["rest"], _time_from_match(m, original)
    if m := _TIME_AT_START_RE.fullmatch(folded):
        return m["rest"], _time_from_match(m, original)
    return folded, None


def _time_from_match(m: re.Match[str], original: str) -> time:
    hour = int(m["h"])
    minute = int(m["min"]) if m["min"] else 0
    part = m["part"]
    if part == "sang" and hour > 12:
        raise DateParseError(
            f"Giờ “{original.strip()}” không hợp lệ: buổi sáng không có {hour} giờ. "
            f"Vui lòng nhập lại, {TIME_EXAMPLE}."
        )
    if (part in ("chieu", "toi") and hour < 12) or (part == "trua" and hour < 6):
        hour += 12  # "2h chiều" = 14:00, "1h trưa" = 13:00
    if hour > 23 or minute > 59:
        raise DateParseError(
            f"Giờ “{original.strip()}” không hợp lệ. Vui lòng nhập giờ từ 0 đến 23 và "
            f"phút từ 0 đến 59, {TIME_EXAMPLE}."
        )
    return time(hour, minute)


def _date_part(folded: str, original: str, today: date, month: Month | None) -> tuple[date, bool]:
    """The date and whether its year was inferred."""
    m = _DATE_RE.fullmatch(folded)
    if m is None:
        return _relative_date(folded, original, month), False
    day, month_no = int(m["d"]), int(m["m"])
    if m["y"] is None:
        return _nearest_occurrence(day, month_no, today), True
    year = int(m["y"])
    if year < 100:
        year += 2000  # "5/12/26"
    if abs(year - today.year) > _MAX_YEAR_DISTANCE:
        raise DateParseError(
            f"Năm {year} có vẻ chưa đúng. Vui lòng kiểm tra lại, "
            f"ví dụ: {day:02d}/{month_no:02d}/{today.year}."
        )
    try:
        return date(year, month_no, day), False
    except ValueError:
        raise _no_such_date(f"{day:02d}/{month_no:02d}/{year}") from None


def _relative_date(folded: str, original: str, month: Month | None) -> date:
    rule = MonthlyRecurrence.try_parse(folded)
    if rule is None:
        raise DateParseError(
            f"Chưa hiểu ngày “{original.strip()}”. Vui lòng nhập ngày/tháng, {DATE_EXAMPLE}."
        )
    if month is None:
        raise DateParseError(f"Vui lòng nhập ngày cụ thể, {DATE_EXAMPLE}.")
    return _day_in_month(rule, month)


def _nearest_occurrence(day: int, month_no: int, today: date) -> date:
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        with contextlib.suppress(ValueError):
            candidates.append(date(year, month_no, day))
    # Nearest to today; on a tie, the later one (people plan ahead more than they look back).
    best = min(candidates, key=lambda d: (abs((d - today).days), -d.toordinal()), default=None)
    if (month_no, day) == (2, 29) and (best is None or abs((best - today).days) > _LEAP_DAY_REACH):
        raise DateParseError(
            "Ngày 29/02 chỉ có trong năm nhuận. Vui lòng nhập cả năm, ví dụ: 29/02/2028."
        )
    if best is None:
        raise _no_such_date(f"{day:02d}/{month_no:02d}")
    return best


def _day_in_month(rule: MonthlyRecurrence, month: Month) -> date:
    if rule.day is not None and rule.day > month.days:
        raise DateParseError(
            f"Tháng {month} không có ngày {rule.day}. Vui lòng chọn ngày từ 1 đến {month.days}."
        )
    return rule.date_in(month)


def _no_such_date(shown: str) -> DateParseError:
    return DateParseError(f"Ngày {shown} không tồn tại. Vui lòng nhập lại, {DATE_EXAMPLE}.")


def _check_tense(
    day: date, today: date, inferred: bool, future_only: bool, past_only: bool
) -> None:
    if future_only and day < today:
        hint = ""
        if inferred and day.month * 100 + day.day != 229:  # 29/02 next year does not exist
            next_year = day.replace(year=day.year + 1)
            hint = f" Nếu là năm sau, vui lòng nhập cả năm, ví dụ: {next_year:%d/%m/%Y}."
        raise DateParseError(
            f"Ngày {day:%d/%m/%Y} đã qua. Vui lòng nhập ngày từ hôm nay "
            f"({today:%d/%m/%Y}) trở đi.{hint}"
        )
    if past_only and day > today:
        raise DateParseError(
            f"Ngày {day:%d/%m/%Y} chưa tới. Vui lòng nhập ngày đã diễn ra "
            f"(hôm nay là {today:%d/%m/%Y})."
        )


def _show_moment(moment: datetime) -> str:
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"
