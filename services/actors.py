"""Who is talking to the bot, and what part of the tree they may see.

Reading the actor runs on every update, so each process keeps actors for
`ACTOR_TTL_SECONDS` (`ActorCache`); a role change made by this process forgets the
person at once, one made elsewhere (the CLI, another instance) is seen within the
TTL. That is safe because nothing is written on the cached actor's word: every
use-case that writes re-reads the actor in its own transaction (`require_unit`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from cachetools import TTLCache

from domain.errors import UserInputError
from domain.org import UnitKind
from domain.roles import Action, Role, allowed
from domain.unit_names import NamedUnit, unit_label
from messages.render import error_text
from storage import audit, org_queries, people_queries
from storage.db import Database, Session

# Long enough that a busy secretary's dialog reads the database once, short enough
# that a role revoked by the CLI or another instance stops being shown quickly.
ACTOR_TTL_SECONDS = 30.0
ACTOR_CACHE_SIZE = 20_000
# The roles that keep a unit's own records (the unit itself, not its subtree).
UNIT_KEEPERS = frozenset({Role.SECRETARY, Role.DEPUTY})


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

    @property
    def audit_label(self) -> str:
        return audit.actor_label(self.telegram_user_id)

    def can_see(self, unit_path: str) -> bool:
        """True when the unit lies in the subtree of one of the actor's assignments."""
        return any(unit_path.startswith(s.unit_path) for s in self.scopes)

    def scopes_for(self, action: Action) -> tuple[Scope, ...]:
        """The assignments that grant `action`: their units bound what it may touch."""
        return tuple(s for s in self.scopes if allowed(action, {s.role}))

    def top_scopes(self, action: Action) -> tuple[Scope, ...]:
        """The scopes granting `action`, without those nested inside another (widest first)."""
        top: list[Scope] = []
        for scope in sorted(self.scopes_for(action), key=lambda s: len(s.unit_path)):
            if not any(scope.unit_path.startswith(t.unit_path) for t in top):
                top.append(scope)
        return tuple(top)

    def sees(self, action: Action, unit_path: str) -> bool:
        """Whether a scope granting `action` holds the unit at `unit_path`."""
        return any(unit_path.startswith(s.unit_path) for s in self.scopes_for(action))

    def keeps(self, action: Action, unit_code: str, unit_path: str) -> bool:
        """May the actor write `action`'s facts for this unit: as its secretary or
        deputy, or as an admin of a subtree that contains it."""
        return any(
            (s.role in UNIT_KEEPERS and s.unit_code == unit_code)
            or (s.role == Role.ADMIN and unit_path.startswith(s.unit_path))
            for s in self.scopes_for(action)
        )


class ScopeLost(UserInputError):
    """The actor no longer holds the role this step or write needs."""

    def __init__(self) -> None:
        super().__init__(error_text("scope_lost"))


def actor_in(session: Session, telegram_user_id: int) -> Actor | None:
    """The actor as the database says now, inside the caller's transaction."""
    rows = people_queries.assigned_roles(session, telegram_user_id)
    if not rows:
        return None  # a stranger, or a person without any role
    scopes = tuple(
        Scope(
            r.role,
            r.unit_code,
            r.unit_name,
            r.unit_kind,
            r.unit_path,
            r.parent_name,
            r.name_repeats,
        )
        for r in sorted(rows, key=lambda r: (r.unit_path, r.role.value))
    )
    first = rows[0]
    return Actor(first.person_id, telegram_user_id, first.full_name, first.locale, scopes)


def load_actor(db: Database, telegram_user_id: int) -> Actor | None:
    """The person and their role assignments, in one query."""
    with db.transaction() as session:
        return actor_in(session, telegram_user_id)


def require_unit(session: Session, actor: Actor, action: Action, unit_code: str) -> Actor:
    """The actor re-read in the writing transaction, if it still keeps `unit_code` for
    `action`; else ScopeLost. Write use-cases call this before they write."""
    fresh = actor_in(session, actor.telegram_user_id)
    unit = org_queries.unit(session, unit_code)
    if fresh is None or unit is None or not unit.active:
        raise ScopeLost()
    if not fresh.keeps(action, unit.code, unit.path):
        raise ScopeLost()
    return fresh


def holds(session: Session, person_id: int, action: Action, unit_path: str) -> bool:
    """Whether the person holds, now, a role granting `action` over the unit at `unit_path`."""
    rows = people_queries.held_paths(session, person_id)
    return any(allowed(action, {role}) and unit_path.startswith(path) for role, path in rows)


def keeps_unit(db: Database, actor: Actor, action: Action, unit_code: str) -> bool:
    """`Actor.keeps` for a unit known by code (an admin's needs the unit's path)."""
    for scope in actor.scopes_for(action):
        if scope.role in UNIT_KEEPERS and scope.unit_code == unit_code:
            return True
    if Role.ADMIN not in actor.roles:
        return False
    with db.transaction() as session:
        unit = org_queries.unit(session, unit_code)
        return unit is not None and unit.active and actor.keeps(action, unit.code, unit.path)


def admin_scope(db: Database, actor: Actor, unit_code: str) -> Scope | None:
    """An admin acting for one unit of their subtree, as if its secretary."""
    if Role.ADMIN not in actor.roles:
        return None
    with db.transaction() as session:
        unit = org_queries.unit(session, unit_code)
        if unit is None or not unit.active:
            return None
        admin_units = [s.unit_path for s in actor.scopes if s.role == Role.ADMIN]
        if not any(unit.path.startswith(path) for path in admin_units):
            return None
        named = org_queries.named_units(session, [unit.code])[unit.code]
        return Scope(
            Role.ADMIN,
            unit.code,
            unit.name,
            unit.kind,
            unit.path,
            named.parent_name,
            named.repeated,
        )


class ActorCache:
    """Actors by Telegram user id, for `ttl` seconds; strangers are never cached (so one
    who redeems an invite on another instance is known at once)."""

    def __init__(self, ttl: float = ACTOR_TTL_SECONDS, size: int = ACTOR_CACHE_SIZE) -> None:
        self._actors: TTLCache[int, Actor] = TTLCache(maxsize=size, ttl=ttl)
        self._lock = threading.Lock()  # worker threads forget, the event loop reads

    def get(self, telegram_user_id: int) -> Actor | None:
        with self._lock:
            return self._actors.get(telegram_user_id)

    def put(self, actor: Actor) -> None:
        with self._lock:
            self._actors[actor.telegram_user_id] = actor

    def forget(self, *telegram_user_ids: int) -> None:
        """Drop these people (all, when none is given): their roles changed here."""
        with self._lock:
            if not telegram_user_ids:
                self._actors.clear()
            for user_id in telegram_user_ids:
                self._actors.pop(user_id, None)
