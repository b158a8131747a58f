"""The bloc's local time zone and conversions to it.

Storage keeps UTC; every rule about days (deadlines, "today") works on the
local calendar of the bloc: Asia/Ho_Chi_Minh unless the TIMEZONE setting says
otherwise (`use_zone`, called once at start).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_local = VN_TZ


def use_zone(name: str) -> None:
    """Set the bloc's zone for this process (a deployment constant, like the database)."""
    global _local
    _local = ZoneInfo(name)


def local_zone() -> ZoneInfo:
    return _local


def to_local(moment: datetime) -> datetime:
    """Convert an aware datetime to the bloc's local time.

    Naive datetimes are refused: guessing whether they are UTC or local is how
    off-by-seven-hours deadline bugs are born.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime; pass an aware datetime (e.g. UTC)")
    return moment.astimezone(_local)


def local_date(moment: datetime) -> date:
    """The local calendar date at `moment`."""
    return to_local(moment).date()


def at_local(day: date, clock: time) -> datetime:
    """An aware datetime for a local wall-clock time on `day`."""
    return datetime.combine(day, clock, tzinfo=_local)
