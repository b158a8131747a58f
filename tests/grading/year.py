"""A year of facts for an organisation, written straight into the tables (then a rebuild)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from tests.leadership.seed import R, T, record, report, schedule, utc


def full_year(
    s: Session,
    unit: str,
    *,
    kind: MeetingKind = R,
    through: int = 11,
    skip_thematic: tuple[int, ...] = (),
    level: str = "tot",
    reports: bool = True,
) -> None:
    """Every month of 2026 up to `through`: registered on time, held, rated; a thematic
    meeting in each of the first three quarters (but those in `skip_thematic`; the
    fourth's is still to come); reports on time."""
    for number in range(1, through + 1):
        month = Month(2026, number)
        before = month.prev()
        schedule(s, unit, kind, month.key, utc(before.year, before.month, 20, 3))
        held = utc(2026, number, 12, 3)
        record(s, unit, kind, month.key, held, present=10, total=10,
               rating=(level, 95, [], utc(2026, number, 12, 5)))  # fmt: skip
        quarter = (number - 1) // 3 + 1
        if kind == R and number % 3 == 2 and quarter < 4 and quarter not in skip_thematic:
            record(s, unit, T, month.key, utc(2026, number, 14, 3))
    if not reports:
        return
    for number in range(1, through + 1):
        report(s, unit, "monthly", f"2026-{number:02d}", date(2026, number, 20),
               utc(2026, number, 18, 3))  # fmt: skip
    for q, month in ((1, 3), (2, 6), (3, 9)):
        report(s, unit, "quarterly", f"2026-Q{q}", date(2026, month, 15), utc(2026, month, 10, 3))
    report(s, unit, "six_month", "2026-H1", date(2026, 6, 15), utc(2026, 6, 10, 3))
    report(s, unit, "annual", "2026", date(2026, 11, 15), utc(2026, 11, 10, 3))
