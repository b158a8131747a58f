"""One line per unit for a month: the month export (XLSX) and /unit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from domain.digest.facts import UnitInfo
from domain.obligations import Obligation, ObligationKind, Resolution, Status, end_of_day
from domain.reports import ReportDue
from domain.windows import Window

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class RecordDetail:
    """What a unit's monthly meeting record says, for its line."""

    held: bool
    held_on: date | None = None
    present: int | None = None
    total_members: int | None = None
    not_held_reason: str | None = None
    rating_level: str | None = None
    rating_score: int | None = None
    rating_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitRow:
    """One unit's line: every status the digest counts for it, from its obligations."""

    unit: UnitInfo
    cluster: str | None
    registration: Status | None  # None: the unit does not register
    registered_on: date | None
    meeting: Status | None
    recorded: bool
    record: RecordDetail | None
    thematic: Status | None  # None: the unit holds no thematic meetings
    reports: tuple[tuple[ReportDue, Status, date | None], ...]
    unreachable: tuple[str, ...]  # "Nguyễn Văn An (secretary)"

    @property
    def thematic_held(self) -> bool | None:
        return None if self.thematic is None else self.thematic in (Status.ON_TIME, Status.LATE)


def unit_row(
    unit: UnitInfo,
    cluster: str | None,
    window: Window,
    obligations: Iterable[Obligation],
    record: RecordDetail | None,
    unreachable: tuple[str, ...] = (),
) -> UnitRow:
    day, cutoff = window.day, end_of_day(window.day)
    registration = meeting = None
    registered_on = None
    recorded = False
    thematic = None
    reports: dict[tuple[str, str], tuple[Status, date | None]] = {}
    for o in obligations:
        if not window.holds(o.kind, o.subject, o.period):
            continue
        status = o.status_at(day, cutoff)
        known = o.resolved_at is not None and o.resolved_at < cutoff
        if o.kind == ObligationKind.REGISTRATION:
            registration = status
            registered_on = o.done_on if known else None
        elif o.kind == ObligationKind.MEETING:
            meeting = status
            recorded = known and o.resolution != Resolution.OPEN
        elif o.kind == ObligationKind.THEMATIC:
            thematic = status
        elif o.kind == ObligationKind.REPORT:
            sent = o.done_on if known and o.resolution == Resolution.DONE else None
            reports[(o.subject, o.period)] = (status, sent)
    due_reports = tuple(
        (due, *reports[(due.report_type.code, due.period.key)])
        for due in window.reports
        if (due.report_type.code, due.period.key) in reports
    )
    return UnitRow(
        unit=unit,
        cluster=cluster,
        registration=registration,
        registered_on=registered_on,
        meeting=meeting,
        recorded=recorded,
        record=record if recorded else None,
        thematic=thematic,
        reports=due_reports,
        unreachable=unreachable,
    )


@dataclass(frozen=True)
class MonthExport:
    scope: UnitInfo
    periods: Window
    rows: list[UnitRow]
