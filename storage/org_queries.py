"""The organisation tree's reads: units by code, subtrees, and the names that tell units apart."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from domain.org import UnitKind
from domain.unit_names import NamedUnit
from storage.models import Person, Unit

_IN_SQL = 2000  # codes per IN (...) list


def unit(session: Session, code: str) -> Unit | None:
    return session.get(Unit, code)


def all_units(session: Session) -> dict[str, Unit]:
    """Every unit, active or not, by code (the import compares the file with them)."""
    return {u.code: u for u in session.scalars(select(Unit))}


def unit_kinds(session: Session) -> dict[str, UnitKind]:
    """Every unit's kind by code."""
    return {code: kind for code, kind in session.execute(select(Unit.code, Unit.kind))}


def root_code(session: Session) -> str | None:
    """The active unit without a parent: the bloc."""
    return session.scalar(
        select(Unit.code).where(Unit.parent_code.is_(None), Unit.active.is_(True))
    )


def path_of(session: Session, code: str) -> str | None:
    return session.scalar(select(Unit.path).where(Unit.code == code))


def active_units(
    session: Session, *, under: str | None = None, kinds: Collection[UnitKind] | None = None
) -> list[Unit]:
    """The active units (under the path `under`, of `kinds`), in tree order."""
    query = select(Unit).where(Unit.active.is_(True)).order_by(Unit.path)
    if under is not None:
        query = query.where(Unit.path.startswith(under, autoescape=True))
    if kinds is not None:
        query = query.where(Unit.kind.in_(sorted(kinds)))
    return list(session.scalars(query))


def active_codes(session: Session, kinds: Collection[UnitKind]) -> list[str]:
    """The codes of the active units of `kinds`, in tree order."""
    query = select(Unit.code).where(Unit.active.is_(True), Unit.kind.in_(sorted(kinds)))
    return list(session.scalars(query.order_by(Unit.path)))


@dataclass(frozen=True)
class FoundUnit:
    code: str
    name: str
    kind: UnitKind
    path: str


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(session: Session, needle: str, within_paths: Sequence[str]) -> list[FoundUnit]:
    """The active units under one of `within_paths` whose folded name or code contains
    `needle` (folded already), in tree order."""
    visible = or_(*(Unit.path.startswith(p, autoescape=True) for p in within_paths))
    matches = or_(
        Unit.name_folded.contains(needle, autoescape=True),
        Unit.code.ilike(f"%{_escape_like(needle)}%", escape="\\"),
    )
    query = (
        select(Unit.code, Unit.name, Unit.kind, Unit.path)
        .where(visible, matches, Unit.active.is_(True))
        .order_by(Unit.path)
    )
    return [FoundUnit(*row) for row in session.execute(query)]


def active_of_kind(session: Session, kind: UnitKind) -> list[FoundUnit]:
    """The active units of `kind`, in tree order."""
    query = (
        select(Unit.code, Unit.name, Unit.kind, Unit.path)
        .where(Unit.kind == kind, Unit.active.is_(True))
        .order_by(Unit.path)
    )
    return [FoundUnit(*row) for row in session.execute(query)]


def sizes(session: Session, kinds: Collection[UnitKind]) -> list[tuple[str, UnitKind, int | None]]:
    """(code, kind, members) of the active units of `kinds`, in tree order."""
    query = (
        select(Unit.code, Unit.kind, Unit.members)
        .where(Unit.active.is_(True), Unit.kind.in_(kinds))
        .order_by(Unit.path)
    )
    return [(code, kind, members) for code, kind, members in session.execute(query)]


def people_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0


def units_outside(session: Session, codes: Collection[str]) -> int:
    """How many units have a code not in `codes`."""
    query = select(func.count()).select_from(Unit).where(Unit.code.not_in(codes))
    return session.scalar(query) or 0


def named_units(
    session: Session, codes: Collection[str] | None = None, *, scope_path: str = "/"
) -> dict[str, NamedUnit]:
    """The units (all when `codes` is None) with their parent's name, each marked
    `repeated` when another active unit under `scope_path` has the same name."""
    repeated = set(
        session.scalars(
            select(Unit.name_folded)
            .where(Unit.path.startswith(scope_path, autoescape=True), Unit.active.is_(True))
            .group_by(Unit.name_folded)
            .having(func.count() > 1)
        )
    )
    parent = aliased(Unit)
    query = select(Unit.code, Unit.name, Unit.name_folded, parent.name).outerjoin(
        parent, parent.code == Unit.parent_code
    )
    wanted = None if codes is None else sorted(set(codes))
    chunks = (
        [None]
        if wanted is None
        else [wanted[i : i + _IN_SQL] for i in range(0, len(wanted), _IN_SQL)]
    )
    found: dict[str, NamedUnit] = {}
    for chunk in chunks:
        rows = session.execute(query if chunk is None else query.where(Unit.code.in_(chunk)))
        for code, name, folded, parent_name in rows:
            found[code] = NamedUnit(code, name, parent_name, folded in repeated)
    return found
