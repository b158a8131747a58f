"""Who is talking to the bot, and what part of the tree they may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from domain.org import UnitKind
from domain.roles import Action, Role, allowed
from storage.db import Database
from storage.models import Person, Unit


@dataclass(frozen=True)
class Scope:
    role: Role
    unit_code: str
    unit_name: str
    unit_kind: UnitKind
    unit_path: str


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


def load_actor(db: Database, telegram_user_id: int) -> Actor | None:
    with db.transaction() as session:
        person = session.scalar(select(Person).where(Person.telegram_user_id == telegram_user_id))
        if person is None or not person.roles:
            return None
        scopes = tuple(
            Scope(r.role, r.unit.code, r.unit.name, r.unit.kind, r.unit.path)
            for r in sorted(person.roles, key=lambda r: (r.unit.path, r.role.value))
        )
        return Actor(person.id, person.telegram_user_id, person.full_name, person.locale, scopes)


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
        return Scope(Role.ADMIN, unit.code, unit.name, unit.kind, unit.path)
