"""One line per unit for a month, from the ledger and the meeting records: the month
export (`chibo export`) and /unit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.digest.facts import (
    UnitInfo,
)
from domain.digest.month_rows import RecordDetail, UnitRow, unit_row
from domain.meeting_kinds import MONTHLY_KIND, MeetingKind
from domain.obligations import Obligation, end_of_day
from domain.org import MEETING_KINDS, UnitKind
from domain.windows import Window
from storage.columns import OBLIGATION_COLUMNS, UNIT_COLUMNS, in_scope, obligation_of
from storage.digest_queries import CELL_ROLES, MAX_SQL_CODES, load_scope, window_clause
from storage.models import (
    LedgerEntry,
    MeetingRecord,
    Person,
    QualityRating,
    RoleAssignment,
    Unit,
)
from storage.unit_of_work import core


def load_unit_rows(
    session: Session, scope_code: str, window: Window, *, only_scope: bool = False
) -> list[UnitRow] | None:
    """Each unit of the subtree that holds meetings, in tree order, with its statuses in
    `window` (only the scope unit itself with `only_scope`). None: no such scope."""
    scope = load_scope(session, scope_code)
    if scope is None:
        return None
    units_clause = Unit.code == scope.code if only_scope else in_scope(scope)
    units = [
        UnitInfo(*row)
        for row in core(
            session,
            select(*UNIT_COLUMNS)
            .where(units_clause, Unit.kind.in_(sorted(MEETING_KINDS)), Unit.active.is_(True))
            .order_by(Unit.path),
        )
    ]
    codes = [u.code for u in units]
    if not codes:
        return []
    code_filter = (
        (lambda column: column.in_(codes))
        if len(codes) <= MAX_SQL_CODES
        else (lambda column: Unit.path.startswith(scope.path, autoescape=True))
    )
    obligations: dict[str, list[Obligation]] = defaultdict(list)
    for row in core(
        session,
        select(*OBLIGATION_COLUMNS)
        .join(Unit, Unit.code == LedgerEntry.unit_code)
        .where(code_filter(LedgerEntry.unit_code), window_clause([window])),
    ):
        obligations[row[0]].append(obligation_of(row))
    records: dict[tuple[str, MeetingKind], RecordDetail] = {}
    for row in core(
        session,
        select(
            MeetingRecord.unit_code,
            MeetingRecord.kind,
            MeetingRecord.held,
            MeetingRecord.held_on,
            MeetingRecord.present,
            MeetingRecord.total_members,
            MeetingRecord.not_held_reason,
            QualityRating.level,
            QualityRating.score,
            QualityRating.flags,
        )
        .join(Unit, Unit.code == MeetingRecord.unit_code)
        .outerjoin(QualityRating, QualityRating.record_id == MeetingRecord.id)
        .where(
            code_filter(MeetingRecord.unit_code),
            MeetingRecord.month == window.meeting_month.key,
        ),
    ):
        code, kind, held, held_on, present, total, reason, level, score, flags = row
        records[(code, kind)] = RecordDetail(
            held, held_on, present, total, reason, level, score, tuple(flags or ())
        )
    unreachable: dict[str, list[str]] = defaultdict(list)
    cutoff = end_of_day(window.day)
    for code, role, name in core(
        session,
        select(RoleAssignment.unit_code, RoleAssignment.role, Person.full_name)
        .select_from(RoleAssignment)
        .join(Person, Person.id == RoleAssignment.person_id)
        .join(Unit, Unit.code == RoleAssignment.unit_code)
        .where(
            code_filter(RoleAssignment.unit_code),
            RoleAssignment.role.in_(CELL_ROLES),
            Person.unreachable_since < cutoff,
        )
        .order_by(Unit.path, RoleAssignment.role),
    ):
        unreachable[code].append(f"{name} ({role.value})")
    clusters = _clusters(session, units)
    wanted = set(codes)
    return [
        unit_row(
            unit,
            clusters.get(unit.code),
            window,
            obligations.get(unit.code, ()),
            records.get((unit.code, MONTHLY_KIND[unit.kind])),
            tuple(unreachable.get(unit.code, ())),
        )
        for unit in units
        if unit.code in wanted
    ]


def _clusters(session: Session, units: Iterable[UnitInfo]) -> dict[str, str]:
    """Unit code → the code of the cluster above it (read from the path)."""
    clusters = set(session.scalars(select(Unit.code).where(Unit.kind == UnitKind.CLUSTER)))
    found: dict[str, str] = {}
    for unit in units:
        for part in unit.path.strip("/").split("/"):
            if part in clusters:
                found[unit.code] = part
                break
    return found
