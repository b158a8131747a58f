"""Meeting schedules: register, reschedule or cancel a month's meetings; standing rules.

One transaction per use-case; every change is audited. A write re-reads the actor in
its transaction (services.actors.require_unit): a role taken away mid-dialog cannot
finish the old unit's schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from domain.edit_window import check_editable
from domain.errors import UserInputError
from domain.ledger_facts import selection_of_month
from domain.localtime import at_local, local_date, to_local
from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from domain.policy import Policy
from domain.recurrence import MonthlyRecurrence
from domain.roles import Action
from messages.render import error_text
from services import ledger
from services.actors import Actor, require_unit
from storage import audit, meeting_rows
from storage.db import Database, Session
from storage.models import MeetingSchedule, StandingSchedule


@dataclass(frozen=True)
class ScheduleView:
    unit_code: str
    kind: MeetingKind
    month: Month
    planned_at: datetime
    place: str
    theme: str | None
    cancelled: bool
    cancel_reason: str | None
    source: str


def _schedule_view(row: MeetingSchedule) -> ScheduleView:
    return ScheduleView(
        row.unit_code,
        row.kind,
        Month.parse(row.month),
        row.planned_at,
        row.place,
        row.theme,
        row.status == "cancelled",
        row.cancel_reason,
        row.source,
    )


def schedules_of(
    db: Database, unit_code: str, months: list[Month]
) -> dict[tuple[MeetingKind, Month], ScheduleView]:
    with db.transaction() as session:
        rows = meeting_rows.of_months(session, MeetingSchedule, unit_code, months)
        return {key: _schedule_view(row) for key, row in rows.items()}


def last_place(db: Database, unit_code: str, kind: MeetingKind) -> str | None:
    with db.transaction() as session:
        return meeting_rows.last_place(session, unit_code, kind)


@dataclass(frozen=True)
class ScheduleRequest:
    unit_code: str
    kind: MeetingKind
    month: Month
    planned_at: datetime
    place: str
    theme: str | None = None
    recurrence: str | None = None  # MonthlyRecurrence key; None = this month only
    reason: str | None = None  # required when changing an existing schedule


def register_schedule(
    db: Database, actor: Actor, request: ScheduleRequest, *, now: datetime, policy: Policy
) -> ScheduleView:
    """Register (or reschedule) one meeting; a recurrence also fills the next month."""
    if Month.of(local_date(request.planned_at)) != request.month:
        raise UserInputError(error_text("schedule_outside_month", month=str(request.month)))
    if request.planned_at < now:
        raise UserInputError(error_text("schedule_past"))
    with db.transaction() as session:
        actor = require_unit(session, actor, Action.SCHEDULE, request.unit_code)
        check_editable(
            request.month,
            local_date(now),
            policy,
            edits_closed=actor.may(Action.EDIT_CLOSED_PERIOD),
        )
        view = _upsert_schedule(session, actor, request, now, source="manual")
        if request.recurrence is not None:
            _save_standing(session, actor, request, now)
            rule = MonthlyRecurrence.from_key(request.recurrence)
            following = request.month.next()
            planned = at_local(rule.date_in(following), to_local(request.planned_at).time())
            nxt = ScheduleRequest(
                request.unit_code, request.kind, following, planned, request.place, request.theme
            )
            taken = meeting_rows.one(
                session, MeetingSchedule, request.unit_code, request.kind, following
            )
            if taken is None:
                _upsert_schedule(session, actor, nxt, now, source="recurrence")
                ledger.refresh_month(session, policy, now, request.unit_code, following)
        ledger.refresh_month(session, policy, now, request.unit_code, request.month)
        return view


def _schedule_values(row: MeetingSchedule) -> dict[str, Any]:
    return {
        "planned_at": row.planned_at.isoformat(),
        "place": row.place,
        "theme": row.theme,
        "status": row.status,
        "cancel_reason": row.cancel_reason,
    }


def _upsert_schedule(
    session: Session, actor: Actor, request: ScheduleRequest, now: datetime, *, source: str
) -> ScheduleView:
    row = meeting_rows.one(session, MeetingSchedule, request.unit_code, request.kind, request.month)
    old = _schedule_values(row) if row is not None else None
    if row is not None and row.status == "planned" and source == "manual" and not request.reason:
        raise UserInputError(error_text("schedule_taken"))
    if row is None:
        row = MeetingSchedule(
            unit_code=request.unit_code,
            kind=request.kind,
            month=request.month.key,
            registered_at=now,
            registered_by=actor.person_id,
            source=source,
        )
        session.add(row)
    row.planned_at = request.planned_at
    row.place = request.place
    row.theme = request.theme
    row.status = "planned"
    row.cancel_reason = request.reason if old is not None else None
    row.updated_at = now
    session.flush()
    audit.meeting_change(
        session,
        actor,
        "meeting_schedule",
        (request.unit_code, request.kind, request.month),
        at=now,
        old=old,
        new=_schedule_values(row),
        action="reschedule" if old else "register",
    )
    return _schedule_view(row)


def _save_standing(session: Session, actor: Actor, request: ScheduleRequest, now: datetime) -> None:
    assert request.recurrence is not None
    standing = meeting_rows.standing_rule(session, request.unit_code, request.kind)
    if standing is None:
        standing = StandingSchedule(
            unit_code=request.unit_code,
            kind=request.kind,
            created_at=now,
            created_by=actor.person_id,
        )
        session.add(standing)
    standing.rule = request.recurrence
    standing.local_time = to_local(request.planned_at).strftime("%H:%M")
    standing.place = request.place


def cancel_schedule(
    db: Database,
    actor: Actor,
    unit_code: str,
    kind: MeetingKind,
    month: Month,
    reason: str,
    *,
    now: datetime,
    policy: Policy,
) -> None:
    if not reason.strip():
        raise UserInputError(error_text("schedule_cancel_needs_reason"))
    with db.transaction() as session:
        actor = require_unit(session, actor, Action.SCHEDULE, unit_code)
        check_editable(
            month, local_date(now), policy, edits_closed=actor.may(Action.EDIT_CLOSED_PERIOD)
        )
        row = meeting_rows.one(session, MeetingSchedule, unit_code, kind, month)
        if row is None or row.status == "cancelled":
            raise UserInputError(error_text("schedule_nothing_to_cancel"))
        old = _schedule_values(row)
        row.status, row.cancel_reason, row.updated_at = "cancelled", reason.strip(), now
        audit.meeting_change(
            session,
            actor,
            "meeting_schedule",
            (unit_code, kind, month),
            at=now,
            old=old,
            new=_schedule_values(row),
            action="cancel",
        )
        # A cancelled month should not be refilled by the standing rule.
        session.flush()
        ledger.refresh_month(session, policy, now, unit_code, month)


def fill_from_standing(db: Database, month: Month, *, now: datetime, policy: Policy) -> int:
    """Register `month` for every unit with a standing rule and no schedule yet."""
    filled: set[str] = set()
    with db.transaction() as session:
        registered = meeting_rows.registered_in(session, month)
        for standing in meeting_rows.standing_rules(session):
            if (standing.unit_code, standing.kind) in registered:
                continue
            rule = MonthlyRecurrence.from_key(standing.rule)
            hour, minute = (int(p) for p in standing.local_time.split(":"))
            session.add(
                MeetingSchedule(
                    unit_code=standing.unit_code,
                    kind=standing.kind,
                    month=month.key,
                    planned_at=at_local(rule.date_in(month), time(hour, minute)),
                    place=standing.place,
                    status="planned",
                    source="recurrence",
                    registered_at=now,
                    registered_by=standing.created_by,
                    updated_at=now,
                )
            )
            filled.add(standing.unit_code)
        session.flush()
        ledger.refresh(session, policy, now, selection_of_month(month), filled)
    return len(filled)
