"""Organisation use-cases: import the tree from CSV, read it back."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.org import UnitKind, UnitRow, fold, parse_org_csv, tree_path
from domain.policy import Policy
from domain.unit_names import unit_label
from services import ledger
from storage import audit, org_queries
from storage.db import Database
from storage.models import Unit

DEMO_ACTOR = "demo"


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    total_units: int


def import_org(
    db: Database, text: str, *, now: datetime, actor: str, policy: Policy
) -> ImportResult:
    """Upsert units by code. Validates the whole file first: a bad file writes nothing."""
    with db.transaction() as session:
        existing = org_queries.all_units(session)
        paths_before = {code: u.path for code, u in existing.items()}
        rows = parse_org_csv(text, {code: u.kind for code, u in existing.items()})
        created = updated = 0
        changed: list[str] = []
        for row in _parents_first(rows, existing):
            parent_path = _path_of(row.parent, existing)
            values = _values(row, parent_path)
            unit = existing.get(row.code)
            if unit is None:
                unit = Unit(code=row.code, updated_at=now, **values)
                session.add(unit)
                existing[row.code] = unit
                created += 1
                changed.append(row.code)
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="create",
                    entity="unit",
                    key=row.code,
                    new=_public(values),
                )
                continue
            old = {k: getattr(unit, k) for k in values}
            if old == values:
                continue
            for k, v in values.items():
                setattr(unit, k, v)
            unit.updated_at = now
            updated += 1
            changed.append(row.code)
            audit.record(
                session,
                at=now,
                actor=actor,
                action="update",
                entity="unit",
                key=row.code,
                old=_public(old),
                new=_public(values),
            )
        session.flush()
        _refresh_moved_subtrees(existing)
        # A new unit, or one whose kind or state changed, owes different duties; a moved
        # one (with all below it) is counted under its new parents.
        moved = [code for code, u in existing.items() if paths_before.get(code, u.path) != u.path]
        ledger.refresh_units(session, policy, now, {*changed, *moved})
        total = len(existing)
    return ImportResult(created, updated, len(rows) - created - updated, total)


class RealDataPresent(Exception):
    """The database holds units or people of its own: demo data must not mix with them."""

    def __init__(self, people: int, own_units: int) -> None:
        super().__init__(f"{people} people, {own_units} units outside the demo")
        self.people = people
        self.own_units = own_units


def load_demo(db: Database, text: str, *, now: datetime, policy: Policy) -> ImportResult:
    """Import the demo bloc, only into a database that has no one and nothing else.

    Demo units cannot be told apart from real ones later, and nothing removes them,
    so they never go where real data is (or may come from) people already bound.
    """
    demo_codes = {r.code for r in parse_org_csv(text)}
    with db.transaction() as session:
        people = org_queries.people_count(session)
        own_units = org_queries.units_outside(session, demo_codes)
    if people or own_units:
        raise RealDataPresent(people, own_units)
    return import_org(db, text, now=now, actor=DEMO_ACTOR, policy=policy)


def _values(row: UnitRow, parent_path: str | None) -> dict[str, Any]:
    values = {
        "name": row.name,
        "name_folded": fold(row.name),
        "kind": row.kind,
        "parent_code": row.parent,
        "path": tree_path(row.code, parent_path),
        "members": row.members,
        "active": True,
    }
    if row.has_admission_target:  # a file without the column keeps the targets set before
        values["admission_target"] = row.admission_target
    return values


def _public(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.value if isinstance(v, UnitKind) else v)
        for k, v in values.items()
        if k not in ("name_folded", "path")
    }


def _path_of(code: str | None, units: dict[str, Unit]) -> str | None:
    return units[code].path if code is not None else None


def _parents_first(rows: Sequence[UnitRow], existing: dict[str, Unit]) -> list[UnitRow]:
    """Order rows so each parent's path is known before its children are written."""
    by_code = {r.code: r for r in rows}
    ordered: list[UnitRow] = []
    placed: set[str] = set()

    def place(row: UnitRow) -> None:
        if row.code in placed:
            return
        if row.parent in by_code:
            place(by_code[row.parent])
        placed.add(row.code)
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def _refresh_moved_subtrees(units: dict[str, Unit]) -> None:
    """A unit moved under a new parent carries its untouched descendants along."""
    children: dict[str | None, list[Unit]] = {}
    for unit in units.values():
        children.setdefault(unit.parent_code, []).append(unit)

    def walk(parent: Unit) -> None:
        for child in children.get(parent.code, []):
            expected = tree_path(child.code, parent.path)
            if child.path != expected:
                child.path = expected
            walk(child)

    for root in children.get(None, []):
        walk(root)


@dataclass(frozen=True)
class UnitView:
    code: str
    name: str
    kind: str
    parent: str | None
    members: int | None
    depth: int


def list_subtree(db: Database, code: str | None = None) -> list[UnitView]:
    """The unit and everything under it (the whole tree when code is None), in tree order."""
    with db.transaction() as session:
        under = None
        if code is not None:
            root = org_queries.unit(session, code)
            if root is None:
                raise LookupError(code)
            under = root.path
        units = org_queries.active_units(session, under=under)
    return [
        UnitView(u.code, u.name, u.kind.value, u.parent_code, u.members, u.path.count("/") - 2)
        for u in units
    ]


# ---------------------------------------------------------------------------
# Names that tell units apart (domain.unit_names)


def unit_labels(
    db: Database,
    codes: Collection[str],
    *,
    scope_path: str = "/",
    with_code: bool | None = None,
) -> dict[str, str]:
    """How texts name these units, told apart from namesakes under `scope_path`."""
    if not codes:
        return {}
    with db.transaction() as session:
        named = org_queries.named_units(session, codes, scope_path=scope_path)
    return {code: unit_label(unit, with_code=with_code) for code, unit in named.items()}
