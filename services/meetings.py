"""Meeting use-cases: register schedules, record meetings, rate their quality.

One transaction per use-case; every write that leadership relies on is audited. A
write re-reads the actor in its transaction (services.actors.require_unit): a role
taken away mid-dialog cannot finish the old unit's record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from domain import meeting_record
from domain.edit_window import check_editable
from domain.errors import UserInputError
from domain.localtime import at_local, local_date, to_local
from domain.meeting_kinds import MeetingKind
from domain.meeting_record import RecordInput
from domain.obligations import selection_of_month
from domain.periods import Month
from domain.policy import Policy
from domain.recurrence import MonthlyRecurrence
from domain.roles import Action
from domain.rubric import RatingResult, score_rating
from services import ledger
from services.actors import Actor, require_unit
from storage import audit
from storage.db import Database
from storage.models import MeetingRecord, MeetingSchedule, QualityRating, StandingSchedule, Unit


def _key(unit_code: str, kind: MeetingKind, month: Month) -> str:
    return audit.meeting_key(unit_code, kind.value, month.key)


# --- Schedules -------------------------------------------------------------------------


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


def _months_query(model: type[MeetingSchedule] | type[MeetingRecord]) -> Any:
    query = select(model).where(
        model.unit_code == bindparam("unit"), model.month.in_(bindparam("months", expanding=True))
    )
    if model is MeetingRecord:  # the rating comes with its record, not one query each
        query = query.options(selectinload(MeetingRecord.rating))
    return query


# Built once: the dialogs ask for these on most steps.
_OF_MONTHS = {model: _months_query(model) for model in (MeetingSchedule, MeetingRecord)}


def _of_months(
    db: Database,
    model: type[MeetingSchedule] | type[MeetingRecord],
    unit_code: str,
    months: list[Month],
    view: Any,
) -> dict[tuple[MeetingKind, Month], Any]:
    """A unit's rows of `model` for some months, keyed by (kind, month), as views."""
    with db.transaction() as session:
        rows = session.scalars(
            _OF_MONTHS[model], {"unit": unit_code, "months": [m.key for m in months]}
        )
        return {(r.kind, Month.parse(r.month)): view(r) for r in rows}


def schedules_of(
    db: Database, unit_code: str, months: list[Month]
) -> dict[tuple[MeetingKind, Month], ScheduleView]:
    return _of_months(db, MeetingSchedule, unit_code, months, _schedule_view)


def last_place(db: Database, unit_code: str, kind: MeetingKind) -> str | None:
    with db.transaction() as session:
        return session.scalar(
            select(MeetingSchedule.place)
            .where(MeetingSchedule.unit_code == unit_code, MeetingSchedule.kind == kind)
            .order_by(MeetingSchedule.planned_at.desc())
            .limit(1)
        )


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
        raise UserInputError(f"Ngày sinh hoạt phải thuộc tháng {request.month}.")
    if request.planned_at < now:
        raise UserInputError("Thời điểm sinh hoạt đã qua. Vui lòng chọn thời điểm sắp tới.")
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
            if _schedule_row(session, request.unit_code, request.kind, following) is None:
                _upsert_schedule(session, actor, nxt, now, source="recurrence")
                ledger.refresh_month(session, policy, now, request.unit_code, following)
        ledger.refresh_month(session, policy, now, request.unit_code, request.month)
        return view


def _schedule_row(
    session: Session, unit_code: str, kind: MeetingKind, month: Month
) -> MeetingSchedule | None:
    return session.scalar(
        select(MeetingSchedule).where(
            MeetingSchedule.unit_code == unit_code,
            MeetingSchedule.kind == kind,
            MeetingSchedule.month == month.key,
        )
    )


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
    row = _schedule_row(session, request.unit_code, request.kind, request.month)
    old = _schedule_values(row) if row is not None else None
    if row is not None and row.status == "planned" and source == "manual" and not request.reason:
        raise UserInputError("Lịch này đã được đăng ký. Để đổi lịch, vui lòng nêu lý do.")
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
    audit.record_by(
        session,
        actor,
        at=now,
        action="reschedule" if old else "register",
        entity="meeting_schedule",
        key=_key(request.unit_code, request.kind, request.month),
        old=old,
        new=_schedule_values(row),
    )
    return _schedule_view(row)


def _save_standing(session: Session, actor: Actor, request: ScheduleRequest, now: datetime) -> None:
    assert request.recurrence is not None
    standing = session.scalar(
        select(StandingSchedule).where(
            StandingSchedule.unit_code == request.unit_code, StandingSchedule.kind == request.kind
        )
    )
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
        raise UserInputError("Vui lòng nêu lý do hủy lịch.")
    with db.transaction() as session:
        actor = require_unit(session, actor, Action.SCHEDULE, unit_code)
        check_editable(
            month, local_date(now), policy, edits_closed=actor.may(Action.EDIT_CLOSED_PERIOD)
        )
        row = _schedule_row(session, unit_code, kind, month)
        if row is None or row.status == "cancelled":
            raise UserInputError("Không có lịch nào đang có hiệu lực để hủy.")
        old = _schedule_values(row)
        row.status, row.cancel_reason, row.updated_at = "cancelled", reason.strip(), now
        audit.record_by(
            session,
            actor,
            at=now,
            action="cancel",
            entity="meeting_schedule",
            key=_key(unit_code, kind, month),
            old=old,
            new=_schedule_values(row),
        )
        # A cancelled month should not be refilled by the standing rule.
        session.flush()
        ledger.refresh_month(session, policy, now, unit_code, month)


def fill_from_standing(db: Database, month: Month, *, now: datetime, policy: Policy) -> int:
    """Register `month` for every unit with a standing rule and no schedule yet."""
    filled: set[str] = set()
    with db.transaction() as session:
        rows = session.execute(
            select(MeetingSchedule.unit_code, MeetingSchedule.kind).where(
                MeetingSchedule.month == month.key
            )
        )
        registered = {(unit_code, kind) for unit_code, kind in rows}
        for standing in session.scalars(select(StandingSchedule)):
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


# --- Records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordView:
    unit_code: str
    kind: MeetingKind
    month: Month
    data: RecordInput
    rated_level: str | None
    rated_score: int | None


def _record_values(row: MeetingRecord) -> dict[str, Any]:
    return {
        "held": row.held,
        "held_on": row.held_on.isoformat() if row.held_on else None,
        "duration_minutes": row.duration_minutes,
        "present": row.present,
        "total_members": row.total_members,
        "excused_absent": row.excused_absent,
        "higher_attendee": row.higher_attendee,
        "higher_attendee_code": row.higher_attendee_code,
        "theme": row.theme,
        "minutes_taken": row.minutes_taken,
        "not_held_reason": row.not_held_reason,
        "not_held_excused": row.not_held_excused,
    }


def _record_row(
    session: Session, unit_code: str, kind: MeetingKind, month: Month
) -> MeetingRecord | None:
    return session.scalar(
        select(MeetingRecord).where(
            MeetingRecord.unit_code == unit_code,
            MeetingRecord.kind == kind,
            MeetingRecord.month == month.key,
        )
    )


def record_meeting(
    db: Database,
    actor: Actor,
    unit_code: str,
    kind: MeetingKind,
    month: Month,
    record: RecordInput,
    *,
    now: datetime,
    policy: Policy,
) -> RecordView:
    today = local_date(now)
    meeting_record.validate(kind, month, record, today)
    with db.transaction() as session:
        actor = require_unit(session, actor, Action.RECORD, unit_code)
        check_editable(month, today, policy, edits_closed=actor.may(Action.EDIT_CLOSED_PERIOD))
        row = _record_row(session, unit_code, kind, month)
        old = _record_values(row) if row is not None else None
        if row is None:
            row = MeetingRecord(
                unit_code=unit_code,
                kind=kind,
                month=month.key,
                recorded_at=now,
                recorded_by=actor.person_id,
            )
            session.add(row)
        for name, value in asdict(record).items():
            setattr(row, name, value)
        row.updated_at = now
        if old is not None and row.rating is not None and not record.held:
            session.delete(row.rating)  # a meeting not held has nothing to rate
        if kind != MeetingKind.COMMITTEE:
            # A committee meeting counts committee members, not the unit's Party members.
            _update_member_count(session, actor, unit_code, record, now)
        session.flush()
        ledger.refresh_month(session, policy, now, unit_code, month)
        audit.record_by(
            session,
            actor,
            at=now,
            action="update" if old else "create",
            entity="meeting_record",
            key=_key(unit_code, kind, month),
            old=old,
            new=_record_values(row),
        )
        return _record_view(row)


def _update_member_count(
    session: Session, actor: Actor, unit_code: str, record: RecordInput, now: datetime
) -> None:
    """The member count typed with a record is the unit's current count."""
    unit = session.get(Unit, unit_code)
    if unit is None or record.total_members is None or unit.members == record.total_members:
        return
    audit.record_by(
        session,
        actor,
        at=now,
        action="update",
        entity="unit",
        key=unit_code,
        old={"members": unit.members},
        new={"members": record.total_members},
    )
    unit.members = record.total_members


def _record_view(row: MeetingRecord) -> RecordView:
    data = RecordInput(**{k: getattr(row, k) for k in RecordInput.__dataclass_fields__})
    rating = row.rating
    return RecordView(
        row.unit_code,
        row.kind,
        Month.parse(row.month),
        data,
        rating.level if rating else None,
        rating.score if rating else None,
    )


def record_of(db: Database, unit_code: str, kind: MeetingKind, month: Month) -> RecordView | None:
    with db.transaction() as session:
        row = _record_row(session, unit_code, kind, month)
        return _record_view(row) if row is not None else None


def records_of(
    db: Database, unit_code: str, months: list[Month]
) -> dict[tuple[MeetingKind, Month], RecordView]:
    return _of_months(db, MeetingRecord, unit_code, months, _record_view)


def last_total(db: Database, unit_code: str, kind: MeetingKind) -> int | None:
    """The member count of the unit's latest held meeting of this kind (a committee's size)."""
    with db.transaction() as session:
        return session.scalar(
            select(MeetingRecord.total_members)
            .where(
                MeetingRecord.unit_code == unit_code,
                MeetingRecord.kind == kind,
                MeetingRecord.total_members.is_not(None),
            )
            .order_by(MeetingRecord.month.desc())
            .limit(1)
        )


def unit_members(db: Database, unit_code: str) -> int | None:
    with db.transaction() as session:
        unit = session.get(Unit, unit_code)
        return unit.members if unit else None


# --- Ratings ---------------------------------------------------------------------------


def rate_meeting(
    db: Database,
    actor: Actor,
    unit_code: str,
    kind: MeetingKind,
    month: Month,
    answers: dict[str, int],
    *,
    now: datetime,
    policy: Policy,
) -> RatingResult:
    with db.transaction() as session:
        actor = require_unit(session, actor, Action.RATE, unit_code)
        check_editable(
            month, local_date(now), policy, edits_closed=actor.may(Action.EDIT_CLOSED_PERIOD)
        )
        row = _record_row(session, unit_code, kind, month)
        if row is None or not row.held:
            raise UserInputError("Chưa có biên bản buổi sinh hoạt đã tổ chức để đánh giá.")
        if row.present is None or row.total_members is None:
            # An imported record may lack attendance, which the rubric scores.
            raise UserInputError(
                "Biên bản buổi sinh hoạt này chưa có số đảng viên dự. Vui lòng ghi nhận lại "
                "(/record) rồi đánh giá."
            )
        result = score_rating(policy, answers, meeting_record.facts_of(_record_view(row).data))
        rating = row.rating
        old = (
            {"score": rating.score, "level": rating.level, "answers": rating.answers}
            if rating
            else None
        )
        if rating is None:
            rating = QualityRating(record_id=row.id)
            session.add(rating)
        rating.answers = dict(answers)
        rating.score = result.total
        rating.level = result.level.value
        rating.flags = [f.code for f in result.flags]
        rating.rated_at = now
        rating.rated_by = actor.person_id
        audit.record_by(
            session,
            actor,
            at=now,
            action="update" if old else "create",
            entity="quality_rating",
            key=_key(unit_code, kind, month),
            old=old,
            new={"score": result.total, "level": result.level.value, "answers": dict(answers)},
        )
        session.flush()
        ledger.refresh_month(session, policy, now, unit_code, month)
        return result
