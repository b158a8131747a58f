"""Periodic reports' submissions, by unit and period."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ReportSubmission


def submissions_of(
    session: Session, unit_code: str, period_keys: Collection[str]
) -> dict[tuple[str, str], ReportSubmission]:
    """The unit's submissions for these periods, by (report type, period key)."""
    query = select(ReportSubmission).where(
        ReportSubmission.unit_code == unit_code, ReportSubmission.period.in_(period_keys)
    )
    return {(r.report_type, r.period): r for r in session.scalars(query)}


def submission(
    session: Session, unit_code: str, report_type: str, period_key: str
) -> ReportSubmission | None:
    return session.scalar(
        select(ReportSubmission).where(
            ReportSubmission.unit_code == unit_code,
            ReportSubmission.report_type == report_type,
            ReportSubmission.period == period_key,
        )
    )
