"""The roll-ups' reads: the ledger rows of a period's months for one subtree, and the
measured facts beside them (attendance, self-ratings, higher-level visits).

A fixed handful of statements whatever the size of the subtree; the arithmetic is in
`domain.rollup`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from domain.digest.facts import UnitInfo
from domain.meeting_kinds import MeetingKind
from domain.obligations import Obligation, ObligationKind
from domain.periods import Period
from storage.columns import OBLIGATION_COLUMNS, UNIT_COLUMNS, in_scope, obligation_of
from storage.models import LedgerEntry, MeetingRecord, QualityRating, Unit
from storage.unit_of_work import core


def units(session: Session, scope: UnitInfo) -> tuple[UnitInfo, ...]:
    return tuple(
        UnitInfo(*row)
        for row in core(session, select(*UNIT_COLUMNS).where(in_scope(scope)).order_by(Unit.path))
    )


def obligations(session: Session, scope: UnitInfo, period: Period) -> tuple[Obligation, ...]:
    """The period's rows: registrations and meetings of its months, thematic meetings of
    its quarters, reports and directives due inside it, cluster meetings of its months."""
    months = [m.key for m in period.months]
    quarters = sorted({m.quarter.key for m in period.months})
    first, last = period.first_day, period.last_day
    k = ObligationKind
    stmt = (
        select(*OBLIGATION_COLUMNS)
        .join(Unit, Unit.code == LedgerEntry.unit_code)
        .where(
            in_scope(scope),
            or_(
                and_(
                    LedgerEntry.kind.in_(
                        (k.REGISTRATION.value, k.MEETING.value, k.CLUSTER_MEETING.value)
                    ),
                    LedgerEntry.period.in_(months),
                ),
                and_(LedgerEntry.kind == k.THEMATIC.value, LedgerEntry.period.in_(quarters)),
                and_(
                    LedgerEntry.kind.in_((k.REPORT.value, k.DIRECTIVE.value)),
                    LedgerEntry.due_on >= first,
                    LedgerEntry.due_on <= last,
                ),
            ),
        )
        .order_by(Unit.path, LedgerEntry.due_on)
    )
    return tuple(obligation_of(row) for row in core(session, stmt))


def _held(scope: UnitInfo, period: Period, cutoff: datetime) -> Any:
    return and_(
        in_scope(scope),
        MeetingRecord.held.is_(True),
        MeetingRecord.month.in_([m.key for m in period.months]),
        MeetingRecord.recorded_at < cutoff,
    )


def attendance(
    session: Session, scope: UnitInfo, period: Period, cutoff: datetime
) -> tuple[tuple[str, int, int], ...]:
    """(unit, present, members) of the held regular meetings known by `cutoff`."""
    stmt = (
        select(MeetingRecord.unit_code, MeetingRecord.present, MeetingRecord.total_members)
        .join(Unit, Unit.code == MeetingRecord.unit_code)
        .where(
            _held(scope, period, cutoff),
            MeetingRecord.kind == MeetingKind.REGULAR,
            MeetingRecord.present.is_not(None),
            MeetingRecord.total_members > 0,
            MeetingRecord.present >= 0,
            MeetingRecord.present <= MeetingRecord.total_members,
        )
    )
    return tuple((code, present, total) for code, present, total in core(session, stmt))


def ratings(
    session: Session, scope: UnitInfo, period: Period, cutoff: datetime
) -> tuple[tuple[str, str], ...]:
    """(unit, level) of the self-ratings of held monthly meetings known by `cutoff`."""
    stmt = (
        select(MeetingRecord.unit_code, QualityRating.level)
        .select_from(QualityRating)
        .join(MeetingRecord, MeetingRecord.id == QualityRating.record_id)
        .join(Unit, Unit.code == MeetingRecord.unit_code)
        .where(
            _held(scope, period, cutoff),
            MeetingRecord.kind != MeetingKind.THEMATIC,
            QualityRating.rated_at < cutoff,
        )
    )
    return tuple((code, level) for code, level in core(session, stmt))


def visits(
    session: Session, scope: UnitInfo, period: Period, cutoff: datetime
) -> tuple[tuple[str, str | None, str], ...]:
    """(unit, committee member code, name as written) of every held meeting a member of a
    higher committee attended."""
    stmt = (
        select(
            MeetingRecord.unit_code,
            MeetingRecord.higher_attendee_code,
            MeetingRecord.higher_attendee,
        )
        .join(Unit, Unit.code == MeetingRecord.unit_code)
        .where(_held(scope, period, cutoff), MeetingRecord.higher_attendee.is_not(None))
    )
    return tuple((code, member, name) for code, member, name in core(session, stmt) if name)
