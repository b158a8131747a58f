"""Queries of a unit's meeting schedules and records (storage.models) by kind and month."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from storage.models import MeetingRecord, MeetingSchedule, StandingSchedule


def _months_query(model: type[MeetingSchedule] | type[MeetingRecord]) -> Any:
    query = select(model).where(
        model.unit_code == bindparam("unit"), model.month.in_(bindparam("months", expanding=True))
    )
    if model is MeetingRecord:  # the rating comes with its record, not one query each
        query = query.options(selectinload(MeetingRecord.rating))
    return query


Row = TypeVar("Row", MeetingSchedule, MeetingRecord)

# Built once: the dialogs ask for these on most steps.
_OF_MONTHS = {model: _months_query(model) for model in (MeetingSchedule, MeetingRecord)}


def of_months(
    session: Session, model: type[Row], unit_code: str, months: Sequence[Month]
) -> dict[tuple[MeetingKind, Month], Row]:
    """A unit's rows of `model` (schedules, or records with their ratings) for some months."""
    rows = session.scalars(
        _OF_MONTHS[model], {"unit": unit_code, "months": [m.key for m in months]}
    )
    return {(r.kind, Month.parse(r.month)): r for r in rows}


def one(
    session: Session, model: type[Row], unit_code: str, kind: MeetingKind, month: Month
) -> Row | None:
    """A unit's schedule or record of one meeting kind and month."""
    return session.scalar(
        select(model).where(
            model.unit_code == unit_code, model.kind == kind, model.month == month.key
        )
    )


def last_place(session: Session, unit_code: str, kind: MeetingKind) -> str | None:
    """Where the unit's latest scheduled meeting of this kind is (for "as last time")."""
    return session.scalar(
        select(MeetingSchedule.place)
        .where(MeetingSchedule.unit_code == unit_code, MeetingSchedule.kind == kind)
        .order_by(MeetingSchedule.planned_at.desc())
        .limit(1)
    )


def last_total(session: Session, unit_code: str, kind: MeetingKind) -> int | None:
    """The member count of the unit's latest held meeting of this kind."""
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


def standing_rule(session: Session, unit_code: str, kind: MeetingKind) -> StandingSchedule | None:
    return session.scalar(
        select(StandingSchedule).where(
            StandingSchedule.unit_code == unit_code, StandingSchedule.kind == kind
        )
    )


def registered_in(session: Session, month: Month) -> set[tuple[str, MeetingKind]]:
    """(unit, kind) pairs with a schedule in `month`."""
    rows = session.execute(
        select(MeetingSchedule.unit_code, MeetingSchedule.kind).where(
            MeetingSchedule.month == month.key
        )
    )
    return {(unit_code, kind) for unit_code, kind in rows}


def standing_rules(session: Session) -> Sequence[StandingSchedule]:
    return session.scalars(select(StandingSchedule)).all()
