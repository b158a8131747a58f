"""Queries of a unit's meeting schedules and records (storage.models) by kind and month."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from storage.models import MeetingRecord, MeetingSchedule


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
