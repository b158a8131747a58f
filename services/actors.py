"""Who is talking to the bot, and what part of the tree they may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from domain.org import UnitKind
from domain.roles import Action, Role, allowed
from domain.unit_names import NamedUnit, unit_label
from services.org import named_units
from storage.db import Database
from storage.models import Person, RoleAssignment, Unit


@dataclass(frozen=True)
class Scope:
    role: Role
    unit_code: str
    unit_name: str
    unit_kind: UnitKind
    unit_path: str
    parent_name: str | None = None
    name_repeats: bool = False  # another unit of the tree has the same name

    @property
    def named(self) -> NamedUnit:
        return NamedUnit(self.unit_code, self.unit_name, self.parent_name, self.name_repeats)

    @property
    def unit_label(self) -> str:
        """The unit as texts name it (domain.unit_names): told apart from its namesakes."""
        return unit_label(self.named)


@dataclass(frozen=True)
class Actor:
    person_id: int
    telegram_user_id: int
    full_name: str
    locale: str | None
    scopes: tuple[Scope, ...]

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(s.role for s in self.scopes)

    def may(self, action: Action) -> bool:
        return allowed(action, self.roles)

    def can_see(self, unit_path: str) -> bool:
        """True when the unit lies in the subtree of one of the actor's assignments."""
        return any(unit_path.startswith(s.unit_path) for s in self.scopes)

    def scopes_for(self, action: Action) -> tuple[Scope, ...]:
        """The assignments that grant `action`: their units bound what it may touch."""
        return tuple(s for s in self.scopes if allowed(action, {s.role}))


_Parent = aliased(Unit)
_Namesake = aliased(Unit)


def load_actor(db: Database, telegram_user_id: int) -> Actor | None:
    """The person and their role assignments, in one query (it runs on every update)."""
    namesake = exists().where(
        _Namesake.name_folded == Unit.name_folded,
        _Namesake.code != Unit.code,
        _Namesake.active.is_(True),
    )
    with db.transaction() as session:
        rows = session.execute(
            select(
                Person.id,
                Person.full_name,
                Person.locale,
                RoleAssignment.role,
                Unit.code,
                Unit.name,
                Unit.kind,
                Unit.path,
                _Parent.name,
                namesake,
            )
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)
            .join(Unit, Unit.code == RoleAssignment.unit_code)
            .outerjoin(_Parent, _Parent.code == Unit.parent_code)
            .where(Person.telegram_user_id == telegram_user_id)
        ).all()
    if not rows:
        return None  # a stranger, or a person without any role
    scopes = tuple(
        Scope(role, code, name, kind, path, parent, bool(repeats))
        for _, _, _, role, code, name, kind, path, parent, repeats in sorted(
            rows, key=lambda r: (r[7], r[3].value)
        )
    )
    person_id, full_name, locale = rows[0][:3]
    return Actor(person_id, telegram_user_id, full_name, locale, scopes)


def admin_scope(db: Database, actor: Actor, unit_code: str) -> Scope | None:
    """An admin acting for one unit of their subtree, as if its secretary."""
    if Role.ADMIN not in actor.roles:
        return None
    with db.transaction() as session:
        unit = session.get(Unit, unit_code)
        if unit is None or not unit.active:
            return None
        admin_units = [s.unit_path for s in actor.scopes if s.role == Role.ADMIN]
        if not any(unit.path.startswith(path) for path in admin_units):
            return None
        named = named_units(session, [unit.code])[unit.code]
        return Scope(
            Role.ADMIN,
            unit.code,
            unit.name,
            unit.kind,
            unit.path,
            named.parent_name,
            named.repeated,
        )
