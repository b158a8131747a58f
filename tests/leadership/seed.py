"""Writing digest facts straight into the tables, with explicit timestamps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.meeting_kinds import MeetingKind
from domain.roles import Role
from storage.db import Database
from storage.models import (
    MeetingRecord,
    MeetingSchedule,
    Person,
    QualityRating,
    ReportSubmission,
    RoleAssignment,
)

R, C, T = MeetingKind.REGULAR, MeetingKind.COMMITTEE, MeetingKind.THEMATIC

# Monday 30/11/2026, the digest day of the month tests/leadership/conftest.py seeds.
AT = date(2026, 11, 30)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def schedule(s: Session, unit: str, kind: MeetingKind, month: str, at: datetime) -> None:
    year, mon = map(int, month.split("-"))
    s.add(
        MeetingSchedule(
            unit_code=unit,
            kind=kind,
            month=month,
            planned_at=datetime(year, mon, 10, 7, 0, tzinfo=UTC),
            place="Hội trường",
            registered_at=at,
            updated_at=at,
        )
    )


def record(
    s: Session,
    unit: str,
    kind: MeetingKind,
    month: str,
    at: datetime,
    *,
    held: bool = True,
    present: int | None = None,
    total: int | None = None,
    excused: bool | None = None,
    reason: str | None = None,
    rating: tuple[str, int, list[str], datetime] | None = None,
) -> None:
    row = MeetingRecord(
        unit_code=unit,
        kind=kind,
        month=month,
        held=held,
        held_on=at.date() if held else None,
        duration_minutes=120 if held else None,
        present=present,
        total_members=total,
        not_held_excused=excused,
        not_held_reason=reason,
        recorded_at=at,
        updated_at=at,
    )
    s.add(row)
    if rating is not None:
        level, score, flags, rated_at = rating
        s.flush()
        s.add(
            QualityRating(
                record_id=row.id,
                answers={},
                score=score,
                level=level,
                flags=flags,
                rated_at=rated_at,
            )
        )


def report(s: Session, unit: str, report_type: str, period: str, due: date, at: datetime) -> None:
    s.add(
        ReportSubmission(
            unit_code=unit, report_type=report_type, period=period, due_on=due, sent_at=at
        )
    )


def person(s: Session, tg_id: int, name: str, role: Role, unit: str, **extra: Any) -> Person:
    p = Person(telegram_user_id=tg_id, full_name=name, created_at=utc(2026, 1, 1), **extra)
    s.add(p)
    s.flush()
    s.add(RoleAssignment(person_id=p.id, role=role, unit_code=unit, created_at=utc(2026, 1, 1)))
    return p


def person_id(db: Database, tg_id: int) -> int:
    with db.transaction() as s:
        pid = s.scalar(select(Person.id).where(Person.telegram_user_id == tg_id))
        assert pid is not None
        return pid
