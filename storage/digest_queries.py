"""The digest's reads: a fixed handful of set-based queries over one subtree.

However many units the subtree holds, `load_facts` runs the same statements
(scope, units, schedules, records with ratings, reports, unreachable people):
each is one prefix match on `Unit.path` plus GROUP BY or a join, never a query
per unit. `tests/leadership/test_query_count.py` holds it to that.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.digest import (
    Facts,
    RecordFact,
    ReportFact,
    ScheduleFact,
    UnitInfo,
    UnreachableFact,
)
from domain.roles import Role
from storage.models import (
    MeetingRecord,
    MeetingSchedule,
    Person,
    QualityRating,
    ReportSubmission,
    RoleAssignment,
    Unit,
)

CELL_ROLES = (Role.SECRETARY, Role.DEPUTY)


def _info(unit: Unit) -> UnitInfo:
    return UnitInfo(unit.code, unit.name, unit.kind, unit.path, unit.parent_code, unit.members)


def load_scope(session: Session, code: str) -> UnitInfo | None:
    unit = session.get(Unit, code)
    return _info(unit) if unit is not None and unit.active else None


def load_facts(
    session: Session,
    scope_code: str,
    *,
    months: Collection[str],
    report_periods: Collection[str],
) -> Facts | None:
    """Everything the digest needs about `scope_code`'s subtree for these months and periods."""
    scope = load_scope(session, scope_code)
    if scope is None:
        return None
    in_scope = Unit.path.startswith(scope.path, autoescape=True)
    # Rows are turned into facts as they stream in, not buffered all at once first.
    stream = {"yield_per": 2000}

    units = tuple(
        UnitInfo(*row)
        for row in session.execute(
            select(Unit.code, Unit.name, Unit.kind, Unit.path, Unit.parent_code, Unit.members)
            .where(in_scope, Unit.active.is_(True))
            .order_by(Unit.path)
        )
    )

    schedules = tuple(
        ScheduleFact(code, kind, month, first)
        for code, kind, month, first in session.execute(
            select(
                MeetingSchedule.unit_code,
                MeetingSchedule.kind,
                MeetingSchedule.month,
                func.min(MeetingSchedule.registered_at),
            )
            .join(Unit, Unit.code == MeetingSchedule.unit_code)
            .where(in_scope, MeetingSchedule.month.in_(sorted(months)))
            .group_by(MeetingSchedule.unit_code, MeetingSchedule.kind, MeetingSchedule.month)
            .execution_options(**stream)
        )
    )

    records = tuple(
        RecordFact(
            unit_code=r.unit_code,
            kind=r.kind,
            month=r.month,
            held=r.held,
            recorded_at=r.recorded_at,
            held_on=r.held_on,
            present=r.present,
            total_members=r.total_members,
            not_held_excused=r.not_held_excused,
            not_held_reason=r.not_held_reason,
            rating_level=r.level,
            rating_score=r.score,
            rating_flags=tuple(str(f) for f in (r.flags or ())),
            rated_at=r.rated_at,
        )
        for r in session.execute(
            select(
                MeetingRecord.unit_code,
                MeetingRecord.kind,
                MeetingRecord.month,
                MeetingRecord.held,
                MeetingRecord.recorded_at,
                MeetingRecord.held_on,
                MeetingRecord.present,
                MeetingRecord.total_members,
                MeetingRecord.not_held_excused,
                MeetingRecord.not_held_reason,
                QualityRating.level,
                QualityRating.score,
                QualityRating.flags,
                QualityRating.rated_at,
            )
            .join(Unit, Unit.code == MeetingRecord.unit_code)
            .outerjoin(QualityRating, QualityRating.record_id == MeetingRecord.id)
            .where(in_scope, MeetingRecord.month.in_(sorted(months)))
            .execution_options(**stream)
        )
    )

    reports = tuple(
        ReportFact(code, report_type, period, first)
        for code, report_type, period, first in session.execute(
            select(
                ReportSubmission.unit_code,
                ReportSubmission.report_type,
                ReportSubmission.period,
                func.min(ReportSubmission.sent_at),
            )
            .join(Unit, Unit.code == ReportSubmission.unit_code)
            .where(in_scope, ReportSubmission.period.in_(sorted(report_periods)))
            .group_by(
                ReportSubmission.unit_code, ReportSubmission.report_type, ReportSubmission.period
            )
            .execution_options(**stream)
        )
    )

    unreachable = tuple(
        UnreachableFact(code, role.value, name, since)
        for code, role, name, since in session.execute(
            select(
                RoleAssignment.unit_code,
                RoleAssignment.role,
                Person.full_name,
                Person.unreachable_since,
            )
            .join(Person, Person.id == RoleAssignment.person_id)
            .join(Unit, Unit.code == RoleAssignment.unit_code)
            .where(
                in_scope,
                RoleAssignment.role.in_(CELL_ROLES),
                Person.unreachable_since.is_not(None),
            )
            .order_by(Unit.path, RoleAssignment.role)
        )
    )
    return Facts(scope, units, schedules, records, reports, unreachable)
