"""What the year-end preview reads: the year's ledger rows, ratings and organisations.

The ledger's `kind` is read as it is stored: a kind this build does not name (the
ledger gains kinds, such as directives) is still counted under its own name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.org import MEETING_KINDS, UnitKind
from storage.models import LedgerEntry, MeetingRecord, QualityRating, Unit


@dataclass(frozen=True, slots=True)
class YearRow:
    """One obligation of the year, with what its status as of a day follows from."""

    unit_code: str
    kind: str
    subject: str
    period: str
    due_on: date
    resolution: str
    done_on: date | None
    resolved_at: datetime | None


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


def year_rows(
    session: Session, scope_path: str, year: int, only: str | None = None
) -> Iterator[YearRow]:
    query = (
        select(
            LedgerEntry.unit_code,
            LedgerEntry.kind,
            LedgerEntry.subject,
            LedgerEntry.period,
            LedgerEntry.due_on,
            LedgerEntry.resolution,
            LedgerEntry.done_on,
            LedgerEntry.resolved_at,
        )
        .join(Unit, Unit.code == LedgerEntry.unit_code)
        .where(
            Unit.path.startswith(scope_path, autoescape=True),
            LedgerEntry.period.like(_of_year(year)),
        )
    )
    if only is not None:
        query = query.where(LedgerEntry.unit_code == only)
    for row in session.execute(query):
        yield YearRow(*row)


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
