"""The bloc's local time zone and conversions to it.

Storage keeps UTC; every rule about days (deadlines, "today") works on the
local calendar of Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local(moment: datetime) -> datetime:
    """Convert an aware datetime to Vietnamese local time.

    Naive datetimes are refused: guessing whether they are UTC or local is how
    off-by-seven-hours deadline bugs are born.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime; pass an aware datetime (e.g. UTC)")
    return moment.astimezone(VN_TZ)


def local_date(moment: datetime) -> date:
    """The calendar date in Vietnam at `moment`."""
    return to_local(moment).date()


def at_local(day: date, clock: time) -> datetime:
    """An aware datetime for a local wall-clock time on `day`."""
    return datetime.combine(day, clock, tzinfo=VN_TZ)
