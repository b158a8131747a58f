"""The dashboard's reads: the ledger of a subtree counted per row of the heat map.

A row of the heat map is a child of the scope (a cluster of the bloc, a base
organisation of a cluster, a cell of a base committee) or the scope's own unit. A
row that is one unit is read whole (`unit_obligations`: a few hundred rows at most);
a row that is a subtree is counted in SQL (`group_marks`), over the obligations that
are not on time only: the partial index `ix_obligations_not_on_time` holds those,
about one in eight, so the whole bloc's year is counted without reading the rest.
How many units each row has (`row_sizes`) comes from the units table: every active
unit that holds meetings owes something every month the ledger covers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from domain.digest.facts import UnitInfo
from domain.heatmap import Mark
from domain.obligations import Obligation, ObligationKind, Resolution
from domain.org import MEETING_KINDS, REPORTING_KINDS
from domain.periods import Month
from storage.columns import OBLIGATION_COLUMNS, UNIT_COLUMNS, in_scope, obligation_of
from storage.models import LedgerEntry, Unit
from storage.unit_of_work import core

MAX_SQL_CODES = 2000


def load_unit(session: Session, code: str) -> UnitInfo | None:
    row = core(session, select(*UNIT_COLUMNS).where(Unit.code == code, Unit.active.is_(True)))
    found = row.first()
    return UnitInfo(*found) if found is not None else None


def load_children(session: Session, scope: UnitInfo) -> list[UnitInfo]:
    return [
        UnitInfo(*row)
        for row in core(
            session,
            select(*UNIT_COLUMNS)
            .where(Unit.parent_code == scope.code, Unit.active.is_(True))
            .order_by(Unit.path),
        )
    ]


def load_trail(session: Session, unit: UnitInfo) -> list[UnitInfo]:
    """The unit's ancestors, the root first (for the breadcrumbs)."""
    codes = [part for part in unit.path.strip("/").split("/") if part][:-1]
    if not codes:
        return []
    rows = {
        row[0]: UnitInfo(*row)
        for row in core(session, select(*UNIT_COLUMNS).where(Unit.code.in_(codes)))
    }
    return [rows[c] for c in codes if c in rows]


def unit_paths(session: Session, codes: Collection[str]) -> dict[str, str]:
    wanted = sorted(codes)
    found: dict[str, str] = {}
    for start in range(0, len(wanted), MAX_SQL_CODES):
        batch = wanted[start : start + MAX_SQL_CODES]
        found.update(core(session, select(Unit.code, Unit.path).where(Unit.code.in_(batch))).all())
    return found


def _row_key(scope: UnitInfo, dialect: str) -> ColumnElement[Any]:
    """The heat map row a unit falls in: the scope's child on its path, or the scope."""
    rest = func.substr(Unit.path, len(scope.path) + 1)
    if dialect == "postgresql":
        first = func.split_part(rest, "/", 1)
    else:
        first = func.substr(rest, 1, func.instr(rest, "/") - 1)
    return case((rest == "", literal(scope.code)), else_=first)


@dataclass(frozen=True)
class RowSize:
    meeting_units: int = 0  # units that register, hold and rate monthly meetings
    reporting_units: int = 0  # base organisations, which send the periodic reports


def row_sizes(session: Session, scope: UnitInfo) -> dict[str, RowSize]:
    """How many active units of each duty each row of the scope's heat map holds."""
    key = _row_key(scope, session.get_bind().dialect.name)
    meets: dict[str, int] = defaultdict(int)
    reports: dict[str, int] = defaultdict(int)
    for row_key, kind, n in core(
        session,
        select(key, Unit.kind, func.count())
        .where(in_scope(scope), Unit.kind.in_(sorted(MEETING_KINDS)))
        .group_by(key, Unit.kind),
    ):
        meets[row_key] += n
        if kind in REPORTING_KINDS:
            reports[row_key] += n
    return {code: RowSize(meets[code], reports.get(code, 0)) for code in meets}


def _not_on_time() -> ColumnElement[bool]:
    # Exactly the predicate of ix_obligations_not_on_time, with the literal written out
    # (not a bound parameter): only then can SQLite and PostgreSQL use that index.
    return or_(
        LedgerEntry.resolution != literal_column("'done'"),
        LedgerEntry.done_on.is_(None),
        LedgerEntry.done_on > LedgerEntry.due_on,
    )


def _due_month(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.to_char(LedgerEntry.due_on, "YYYY-MM")
    return func.substr(cast(LedgerEntry.due_on, String), 1, 7)


def _mark(today: date) -> ColumnElement[Any]:
    """`domain.heatmap.Mark` of a row that is not on time, as of the end of `today`."""
    return case(
        (LedgerEntry.resolution == Resolution.FAILED.value, int(Mark.MISSING)),
        (
            and_(LedgerEntry.resolution == Resolution.OPEN.value, LedgerEntry.due_on < today),
            int(Mark.MISSING),
        ),
        (LedgerEntry.resolution == Resolution.DONE.value, int(Mark.LATE)),
        (LedgerEntry.resolution == Resolution.EXCUSED.value, int(Mark.EXCUSED)),
        else_=int(Mark.PENDING),
    )


def _in_months(
    kinds: Collection[ObligationKind],
    months: Sequence[Month],
    reports: Collection[tuple[str, str]],
) -> list[ColumnElement[bool]]:
    """Obligations of `kinds` shown in `months`, as one clause per index range: monthly
    ones by their period, reports by (report type, period) of the deadlines that fall
    in those months. Kept apart (not OR-ed) so each is a range scan of an index."""
    monthly = sorted(k.value for k in kinds if k != ObligationKind.REPORT)
    clauses = []
    if monthly:
        clauses.append(
            and_(
                LedgerEntry.kind.in_(monthly),
                LedgerEntry.period >= months[0].key,
                LedgerEntry.period <= months[-1].key,
            )
        )
    if ObligationKind.REPORT in kinds and reports:
        clauses.append(
            and_(
                LedgerEntry.kind == ObligationKind.REPORT.value,
                LedgerEntry.period.in_(sorted({period for _, period in reports})),
                tuple_(LedgerEntry.subject, LedgerEntry.period).in_(sorted(reports)),
            )
        )
    return clauses


def _shown_month(dialect: str) -> ColumnElement[Any]:
    """The heat map's month of an obligation (`domain.heatmap.heat_month`)."""
    return case(
        (LedgerEntry.kind == ObligationKind.REPORT.value, _due_month(dialect)),
        else_=LedgerEntry.period,
    ).label("month")


def _problems(
    session: Session,
    scope: UnitInfo,
    kinds: Collection[ObligationKind],
    months: Sequence[Month],
    reports: Collection[tuple[str, str]],
    today: date,
) -> Any:
    """(unit_code, month, mark) of every obligation in the heat map that is not on time."""
    dialect = session.get_bind().dialect.name
    inside = None
    if scope.parent_code is not None:
        # Below the root: only the subtree's rows (the root holds them all).
        inside = select(Unit.code).where(in_scope(scope)).scalar_subquery()
    parts = []
    for clause in _in_months(kinds, months, reports):
        part = select(
            LedgerEntry.unit_code.label("unit_code"),
            _shown_month(dialect),
            _mark(today).label("mark"),
        ).where(_not_on_time(), clause)
        if inside is not None:
            part = part.where(LedgerEntry.unit_code.in_(inside))
        parts.append(part)
    if not parts:
        return None
    return union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()


@dataclass(frozen=True, slots=True)
class MarkCount:
    row: str  # row key: the scope's child (or the scope itself)
    month: str  # "2026-11"
    mark: Mark
    units: int


def group_marks(
    session: Session,
    scope: UnitInfo,
    kinds: Collection[ObligationKind],
    months: Sequence[Month],
    reports: Collection[tuple[str, str]],
    today: date,
) -> list[MarkCount]:
    """Per row and month, how many units got each mark other than on time (a unit's mark
    is its worst obligation of the month). One statement, whatever the subtree's size."""
    problems = _problems(session, scope, kinds, months, reports, today)
    if problems is None:
        return []
    worst = (
        select(problems.c.unit_code, problems.c.month, func.max(problems.c.mark).label("mark"))
        .group_by(problems.c.unit_code, problems.c.month)
        .subquery()
    )
    key = _row_key(scope, session.get_bind().dialect.name)
    stmt = (
        select(key, worst.c.month, worst.c.mark, func.count())
        .select_from(worst)
        .join(Unit, Unit.code == worst.c.unit_code)
        .where(in_scope(scope))
        .group_by(key, worst.c.month, worst.c.mark)
    )
    return [
        MarkCount(row_key, month_key, Mark(mark), n)
        for row_key, month_key, mark, n in core(session, stmt)
    ]


def unit_obligations(
    session: Session,
    codes: Collection[str],
    kinds: Collection[ObligationKind],
    months: Sequence[Month],
    reports: Collection[tuple[str, str]],
) -> dict[str, list[Obligation]]:
    """Every obligation of these units shown in `months` (rows of single units)."""
    found: dict[str, list[Obligation]] = defaultdict(list)
    wanted = sorted(codes)
    for start in range(0, len(wanted), MAX_SQL_CODES):
        batch = wanted[start : start + MAX_SQL_CODES]
        for row in core(
            session,
            select(*OBLIGATION_COLUMNS).where(
                LedgerEntry.unit_code.in_(batch), or_(*_in_months(kinds, months, reports))
            ),
        ):
            found[row[0]].append(obligation_of(row))
    return found


@dataclass(frozen=True, slots=True)
class ChronicUnit:
    unit: UnitInfo
    failed_months: int


def chronic_units(
    session: Session,
    scope: UnitInfo,
    kinds: Collection[ObligationKind],
    months: Sequence[Month],
    reports: Collection[tuple[str, str]],
    today: date,
    limit: int,
) -> list[ChronicUnit]:
    """The units of the subtree that failed (something missing) in the most months."""
    problems = _problems(session, scope, kinds, months, reports, today)
    if problems is None:
        return []
    missing = (
        select(problems.c.unit_code, problems.c.month)
        .where(problems.c.mark == int(Mark.MISSING))
        .distinct()
        .subquery()
    )
    failed = func.count().label("failed")
    stmt = (
        select(*UNIT_COLUMNS, failed)
        .select_from(missing)
        .join(Unit, Unit.code == missing.c.unit_code)
        .where(in_scope(scope))
        .group_by(*UNIT_COLUMNS)
        .order_by(failed.desc(), Unit.path)
        .limit(limit)
    )
    return [ChronicUnit(UnitInfo(*row[:6]), row[6]) for row in core(session, stmt)]
