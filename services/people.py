"""People and their roles: list them, take a role away, move it to another unit.

For the office admin (`chibo person list`, `chibo role revoke|move`) and for admins
in the bot (`/people`, `/role`). Every change is in the audit trail (entity
`role_assignment`, key `PERSON_ID:ROLE:UNIT`, old and new unit). An admin in the
bot acts within their subtree (`within`); the CLI passes no bound.

A role taken away stops working at once in this process (the caller forgets the
actor, services.actors.ActorCache) and within the cache's TTL elsewhere; nothing
is written on the old role meanwhile, since every write re-reads the actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.org import UnitKind
from domain.roles import Role
from messages.render import error_text
from storage import audit, org_queries, people_queries
from storage.db import Database, Session
from storage.models import Person, RoleAssignment, Unit


class PeopleError(LookupError):
    """A person, role or unit that does not exist or is out of bounds; the text says which."""


@dataclass(frozen=True)
class Held:
    role: Role
    unit_code: str
    unit_name: str
    unit_kind: UnitKind | None = None  # the title follows the unit ("Bí thư đảng ủy")


@dataclass(frozen=True)
class PersonView:
    id: int
    telegram_user_id: int
    full_name: str
    username: str | None
    roles: tuple[Held, ...]


@dataclass(frozen=True)
class RoleChange:
    person_id: int
    telegram_user_id: int
    full_name: str
    role: Role
    old_unit: str
    new_unit: str | None  # None: revoked


def list_people(
    db: Database, unit_code: str | None = None, *, within: tuple[str, ...] | None = None
) -> list[PersonView]:
    """People holding a role in the subtree of `unit_code` (everyone with a role if None),
    with their roles there; an admin in the bot sees only the subtrees `within`."""
    with db.transaction() as session:
        under = None
        if unit_code is not None:
            unit = _unit(session, unit_code)
            _check_within(unit, within)
            under = unit.path
        found: dict[int, tuple[Person, list[Held]]] = {}
        for person, role, code, name, kind in people_queries.roles_listing(session, under, within):
            found.setdefault(person.id, (person, []))[1].append(Held(role, code, name, kind))
    return [
        PersonView(p.id, p.telegram_user_id, p.full_name, p.username, tuple(held))
        for p, held in found.values()
    ]


def revoke_role(
    db: Database,
    *,
    person_id: int,
    role: Role,
    unit_code: str,
    now: datetime,
    actor: str,
    actor_person_id: int | None = None,
    within: tuple[str, ...] | None = None,
) -> RoleChange:
    """Take `role` in `unit_code` away from the person (audited)."""
    with db.transaction() as session:
        assignment, person, unit = _assignment(session, person_id, role, unit_code)
        _check_within(unit, within)
        session.delete(assignment)
        audit.record(
            session,
            at=now,
            actor=actor,
            actor_person_id=actor_person_id,
            action="revoke",
            entity="role_assignment",
            key=f"{person.id}:{role.value}:{unit.code}",
            old={"role": role.value, "unit": unit.code},
        )
        return RoleChange(
            person.id, person.telegram_user_id, person.full_name, role, unit.code, None
        )


def move_role(
    db: Database,
    *,
    person_id: int,
    role: Role,
    from_unit: str,
    to_unit: str,
    now: datetime,
    actor: str,
    actor_person_id: int | None = None,
    within: tuple[str, ...] | None = None,
) -> RoleChange:
    """Move the person's `role` from one unit to another, in one transaction (audited)."""
    with db.transaction() as session:
        assignment, person, old = _assignment(session, person_id, role, from_unit)
        new = _unit(session, to_unit)
        if not new.active:
            raise PeopleError(error_text("people_unit_inactive", code=to_unit))
        _check_within(old, within)
        _check_within(new, within)
        if any(r.role == role and r.unit_code == new.code for r in person.roles):
            raise PeopleError(error_text("people_role_taken", role=role.value, code=new.code))
        assignment.unit_code = new.code
        audit.record(
            session,
            at=now,
            actor=actor,
            actor_person_id=actor_person_id,
            action="move",
            entity="role_assignment",
            key=f"{person.id}:{role.value}:{old.code}",
            old={"role": role.value, "unit": old.code},
            new={"role": role.value, "unit": new.code},
        )
        return RoleChange(
            person.id, person.telegram_user_id, person.full_name, role, old.code, new.code
        )


def _unit(session: Session, code: str) -> Unit:
    unit = org_queries.unit(session, code)
    if unit is None:
        raise PeopleError(error_text("people_unit_unknown", code=code))
    return unit


def _assignment(
    session: Session, person_id: int, role: Role, unit_code: str
) -> tuple[RoleAssignment, Person, Unit]:
    person = people_queries.person(session, person_id)
    if person is None:
        raise PeopleError(error_text("people_person_unknown", person_id=person_id))
    unit = _unit(session, unit_code)
    for assignment in person.roles:
        if assignment.role == role and assignment.unit_code == unit.code:
            return assignment, person, unit
    raise PeopleError(
        error_text("people_role_not_held", name=person.full_name, role=role.value, code=unit.code)
    )


def _check_within(unit: Unit, within: tuple[str, ...] | None) -> None:
    if within is not None and not any(unit.path.startswith(path) for path in within):
        raise PeopleError(error_text("people_unit_out_of_scope", code=unit.code))
