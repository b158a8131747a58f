"""A secretary's "what is due?" view and the recent months, read from the ledger.

What is overdue here is, by construction, what the digest and /unit list for the
unit: both are the window's missing obligations (`domain.obligations.todo`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from domain.attendance import attendance_rate, meets_attendance_target
from domain.grading import UnitGrade
from domain.localtime import local_date
from domain.meeting_kinds import MONTHLY_KIND, MeetingKind, meeting_kinds_for
from domain.obligations import ISSUED_KINDS, Obligation, ObligationKind, Resolution, Status
from domain.org import UnitKind
from domain.periods import Month, Quarter, parse_period_key
from domain.policy import Policy
from domain.reports import report_title
from domain.todo import Todo, todo
from domain.windows import window_at
from services import grading, ledger, meeting_records, schedules
from storage import issued_details
from storage import ledger as ledger_rows
from storage.db import Database

# Registrations and reports due this soon are listed before they are late.
SOON_DAYS = 7


@dataclass(frozen=True)
class UpcomingMeeting:
    kind: MeetingKind
    planned_at: datetime
    place: str


@dataclass(frozen=True)
class TodoItem:
    """One line of the to-do list, with what its text and its button need."""

    todo: Todo
    kind: ObligationKind
    meeting_kind: MeetingKind | None
    period: str  # "12/2026", "Quý IV/2026"
    report_name: str | None
    due: date
    planned_at: datetime | None
    # A directive's number and title, or the cluster of a cluster meeting.
    title: str | None = None
    answer: str | None = None  # a cluster meeting: what the unit answered (issued.Answer)

    @property
    def report_title(self) -> str | None:
        """ "Báo cáo quý III/2026": the report and its period, the period's words once."""
        return report_title(self.report_name, self.period) if self.report_name else None

    @property
    def days_late(self) -> int:
        return self.todo.days_late


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
    upcoming: list[UpcomingMeeting]
    overdue: list[TodoItem]
    soon: list[TodoItem]
    quarter: QuarterGlance
    # The year-end preview (services.grading), from the policy's preview month on.
    grade: UnitGrade | None = None


def _item(item: Todo, policy: Policy, issued: issued_details.Details) -> TodoItem:
    o = item.obligation
    if o.kind in ISSUED_KINDS:
        title, planned_at, answer = issued.of(o)
        return TodoItem(
            item, o.kind, None, str(parse_period_key(o.period)), None, o.due_on, planned_at,
            title, answer,
        )  # fmt: skip
    report_name = None
    meeting_kind = None
    if o.kind == ObligationKind.REPORT:
        report_name = policy.report_type(o.subject).name_vi
    else:
        meeting_kind = MeetingKind(o.subject)
    return TodoItem(
        item,
        o.kind,
        meeting_kind,
        str(parse_period_key(o.period)),
        report_name,
        o.due_on,
        o.planned_at,
    )


def unit_status(
    db: Database, unit_code: str, unit_kind: UnitKind, *, now: datetime, policy: Policy
) -> UnitStatus:
    today = local_date(now)
    ledger.ensure_current(db, now, policy)
    this = Month.of(today)
    quarter = this.quarter
    window = window_at(policy, today)
    # Old enough for the whole window: the quarter's thematic meeting, last month's
    # meeting, the latest report of each type (a half-year report is due in June).
    since = min(quarter.first_day, this.prev().first_day, *(r.due for r in window.reports))
    with db.transaction() as session:
        rows = ledger_rows.unit_entries(session, unit_code, due_from=since)
        # A directive stays overdue until it is done, however long ago it was due.
        rows += ledger_rows.unit_open_directives(session, unit_code, due_before=since)
        overdue, soon = todo(rows, window, now, soon_days=SOON_DAYS)
        issued = issued_details.load(session, unit_code, [t.obligation for t in overdue + soon])
    upcoming_rows = sorted(
        (o for o in rows if o.planned_at is not None and o.planned_at >= now),
        key=lambda o: o.planned_at or now,
    )
    return UnitStatus(
        unit_code,
        _upcoming(db, unit_code, upcoming_rows),
        [_item(t, policy, issued) for t in overdue],
        [_item(t, policy, issued) for t in soon],
        _glance(db, unit_code, unit_kind, rows, quarter, now, policy),
        grading.unit_preview(db, unit_code, now=now, policy=policy),
    )


def _upcoming(db: Database, unit_code: str, rows: list[Obligation]) -> list[UpcomingMeeting]:
    months = sorted({Month.of(local_date(o.planned_at)) for o in rows if o.planned_at})
    planned = schedules.schedules_of(db, unit_code, months)
    found = []
    for o in rows:
        assert o.planned_at is not None
        month = Month.of(local_date(o.planned_at))
        view = planned.get((MeetingKind(o.subject), month))
        found.append(
            UpcomingMeeting(MeetingKind(o.subject), o.planned_at, view.place if view else "")
        )
    return found


def _glance(
    db: Database,
    unit_code: str,
    unit_kind: UnitKind,
    rows: list[Obligation],
    quarter: Quarter,
    now: datetime,
    policy: Policy,
) -> QuarterGlance:
    begun = [m for m in quarter.months if m.first_day <= local_date(now)]
    lines = month_lines(db, unit_code, unit_kind, begun, now=now)
    rates = [line.attendance for line in lines if line.attendance is not None]
    average = sum(rates, Fraction(0)) / len(rates) if rates else None
    thematic = [o for o in rows if o.kind == ObligationKind.THEMATIC and o.period == quarter.key]
    return QuarterGlance(
        quarter=quarter,
        months=len(begun),
        registered=sum(line.registered for line in lines),
        held=sum(bool(line.held) for line in lines),
        rated=sum(line.rated_level is not None for line in lines),
        attendance=average,
        attendance_ok=meets_attendance_target(policy, average) if average is not None else None,
        thematic_done=any(o.status(now) in DONE for o in thematic),
        holds_thematic=MeetingKind.THEMATIC in meeting_kinds_for(unit_kind),
    )


# ---------------------------------------------------------------------------
# /history


DONE = (Status.ON_TIME, Status.LATE)


@dataclass(frozen=True)
class MonthLine:
    """One month of one unit: its registration and meeting as the ledger has them, and
    what the record says (attendance, rating, a thematic meeting)."""

    month: Month
    registration: Status | None  # None: not tracked (before the ledger starts)
    meeting: Status | None
    recorded: bool
    rated_level: str | None
    attendance: Fraction | None
    thematic_held: bool

    @property
    def registered(self) -> bool:
        return self.registration in DONE

    @property
    def held(self) -> bool | None:
        """True, False (recorded as not held), None (nothing recorded)."""
        return self.meeting in DONE if self.recorded else None

    @property
    def excused(self) -> bool | None:
        return self.meeting == Status.EXCUSED if self.held is False else None


def month_lines(
    db: Database, unit_code: str, unit_kind: UnitKind, months: list[Month], *, now: datetime
) -> list[MonthLine]:
    monthly = MONTHLY_KIND[unit_kind]
    records = meeting_records.records_of(db, unit_code, months)
    wanted = [
        (kind, m.key)
        for m in months
        for kind in (ObligationKind.REGISTRATION, ObligationKind.MEETING)
    ]
    with db.transaction() as session:
        rows = ledger_rows.entries_for_periods(session, unit_code, wanted)
    by_key = {(o.kind, o.period): o for o in rows if o.subject == monthly.value}
    holds_thematic = MeetingKind.THEMATIC in meeting_kinds_for(unit_kind)
    lines = []
    for month in months:
        record = records.get((monthly, month))
        data = record.data if record else None
        rate = None
        if data and data.held and data.present is not None and data.total_members:
            rate = attendance_rate(data.present, data.total_members)
        thematic = records.get((MeetingKind.THEMATIC, month))
        registration = by_key.get((ObligationKind.REGISTRATION, month.key))
        meeting = by_key.get((ObligationKind.MEETING, month.key))
        lines.append(
            MonthLine(
                month=month,
                registration=registration.status(now) if registration else None,
                meeting=meeting.status(now) if meeting else None,
                recorded=meeting is not None and meeting.resolution != Resolution.OPEN,
                rated_level=record.rated_level if record else None,
                attendance=rate,
                thematic_held=holds_thematic and bool(thematic and thematic.data.held),
            )
        )
    return lines
