"""What the year-end preview reads: the year's ledger counts, ratings and organisations.

The ledger's `kind` is read as it is stored: a kind this build does not name (the
ledger gains kinds, such as directives) is still counted under its own name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from domain.org import MEETING_KINDS, UnitKind
from storage.models import LedgerEntry, MeetingRecord, QualityRating, Unit


@dataclass(frozen=True, slots=True)
class YearCount:
    """How many of an organisation's obligations of the year share what their status
    as of a day follows from (one GROUP BY row)."""

    unit_code: str
    kind: str
    resolution: str
    on_time: bool  # done on or before its due date
    due_passed: bool  # due before the day
    known: bool  # resolved before the day ended
    count: int


@dataclass(frozen=True, slots=True)
class GradedUnit:
    code: str
    name: str
    kind: UnitKind
    path: str
    parent_code: str | None


def graded_units(session: Session, scope_path: str, only: str | None = None) -> list[GradedUnit]:
    """The active organisations under `scope_path` that hold meetings, in tree order."""
    query = (
        select(Unit.code, Unit.name, Unit.kind, Unit.path, Unit.parent_code)
        .where(
            Unit.path.startswith(scope_path, autoescape=True),
            Unit.active.is_(True),
            Unit.kind.in_(sorted(MEETING_KINDS)),
        )
        .order_by(Unit.path)
    )
    if only is not None:
        query = query.where(Unit.code == only)
    return [GradedUnit(*row) for row in session.execute(query)]


def _of_year(year: int) -> str:
    # Period keys start with the year: "2026-12", "2026-Q4", "2026-H1", "2026".
    return f"{year:04d}%"


def year_counts(
    session: Session,
    scope_path: str,
    year: int,
    day: date,
    cutoff: datetime,
    only: str | None = None,
) -> list[YearCount]:
    """The year's obligations under `scope_path`, counted by what `Obligation.status_at`
    reads: one row per organisation, kind and combination, not one per obligation."""
    on_time = case(
        (and_(LedgerEntry.done_on.is_not(None), LedgerEntry.done_on <= LedgerEntry.due_on), 1),
        else_=0,
    )
    due_passed = case((LedgerEntry.due_on < day, 1), else_=0)
    known = case(
        (and_(LedgerEntry.resolved_at.is_not(None), LedgerEntry.resolved_at < cutoff), 1),
        else_=0,
    )
    query = (
        select(
            LedgerEntry.unit_code,
            LedgerEntry.kind,
            LedgerEntry.resolution,
            on_time,
            due_passed,
            known,
            func.count(),
        )
        .where(
            LedgerEntry.unit_path.startswith(scope_path, autoescape=True),
            LedgerEntry.period.like(_of_year(year)),
        )
        .group_by(
            LedgerEntry.unit_code,
            LedgerEntry.kind,
            LedgerEntry.resolution,
            on_time,
            due_passed,
            known,
        )
    )
    if only is not None:
        query = query.where(LedgerEntry.unit_code == only)
    return [
        YearCount(code, kind, resolution, bool(a), bool(b), bool(c), n)
        for code, kind, resolution, a, b, c, n in session.execute(query)
    ]


def keys_of_periods(
    session: Session, scope_path: str, periods: Collection[str], only: str | None = None
) -> set[tuple[str, str, str, str]]:
    """(unit, kind, subject, period) of the rows already in the ledger for `periods`."""
    if not periods:
        return set()
    query = select(
        LedgerEntry.unit_code, LedgerEntry.kind, LedgerEntry.subject, LedgerEntry.period
    ).where(
        LedgerEntry.unit_path.startswith(scope_path, autoescape=True),
        LedgerEntry.period.in_(sorted(periods)),
    )
    if only is not None:
        query = query.where(LedgerEntry.unit_code == only)
    return {tuple(row) for row in session.execute(query)}  # type: ignore[misc]  # rows of the selected columns


def year_quality(
    session: Session, scope_path: str, year: int, only: str | None = None
) -> dict[str, Counter[str]]:
    """Per organisation: how many of its meetings of the year it rated at each level."""
    query = (
        select(MeetingRecord.unit_code, QualityRating.level)
        .join(QualityRating, QualityRating.record_id == MeetingRecord.id)
        .join(Unit, Unit.code == MeetingRecord.unit_code)
        .where(
            Unit.path.startswith(scope_path, autoescape=True),
            MeetingRecord.month.like(f"{year:04d}-%"),
        )
    )
    if only is not None:
        query = query.where(MeetingRecord.unit_code == only)
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for code, level in session.execute(query):
        found[code][level] += 1
    return found
