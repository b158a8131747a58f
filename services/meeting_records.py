"""Meeting records: held or not, when, how long, who came; the unit's member count.

One transaction per use-case; every change is audited. The record is checked by
domain.meeting_record, the same check the import of past activity uses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from domain import meeting_record
from domain.edit_window import check_editable
from domain.localtime import local_date
from domain.meeting_kinds import MeetingKind
from domain.meeting_record import RecordInput
from domain.periods import Month
from domain.policy import Policy
from domain.roles import Action
from services import ledger
from services.actors import Actor, require_unit
from storage import audit, meeting_rows, org_queries
from storage.db import Database, Session
from storage.models import MeetingRecord


@dataclass(frozen=True)
class RecordView:
    unit_code: str
    kind: MeetingKind
    month: Month
    data: RecordInput
    rated_level: str | None
    rated_score: int | None


def _record_input(row: MeetingRecord) -> RecordInput:
    return RecordInput(**{k: getattr(row, k) for k in RecordInput.__dataclass_fields__})


def _record_values(row: MeetingRecord) -> dict[str, Any]:
    """The record as the audit trail keeps it (JSON: the day as ISO text)."""
    values = asdict(_record_input(row))
    values["held_on"] = row.held_on.isoformat() if row.held_on else None
    return values


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
        row = meeting_rows.one(session, MeetingRecord, unit_code, kind, month)
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
        audit.meeting_change(
            session,
            actor,
            "meeting_record",
            (unit_code, kind, month),
            at=now,
            old=old,
            new=_record_values(row),
        )
        return record_view(row)


def _update_member_count(
    session: Session, actor: Actor, unit_code: str, record: RecordInput, now: datetime
) -> None:
    """The member count typed with a record is the unit's current count."""
    unit = org_queries.unit(session, unit_code)
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


def record_view(row: MeetingRecord) -> RecordView:
    data = _record_input(row)
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
        row = meeting_rows.one(session, MeetingRecord, unit_code, kind, month)
        return record_view(row) if row is not None else None


def records_of(
    db: Database, unit_code: str, months: list[Month]
) -> dict[tuple[MeetingKind, Month], RecordView]:
    with db.transaction() as session:
        rows = meeting_rows.of_months(session, MeetingRecord, unit_code, months)
        return {key: record_view(row) for key, row in rows.items()}


def last_total(db: Database, unit_code: str, kind: MeetingKind) -> int | None:
    """The member count of the unit's latest held meeting of this kind (a committee's size)."""
    with db.transaction() as session:
        return meeting_rows.last_total(session, unit_code, kind)


def unit_members(db: Database, unit_code: str) -> int | None:
    with db.transaction() as session:
        unit = org_queries.unit(session, unit_code)
        return unit.members if unit else None
