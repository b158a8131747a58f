"""The digest's reads: a fixed handful of aggregates over the ledger of one subtree.

However many units the subtree holds, `load_digest_facts` runs the same statements
(scope, children, the ledger grouped for the digest day and for the earlier days —
statuses, attendance and rating levels together —, the problem rows, registration
groups and their committees, flagged ratings, low attendance, unreachable people,
frozen snapshots). Counting happens in the
database; Python sees groups, not units. `tests/leadership/test_query_count.py`
holds it to that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import Float, String, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from domain.digest.facts import (
    DigestFacts,
    FlaggedFact,
    LedgerCount,
    LowAttendanceFact,
    UnitInfo,
    UnreachableFact,
)
from domain.meeting_kinds import MeetingKind
from domain.obligations import Obligation, ObligationKind, Resolution, end_of_day
from domain.org import UnitKind
from domain.roles import Role
from domain.windows import Window
from storage.columns import OBLIGATION_COLUMNS, UNIT_COLUMNS, in_scope, obligation_of, unit_info
from storage.models import (
    DigestSnapshot,
    LedgerEntry,
    MeetingRecord,
    Person,
    QualityRating,
    RoleAssignment,
    Unit,
)
from storage.unit_of_work import core

CELL_ROLES = (Role.SECRETARY, Role.DEPUTY)
MAX_SQL_CODES = 2000  # SQLite's bound-parameter limit leaves room for this many


def _info(unit: Unit) -> UnitInfo:
    return UnitInfo(unit.code, unit.name, unit.kind, unit.path, unit.parent_code, unit.members)


def load_scope(session: Session, code: str) -> UnitInfo | None:
    unit = session.get(Unit, code)
    return _info(unit) if unit is not None and unit.active else None


def _child(session: Session, scope: UnitInfo, path: Any = Unit.path) -> ColumnElement[Any]:
    """The code of the scope's child whose subtree holds the unit at `path` ('' for the
    scope itself)."""
    rest = func.substr(path, len(scope.path) + 1)
    if session.get_bind().dialect.name == "postgresql":
        return func.split_part(rest, "/", 1)
    return func.substr(rest, 1, func.instr(rest, "/") - 1)


def _ledger_in_scope(scope: UnitInfo) -> ColumnElement[bool]:
    """Obligations of the scope's subtree, read from their own copy of the unit's path:
    the counts come from the index alone (inactive units owe nothing, so have no rows)."""
    return LedgerEntry.unit_path.startswith(scope.path, autoescape=True)


def _known_from(column: Any, cutoffs: Sequence[datetime], *, first: int = 0) -> ColumnElement[Any]:
    """The index (from `first`) of the first cutoff the instant in `column` comes before
    (NULL: none)."""
    return case(*((column < c, literal(first + i)) for i, c in enumerate(cutoffs)), else_=None)


def window_clause(windows: Iterable[Window]) -> ColumnElement[bool]:
    periods: dict[ObligationKind, set[str]] = defaultdict(set)
    for window in windows:
        for kind, _subject, period in window.ledger_keys():
            periods[kind].add(period)
    return or_(
        *(
            and_(LedgerEntry.kind == kind.value, LedgerEntry.period.in_(sorted(found)))
            for kind, found in periods.items()
        )
    )


def _on_time() -> ColumnElement[Any]:
    return case(
        (and_(LedgerEntry.done_on.is_not(None), LedgerEntry.done_on <= LedgerEntry.due_on), 1),
        else_=0,
    )


def _ledger_counts(
    session: Session,
    scope: UnitInfo,
    windows: Sequence[Window],
    cutoffs: Sequence[datetime],
    target: Fraction,
    *,
    by_child: bool,
) -> tuple[LedgerCount, ...]:
    if not windows:
        return ()
    child = _child(session, scope, LedgerEntry.unit_path) if by_child else literal("")
    # The digest day needs only "known by its end or not"; earlier days, by which day.
    known = (
        _known_from(LedgerEntry.resolved_at, cutoffs[-1:], first=len(cutoffs) - 1)
        if by_child
        else _known_from(LedgerEntry.resolved_at, cutoffs)
    )
    on_time = _on_time()
    measured = and_(
        LedgerEntry.present.is_not(None),
        LedgerEntry.total > 0,
        LedgerEntry.present >= 0,
        LedgerEntry.present <= LedgerEntry.total,
    )
    below = LedgerEntry.present * target.denominator < LedgerEntry.total * target.numerator
    # Wrapped so SQLite searches the index by (kind, period) instead of walking all of it
    # in GROUP BY order; every obligation of a kind, subject and period has one due date.
    kind = func.coalesce(LedgerEntry.kind, "")
    grouped = (
        kind,
        LedgerEntry.subject,
        LedgerEntry.period,
        LedgerEntry.resolution,
        on_time,
        known,
        child,
        LedgerEntry.level,
    )
    stmt = (
        select(
            *grouped,
            func.max(LedgerEntry.due_on),
            func.count(),
            func.sum(case((measured, 1), else_=0)),
            func.sum(case((measured, cast(LedgerEntry.present, Float) / LedgerEntry.total))),
            func.sum(case((and_(measured, below), 1), else_=0)),
        )
        .where(window_clause(windows), _ledger_in_scope(scope))
        .group_by(*grouped)
    )
    return tuple(
        LedgerCount(
            kind=ObligationKind(row[0]),
            subject=row[1],
            period=row[2],
            resolution=Resolution(row[3]),
            on_time=bool(row[4]),
            known_from=row[5],
            child=row[6] or None,
            level=row[7],
            due_on=row[8],
            count=row[9],
            measured=int(row[10] or 0),
            rate_sum=float(row[11] or 0),
            below_target=int(row[12] or 0),
        )
        for row in core(session, stmt)
    )


def _problems(
    session: Session, scope: UnitInfo, window: Window
) -> tuple[tuple[UnitInfo, Obligation], ...]:
    """The digest day's rows that are not (yet) in order: everything but on time and
    not-yet-due; a thematic meeting still to hold is listed while the quarter runs."""
    cutoff = end_of_day(window.day)
    known = and_(LedgerEntry.resolved_at.is_not(None), LedgerEntry.resolved_at < cutoff)
    fine = or_(
        and_(known, LedgerEntry.resolution == Resolution.DONE.value, _on_time() == 1),
        and_(
            ~known,
            LedgerEntry.due_on >= window.day,
            LedgerEntry.kind != ObligationKind.THEMATIC.value,
        ),
        LedgerEntry.kind == ObligationKind.RATING.value,
    )
    stmt = (
        select(*UNIT_COLUMNS, *OBLIGATION_COLUMNS)
        .select_from(LedgerEntry)
        .join(Unit, Unit.code == LedgerEntry.unit_code)
        .where(_ledger_in_scope(scope), window_clause([window]), ~fine)
        .order_by(LedgerEntry.unit_path, LedgerEntry.kind, LedgerEntry.due_on)
    )
    result = []
    for row in core(session, stmt):
        result.append((unit_info(row), obligation_of(row[len(UNIT_COLUMNS) :])))
    return tuple(result)


def _group_key() -> ColumnElement[Any]:
    return case(
        (Unit.kind == UnitKind.SUB_CELL, Unit.parent_code),
        (Unit.kind == UnitKind.BASE_COMMITTEE, Unit.code),
        else_=None,
    )


def _registration_groups(
    session: Session, scope: UnitInfo, window: Window
) -> tuple[dict[str | None, int], dict[str, UnitInfo]]:
    """Units to register per base committee (None: base cells), and the committees."""
    group = _group_key()
    totals = {
        code: n
        for code, n in core(
            session,
            select(group, func.count())
            .select_from(LedgerEntry)
            .join(Unit, Unit.code == LedgerEntry.unit_code)
            .where(
                in_scope(scope),
                LedgerEntry.kind == ObligationKind.REGISTRATION.value,
                LedgerEntry.period == window.registration_month.key,
            )
            .group_by(group),
        )
    }
    codes = sorted(c for c in totals if c is not None)
    groups = {
        row[0]: UnitInfo(*row)
        for row in core(session, select(*UNIT_COLUMNS).where(Unit.code.in_(codes)))
    }
    return totals, groups


def _flagged(session: Session, scope: UnitInfo, window: Window) -> tuple[FlaggedFact, ...]:
    """Self-ratings of the meeting month (any kind) with plausibility flags."""
    cutoff = end_of_day(window.day)
    stmt = (
        select(
            *UNIT_COLUMNS,
            MeetingRecord.kind,
            QualityRating.level,
            QualityRating.score,
            QualityRating.flags,
        )
        .select_from(QualityRating)
        .join(MeetingRecord, MeetingRecord.id == QualityRating.record_id)
        .join(Unit, Unit.code == MeetingRecord.unit_code)
        .where(
            in_scope(scope),
            MeetingRecord.month == window.meeting_month.key,
            MeetingRecord.held.is_(True),
            MeetingRecord.recorded_at < cutoff,
            QualityRating.rated_at < cutoff,
            cast(QualityRating.flags, String) != "[]",
        )
        .order_by(Unit.path, MeetingRecord.kind)
    )
    return tuple(
        FlaggedFact(UnitInfo(*row[:6]), row[6], row[7], row[8], tuple(str(f) for f in row[9]))
        for row in core(session, stmt)
        if row[9]
    )


def _low_attendance(
    session: Session, scope: UnitInfo, window: Window, target: Fraction
) -> tuple[LowAttendanceFact, ...]:
    """Held regular meetings of the meeting month whose attendance is below the target."""
    cutoff = end_of_day(window.day)
    stmt = (
        select(*UNIT_COLUMNS, LedgerEntry.present, LedgerEntry.total)
        .select_from(LedgerEntry)
        .join(Unit, Unit.code == LedgerEntry.unit_code)
        .where(
            _ledger_in_scope(scope),
            LedgerEntry.kind == ObligationKind.MEETING.value,
            LedgerEntry.period == window.meeting_month.key,
            LedgerEntry.subject == MeetingKind.REGULAR.value,
            LedgerEntry.resolution == Resolution.DONE.value,
            LedgerEntry.resolved_at < cutoff,
            LedgerEntry.total > 0,
            LedgerEntry.present >= 0,
            LedgerEntry.present <= LedgerEntry.total,
            LedgerEntry.present * target.denominator < LedgerEntry.total * target.numerator,
        )
        .order_by(LedgerEntry.unit_path)
    )
    return tuple(
        LowAttendanceFact(UnitInfo(*row[:6]), row[6], row[7]) for row in core(session, stmt)
    )


def _unreachable(
    session: Session, scope: UnitInfo, cutoff: datetime
) -> tuple[tuple[UnreachableFact, ...], tuple[tuple[str | None, datetime], ...]]:
    """Secretaries and deputies Telegram cannot reach: the list as of `cutoff`, and
    (child, since) of everyone, to count any earlier day."""
    child = _child(session, scope)
    stmt = (
        select(
            *UNIT_COLUMNS,
            RoleAssignment.role,
            Person.full_name,
            Person.unreachable_since,
            child,
        )
        .select_from(RoleAssignment)
        .join(Person, Person.id == RoleAssignment.person_id)
        .join(Unit, Unit.code == RoleAssignment.unit_code)
        .where(
            in_scope(scope),
            RoleAssignment.role.in_(CELL_ROLES),
            Person.unreachable_since.is_not(None),
        )
        .order_by(Unit.path, RoleAssignment.role)
    )
    listed, counted = [], []
    for row in core(session, stmt):
        role, name, since, child_code = row[6:]
        counted.append((child_code or None, since))
        if since < cutoff:
            listed.append(UnreachableFact(UnitInfo(*row[:6]), role.value, name, since))
    return tuple(listed), tuple(counted)


def _frozen(session: Session, scope: UnitInfo, days: Sequence[date]) -> dict[date, Any]:
    return {
        at: totals
        for at, totals in core(
            session,
            select(DigestSnapshot.at, DigestSnapshot.totals).where(
                DigestSnapshot.scope_code == scope.code, DigestSnapshot.at.in_(list(days))
            ),
        )
    }


def freeze_totals(
    session: Session, scope_code: str, at: date, totals: dict[str, Any], now: datetime
) -> None:
    """Keep the figures a weekly digest sent; the first freeze of a day wins."""
    if session.get(DigestSnapshot, (scope_code, at)) is None:
        session.add(DigestSnapshot(scope_code=scope_code, at=at, totals=totals, created_at=now))


def load_digest_facts(
    session: Session,
    scope_code: str,
    windows: Sequence[Window],
    target: Fraction,
) -> DigestFacts | None:
    """Everything the digest of `scope_code` needs for the days of `windows` (ascending;
    the last is the digest's day)."""
    scope = load_scope(session, scope_code)
    if scope is None:
        return None
    days = tuple(w.day for w in windows)
    cutoffs = [end_of_day(day) for day in days]
    current = windows[-1]
    children = tuple(
        UnitInfo(*row)
        for row in core(
            session,
            select(*UNIT_COLUMNS)
            .where(Unit.parent_code == scope.code, Unit.active.is_(True))
            .order_by(Unit.path),
        )
    )
    group_totals, groups = _registration_groups(session, scope, current)
    unreachable, unreachable_since = _unreachable(session, scope, cutoffs[-1])
    return DigestFacts(
        scope=scope,
        children=children,
        days=days,
        current=_ledger_counts(session, scope, [current], cutoffs, target, by_child=True),
        history=_ledger_counts(session, scope, windows[:-1], cutoffs, target, by_child=False),
        problems=_problems(session, scope, current),
        group_totals=group_totals,
        groups=groups,
        flagged=_flagged(session, scope, current),
        low_attendance=_low_attendance(session, scope, current, target),
        unreachable=unreachable,
        unreachable_since=unreachable_since,
        frozen=_frozen(session, scope, days),
    )
