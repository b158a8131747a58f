"""A secretary's "what is due?" view and the recent months at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from domain.compliance import attendance_rate, meets_attendance_target
from domain.localtime import local_date
from domain.meeting_kinds import MONTHLY_KIND, MeetingKind, meeting_kinds_for
from domain.org import UnitKind
from domain.periods import Month, Quarter
from domain.policy import Policy
from services import meetings
from services.duties import UnitDuties, duties_for_units
from storage.db import Database


@dataclass(frozen=True)
class MonthLine:
    """One month of one unit: registered, held, rated, attendance."""

    month: Month
    registered: bool
    held: bool | None  # None: nothing recorded yet
    excused: bool | None
    rated_level: str | None
    attendance: Fraction | None
    thematic_held: bool


@dataclass(frozen=True)
class QuarterGlance:
    quarter: Quarter
    months: int  # months of the quarter begun so far
    registered: int
    held: int
    rated: int
    attendance: Fraction | None
    attendance_ok: bool | None
    thematic_done: bool
    holds_thematic: bool


@dataclass(frozen=True)
class UnitStatus:
    unit_code: str
    upcoming: list[meetings.ScheduleView]
    duties: UnitDuties | None
    quarter: QuarterGlance


def month_lines(
    db: Database, unit_code: str, unit_kind: UnitKind, months: list[Month]
) -> list[MonthLine]:
    kinds = meeting_kinds_for(unit_kind)
    monthly = MONTHLY_KIND[unit_kind]
    schedules = meetings.schedules_of(db, unit_code, months)
    records = meetings.records_of(db, unit_code, months)
    lines = []
    for month in months:
        record = records.get((monthly, month))
        data = record.data if record else None
        rate = None
        if data and data.held and data.present is not None and data.total_members:
            rate = attendance_rate(data.present, data.total_members)
        thematic = records.get((MeetingKind.THEMATIC, month))
        schedule = schedules.get((monthly, month))
        lines.append(
            MonthLine(
                month=month,
                registered=schedule is not None,
                held=data.held if data else None,
                excused=data.not_held_excused if data and not data.held else None,
                rated_level=record.rated_level if record else None,
                attendance=rate,
                thematic_held=MeetingKind.THEMATIC in kinds
                and bool(thematic and thematic.data.held),
            )
        )
    return lines


def unit_status(
    db: Database, unit_code: str, unit_kind: UnitKind, *, now: datetime, policy: Policy
) -> UnitStatus:
    today = local_date(now)
    this = Month.of(today)
    planned = meetings.schedules_of(db, unit_code, [this, this.next()])
    upcoming = sorted(
        (v for v in planned.values() if not v.cancelled and v.planned_at >= now),
        key=lambda v: v.planned_at,
    )
    with db.transaction() as session:
        duties = duties_for_units(session, [unit_code], now, policy).get(unit_code)
    quarter = this.quarter
    begun = [m for m in quarter.months if m <= this]
    lines = month_lines(db, unit_code, unit_kind, begun)
    rates = [line.attendance for line in lines if line.attendance is not None]
    average = sum(rates, Fraction(0)) / len(rates) if rates else None
    glance = QuarterGlance(
        quarter=quarter,
        months=len(begun),
        registered=sum(line.registered for line in lines),
        held=sum(bool(line.held) for line in lines),
        rated=sum(line.rated_level is not None for line in lines),
        attendance=average,
        attendance_ok=meets_attendance_target(policy, average) if average is not None else None,
        thematic_done=any(line.thematic_held for line in lines),
        holds_thematic=MeetingKind.THEMATIC in meeting_kinds_for(unit_kind),
    )
    return UnitStatus(unit_code, upcoming, duties, glance)
