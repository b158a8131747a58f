"""Meeting and report facts of whole months and periods by natural key (the activity import)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from domain.meeting_kinds import MeetingKind
from storage.models import MeetingRecord, MeetingSchedule, ReportSubmission

MeetingKey = tuple[str, MeetingKind, str]  # unit code, kind, month key


def schedules_of(
    session: Session, month_keys: Collection[str]
) -> dict[MeetingKey, MeetingSchedule]:
    query = select(MeetingSchedule).where(MeetingSchedule.month.in_(month_keys))
    return {(s.unit_code, s.kind, s.month): s for s in session.scalars(query)}


def records_of(session: Session, month_keys: Collection[str]) -> dict[MeetingKey, MeetingRecord]:
    """The months' meeting records, with their ratings loaded."""
    query = (
        select(MeetingRecord)
        .where(MeetingRecord.month.in_(month_keys))
        .options(selectinload(MeetingRecord.rating))
    )
    return {(r.unit_code, r.kind, r.month): r for r in session.scalars(query)}


def reports_of(
    session: Session, period_keys: Collection[str]
) -> dict[tuple[str, str, str], ReportSubmission]:
    """The periods' report submissions by (unit code, report type, period key)."""
    query = select(ReportSubmission).where(ReportSubmission.period.in_(period_keys))
    return {(r.unit_code, r.report_type, r.period): r for r in session.scalars(query)}
