"""Directives' reads and writes: the directive, the units it names, what they sent back.

Statuses (done, late, not done) are the ledger's (`storage.ledger`); these rows are
the facts behind them and what texts show (title, number, documents).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from domain.directives import TreeUnit
from domain.obligations import ObligationKind, Resolution
from storage.models import Directive, DirectiveTarget, LedgerEntry, Unit


@dataclass(frozen=True)
class DirectiveInfo:
    id: int
    title: str
    reference: str | None
    due_on: date
    issued_at: datetime
    document_name: str | None

    @property
    def has_document(self) -> bool:
        return self.document_name is not None


def _info(row: Directive) -> DirectiveInfo:
    return DirectiveInfo(
        row.id, row.title, row.reference, row.due_on, row.issued_at, row.document_name
    )


def tree_units(session: Session) -> list[TreeUnit]:
    """Every active unit, to resolve a directive's targets."""
    return [
        TreeUnit(code, name, kind, path)
        for code, name, kind, path in session.execute(
            select(Unit.code, Unit.name, Unit.kind, Unit.path).where(Unit.active.is_(True))
        )
    ]


def add(
    session: Session,
    *,
    title: str,
    reference: str | None,
    due_on: date,
    scope_code: str,
    unit_codes: Sequence[str],
    now: datetime,
    issued_by: int | None,
    issued_by_label: str,
    document_name: str | None,
    document_file_id: str | None,
    document_data: bytes | None,
) -> DirectiveInfo:
    row = Directive(
        title=title,
        reference=reference,
        due_on=due_on,
        scope_code=scope_code,
        issued_at=now,
        issued_by=issued_by,
        issued_by_label=issued_by_label,
        document_name=document_name,
        document_file_id=document_file_id,
        document_data=document_data,
    )
    session.add(row)
    session.flush()
    session.add_all(DirectiveTarget(directive_id=row.id, unit_code=code) for code in unit_codes)
    session.flush()
    return _info(row)


def get(session: Session, directive_id: int) -> DirectiveInfo | None:
    row = session.get(Directive, directive_id)
    return _info(row) if row is not None else None


def infos(session: Session, ids: Iterable[int]) -> dict[int, DirectiveInfo]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        row.id: _info(row)
        for row in session.scalars(select(Directive).where(Directive.id.in_(wanted)))
    }


def target(session: Session, directive_id: int, unit_code: str) -> DirectiveTarget | None:
    return session.scalar(
        select(DirectiveTarget).where(
            DirectiveTarget.directive_id == directive_id, DirectiveTarget.unit_code == unit_code
        )
    )


def open_for_unit(session: Session, unit_code: str) -> list[DirectiveInfo]:
    """The directives the unit has not confirmed done yet, soonest due first."""
    rows = session.scalars(
        select(Directive)
        .join(DirectiveTarget, DirectiveTarget.directive_id == Directive.id)
        .where(DirectiveTarget.unit_code == unit_code, DirectiveTarget.done_at.is_(None))
        .order_by(Directive.due_on, Directive.id)
    )
    return [_info(row) for row in rows]


def document(session: Session, directive_id: int) -> tuple[str | bytes, str] | None:
    """The directive's document to send: Telegram's file id once it has one, else the bytes."""
    row = session.get(Directive, directive_id)
    if row is None or row.document_name is None:
        return None
    if row.document_file_id:
        return row.document_file_id, row.document_name
    if row.document_data is not None:
        return row.document_data, row.document_name
    return None


def remember_file_id(session: Session, directive_id: int, file_id: str) -> None:
    """Telegram has the document now: later sends use its id, the bytes are dropped."""
    row = session.get(Directive, directive_id)
    if row is not None and not row.document_file_id:
        row.document_file_id, row.document_data = file_id, None


# ---------------------------------------------------------------------------
# Progress, from the ledger: how many of the units (within a scope) have done it


@dataclass(frozen=True)
class Progress:
    directive: DirectiveInfo
    units: int
    done: int
    late: int  # done after the due date

    @property
    def open(self) -> int:
        return self.units - self.done


def progress(session: Session, scope_paths: Sequence[str], *, open_only: bool) -> list[Progress]:
    """Directives naming units inside `scope_paths`, with X/Y done among those units,
    soonest due first; `open_only`: those some unit has not done yet."""
    if not scope_paths:
        return []
    inside = or_(*(Unit.path.startswith(p, autoescape=True) for p in scope_paths))
    done = LedgerEntry.resolution == Resolution.DONE.value
    late = and_(done, LedgerEntry.done_on > LedgerEntry.due_on)
    rows = session.execute(
        select(
            LedgerEntry.subject,
            func.count(),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((late, 1), else_=0)),
        )
        .join(Unit, Unit.code == LedgerEntry.unit_code)
        .where(LedgerEntry.kind == ObligationKind.DIRECTIVE.value, Unit.active.is_(True), inside)
        .group_by(LedgerEntry.subject)
    ).all()
    found = infos(session, (int(subject) for subject, *_ in rows))
    result = [
        Progress(found[int(subject)], units, int(n_done or 0), int(n_late or 0))
        for subject, units, n_done, n_late in rows
        if int(subject) in found
    ]
    if open_only:
        result = [p for p in result if p.open]
    return sorted(result, key=lambda p: (p.directive.due_on, p.directive.id))


@dataclass(frozen=True)
class UnitProgress:
    code: str
    name: str
    path: str
    done_on: date | None
    late: bool
    document_name: str | None


def units_of(session: Session, directive_id: int, scope_paths: Sequence[str]) -> list[UnitProgress]:
    """Each unit of the directive within `scope_paths`, in tree order, as the ledger has it."""
    inside = or_(*(Unit.path.startswith(p, autoescape=True) for p in scope_paths))
    rows = session.execute(
        select(
            Unit.code,
            Unit.name,
            Unit.path,
            LedgerEntry.resolution,
            LedgerEntry.done_on,
            LedgerEntry.due_on,
            DirectiveTarget.document_name,
        )
        .select_from(LedgerEntry)
        .join(Unit, Unit.code == LedgerEntry.unit_code)
        .outerjoin(
            DirectiveTarget,
            and_(
                DirectiveTarget.directive_id == directive_id,
                DirectiveTarget.unit_code == LedgerEntry.unit_code,
            ),
        )
        .where(
            LedgerEntry.kind == ObligationKind.DIRECTIVE.value,
            LedgerEntry.subject == str(directive_id),
            Unit.active.is_(True),
            inside,
        )
        .order_by(Unit.path)
    )
    result = []
    for code, name, path, resolution, done_on, due_on, document_name in rows:
        done = resolution == Resolution.DONE.value and done_on is not None
        result.append(
            UnitProgress(
                code,
                name,
                path,
                done_on if done else None,
                done and done_on is not None and done_on > due_on,
                document_name if done else None,
            )
        )
    return result
