"""What the reminder planner reads from the ledger: open obligations around today and
the meetings still to hold, nothing else (a planning run touches no settled row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased

from domain.meeting_kinds import MeetingKind
from domain.obligations import Obligation, ObligationKind, Resolution
from storage.columns import OBLIGATION_COLUMNS, obligation_of
from storage.models import LedgerEntry, MeetingSchedule, Unit
from storage.unit_of_work import core


@dataclass(frozen=True, slots=True)
class PlannedUnit:
    code: str
    name: str
    path: str


@dataclass(frozen=True, slots=True)
class PlannedMeeting:
    """A registered meeting still to hold (its obligation is open), with where and what."""

    unit: PlannedUnit
    kind: MeetingKind
    month: str
    planned_at: datetime
    place: str
    theme: str | None


def planned_meetings(session: Session, start: datetime, end: datetime) -> list[PlannedMeeting]:
    """Meetings planned in [start, end) that nothing has recorded yet."""
    stmt = (
        select(
            Unit.code,
            Unit.name,
            Unit.path,
            MeetingSchedule.kind,
            MeetingSchedule.month,
            MeetingSchedule.planned_at,
            MeetingSchedule.place,
            MeetingSchedule.theme,
        )
        .select_from(LedgerEntry)
        .join(
            MeetingSchedule,
            and_(
                MeetingSchedule.unit_code == LedgerEntry.unit_code,
                MeetingSchedule.planned_at == LedgerEntry.planned_at,
                MeetingSchedule.status == "planned",
            ),
        )
        .join(Unit, Unit.code == LedgerEntry.unit_code)
        .where(
            Unit.active.is_(True),
            LedgerEntry.planned_at >= start,
            LedgerEntry.planned_at < end,
            LedgerEntry.kind.in_([ObligationKind.MEETING.value, ObligationKind.THEMATIC.value]),
        )
        .order_by(MeetingSchedule.planned_at)
    )
    seen: set[tuple[str, str, str]] = set()
    found = []
    for code, name, path, kind, month, planned_at, place, theme in core(session, stmt):
        if (code, kind, month) in seen:
            continue
        seen.add((code, kind, month))
        found.append(
            PlannedMeeting(PlannedUnit(code, name, path), kind, month, planned_at, place, theme)
        )
    return found


def open_entries(
    session: Session,
    *,
    today: date,
    due_from: date,
    due_to: date,
    planned_from: datetime,
    planned_before: datetime,
) -> list[tuple[PlannedUnit, Obligation]]:
    """Open obligations the planner may remind of: due in [due_from, due_to]
    (registrations, reports), waiting since some event and not due yet (a rating, a
    cancelled meeting), or meetings planned in [planned_from, planned_before) that are
    not recorded yet."""
    meeting = aliased(LedgerEntry)
    # A month whose meeting is already recorded can no longer be registered.
    recorded = exists().where(
        meeting.unit_code == LedgerEntry.unit_code,
        meeting.kind == ObligationKind.MEETING.value,
        meeting.subject == LedgerEntry.subject,
        meeting.period == LedgerEntry.period,
        meeting.resolution != Resolution.OPEN.value,
    )
    by_due = and_(
        LedgerEntry.resolution == Resolution.OPEN.value,
        LedgerEntry.due_on >= due_from,
        LedgerEntry.due_on <= due_to,
        ~and_(LedgerEntry.kind == ObligationKind.REGISTRATION.value, recorded),
    )
    by_since = and_(
        LedgerEntry.resolution == Resolution.OPEN.value,
        LedgerEntry.since.is_not(None),
        LedgerEntry.due_on >= today,
    )
    by_plan = and_(
        LedgerEntry.planned_at >= planned_from,
        LedgerEntry.planned_at < planned_before,
    )
    found: dict[int, tuple[PlannedUnit, Obligation]] = {}
    for clause in (by_due, by_since, by_plan):
        stmt = (
            select(LedgerEntry.id, Unit.code, Unit.name, Unit.path, *OBLIGATION_COLUMNS[1:])
            .select_from(LedgerEntry)
            .join(Unit, Unit.code == LedgerEntry.unit_code)
            .where(Unit.active.is_(True), clause)
        )
        for row in core(session, stmt):
            row_id, code, name, path = row[:4]
            found[row_id] = (PlannedUnit(code, name, path), obligation_of((code, *row[4:])))
    return sorted(found.values(), key=lambda pair: (pair[0].path, pair[1].due_on))
