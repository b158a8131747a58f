"""Admissions' reads: the base organisations with their members and targets, and the
entries of a year."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from domain.org import REPORTING_KINDS, UnitKind
from storage.models import AdmissionEntry, Unit


def entry(session: Session, entry_id: int) -> AdmissionEntry | None:
    return session.get(AdmissionEntry, entry_id)


def entries_of(session: Session, unit_code: str, first: date, last: date) -> list[AdmissionEntry]:
    """The unit's entries dated `first` to `last`, newest first."""
    query = (
        select(AdmissionEntry)
        .where(
            AdmissionEntry.unit_code == unit_code,
            AdmissionEntry.on_date >= first,
            AdmissionEntry.on_date <= last,
        )
        .order_by(AdmissionEntry.on_date.desc(), AdmissionEntry.id.desc())
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class AdmittingUnit:
    code: str
    kind: UnitKind
    members: int | None
    cell_members: int | None  # the members of its active sub-cells, summed
    target: int | None  # the admission target the org file set, if any


def admitting_units(
    session: Session, scope_path: str, only: str | None = None
) -> list[AdmittingUnit]:
    """The active base organisations under `scope_path` (or `only`), in tree order."""
    child = aliased(Unit)
    sub_members = (
        select(func.sum(child.members))
        .where(child.parent_code == Unit.code, child.active.is_(True))
        .scalar_subquery()
    )
    query = (
        select(Unit.code, Unit.kind, Unit.members, sub_members, Unit.admission_target)
        .where(
            Unit.path.startswith(scope_path, autoescape=True),
            Unit.active.is_(True),
            Unit.kind.in_(sorted(REPORTING_KINDS)),
        )
        .order_by(Unit.path)
    )
    if only is not None:
        query = query.where(Unit.code == only)
    return [
        AdmittingUnit(code, kind, own, int(cells) if cells is not None else None, target)
        for code, kind, own, cells, target in session.execute(query)
    ]


def counts_by_kind(
    session: Session, scope_path: str, first: date, last: date
) -> dict[str, list[tuple[str, int]]]:
    """Per unit under `scope_path`: (kind, how many admitted) over `first` to `last`."""
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for code, kind, count in session.execute(
        select(AdmissionEntry.unit_code, AdmissionEntry.kind, func.sum(AdmissionEntry.count))
        .join(Unit, Unit.code == AdmissionEntry.unit_code)
        .where(
            Unit.path.startswith(scope_path, autoescape=True),
            AdmissionEntry.on_date >= first,
            AdmissionEntry.on_date <= last,
        )
        .group_by(AdmissionEntry.unit_code, AdmissionEntry.kind)
    ):
        found[code].append((kind, int(count)))
    return found
