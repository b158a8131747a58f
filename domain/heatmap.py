"""The dashboard's heat map: one mark per unit and month, from the ledger's statuses.

A unit's month gets the worst status among its obligations of that month for the
chosen measure (registration, meeting held, rating, reports, or all four): missing
is worse than late, late than excused, excused than pending (not due yet), and all
on time is the best. Registrations, meetings and ratings belong to the month they
are for; a report to the month it is due in (as `chibo export` counts a month).

A group of units (a cluster, a base committee with its cells) gets, per month, how
many of its units have each mark. Pure: `storage.dashboard_queries` counts the same
marks in SQL for big groups, and a test holds the two to agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum, StrEnum

from domain.obligations import Obligation, ObligationKind, Status
from domain.periods import Month

MONTHS = 12


class Measure(StrEnum):
    ALL = "all"
    REGISTRATION = "registration"
    MEETING = "meeting"
    RATING = "rating"
    REPORT = "report"


MEASURE_KINDS: Mapping[Measure, tuple[ObligationKind, ...]] = {
    Measure.ALL: (
        ObligationKind.REGISTRATION,
        ObligationKind.MEETING,
        ObligationKind.RATING,
        ObligationKind.REPORT,
    ),
    Measure.REGISTRATION: (ObligationKind.REGISTRATION,),
    Measure.MEETING: (ObligationKind.MEETING,),
    Measure.RATING: (ObligationKind.RATING,),
    Measure.REPORT: (ObligationKind.REPORT,),
}


class Mark(IntEnum):
    """A month's mark; a larger value is worse (the SQL counts use the same numbers)."""

    ON_TIME = 0
    PENDING = 1
    EXCUSED = 2
    LATE = 3
    MISSING = 4


MARK_OF: Mapping[Status, Mark] = {
    Status.ON_TIME: Mark.ON_TIME,
    Status.PENDING: Mark.PENDING,
    Status.EXCUSED: Mark.EXCUSED,
    Status.LATE: Mark.LATE,
    Status.MISSING: Mark.MISSING,
}


def months_ending(today: date, count: int = MONTHS) -> tuple[Month, ...]:
    """The `count` months up to and including today's, oldest first."""
    last = Month.of(today)
    return tuple(last.plus(k - count + 1) for k in range(count))


def heat_month(o: Obligation) -> Month | None:
    """The month an obligation is shown in (None: not in the heat map, a thematic one)."""
    if o.kind == ObligationKind.REPORT:
        return Month.of(o.due_on)
    if o.kind == ObligationKind.THEMATIC:
        return None
    return Month.parse(o.period)


def unit_marks(
    obligations: Iterable[Obligation], measure: Measure, now: datetime
) -> dict[Month, Mark]:
    """One unit's worst mark per month for `measure` (months without obligations absent)."""
    kinds = MEASURE_KINDS[measure]
    marks: dict[Month, Mark] = {}
    for o in obligations:
        month = heat_month(o)
        if month is None or o.kind not in kinds:
            continue
        mark = MARK_OF[o.status(now)]
        if mark > marks.get(month, -1):
            marks[month] = mark
    return marks


@dataclass(frozen=True)
class GroupCell:
    """A group's month: of `units` owing something that month, how many got each mark."""

    units: int
    missing: int = 0
    late: int = 0
    excused: int = 0
    pending: int = 0

    @property
    def on_time(self) -> int:
        return max(0, self.units - self.missing - self.late - self.excused - self.pending)

    @property
    def mark(self) -> Mark | None:
        """The worst mark any unit got (None: nobody owed anything)."""
        if self.missing:
            return Mark.MISSING
        if self.late:
            return Mark.LATE
        if self.excused:
            return Mark.EXCUSED
        if self.pending:
            return Mark.PENDING
        return Mark.ON_TIME if self.units else None


def group_cell(units: int, counts: Mapping[Mark, int]) -> GroupCell:
    return GroupCell(
        units,
        missing=counts.get(Mark.MISSING, 0),
        late=counts.get(Mark.LATE, 0),
        excused=counts.get(Mark.EXCUSED, 0),
        pending=counts.get(Mark.PENDING, 0),
    )


def failed_months(marks: Iterable[Mark | None]) -> int:
    """How many months a unit failed (something missing)."""
    return sum(1 for mark in marks if mark == Mark.MISSING)
