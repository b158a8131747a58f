"""People and their role assignments: by Telegram id, a unit's role holders, cluster officers."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import Session, aliased

from domain.org import UnitKind
from domain.reminder_recipients import Recipient
from domain.roles import Role
from storage.columns import PERSON_COLUMNS, recipient_of
from storage.models import Person, RoleAssignment, Unit


def person(session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id)


def by_telegram_id(session: Session, telegram_user_id: int) -> Person | None:
    return session.scalar(select(Person).where(Person.telegram_user_id == telegram_user_id))


def holders(session: Session, unit_code: str, roles: Sequence[Role]) -> dict[Role, list[Recipient]]:
    """The unit's holders of each of `roles` (an empty list for a role nobody holds)."""
    rows = session.execute(
        select(RoleAssignment.role, *PERSON_COLUMNS)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(RoleAssignment.unit_code == unit_code, RoleAssignment.role.in_(roles))
        .order_by(Person.id)
    )
    found: dict[Role, list[Recipient]] = {role: [] for role in roles}
    for role, *person in rows:
        found[role].append(recipient_of(person))
    return found


def officers_over(session: Session, unit_path: str) -> list[Recipient]:
    """The cluster officers whose cluster holds the unit at `unit_path`."""
    rows = session.execute(
        select(Unit.path, *PERSON_COLUMNS)
        .join(RoleAssignment, RoleAssignment.unit_code == Unit.code)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(RoleAssignment.role == Role.CLUSTER_OFFICER)
        .order_by(Person.id)
    )
    return [recipient_of(person) for path, *person in rows if unit_path.startswith(path)]


@dataclass(frozen=True)
class AssignedRole:
    """One of a person's role assignments, with what texts need of its unit."""

    person_id: int
    full_name: str
    locale: str | None
    role: Role
    unit_code: str
    unit_name: str
    unit_kind: UnitKind
    unit_path: str
    parent_name: str | None
    name_repeats: bool  # another active unit has the same name


_Parent = aliased(Unit)
_Namesake = aliased(Unit)

# Built once (this runs on every update): the person and their role assignments with their
# units (the parent's name, and whether another unit has the same name), in one query.
_ASSIGNED_ROLES = (
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
        exists().where(
            _Namesake.name_folded == Unit.name_folded,
            _Namesake.code != Unit.code,
            _Namesake.active.is_(True),
        ),
    )
    .join(RoleAssignment, RoleAssignment.person_id == Person.id)
    .join(Unit, Unit.code == RoleAssignment.unit_code)
    .outerjoin(_Parent, _Parent.code == Unit.parent_code)
    .where(Person.telegram_user_id == bindparam("user_id"))
)


def assigned_roles(session: Session, telegram_user_id: int) -> list[AssignedRole]:
    """The person's role assignments (none for a stranger or a person without a role)."""
    rows = session.execute(_ASSIGNED_ROLES, {"user_id": telegram_user_id})
    return [AssignedRole(*row[:9], bool(row[9])) for row in rows]


_HELD_PATHS = (
    select(RoleAssignment.role, Unit.path)
    .join(Unit, Unit.code == RoleAssignment.unit_code)
    .where(RoleAssignment.person_id == bindparam("person_id"), Unit.active.is_(True))
)


def held_paths(session: Session, person_id: int) -> list[tuple[Role, str]]:
    """The person's roles with the paths of their active units."""
    return [(role, path) for role, path in session.execute(_HELD_PATHS, {"person_id": person_id})]


def roles_listing(
    session: Session, under: str | None, within: Sequence[str] | None
) -> list[tuple[Person, Role, str, str, UnitKind]]:
    """Every role assignment (under the path `under`, inside one of `within`) with its
    person and unit's code, name and kind; in tree order, then by role and person."""
    query = (
        select(Person, RoleAssignment.role, Unit.code, Unit.name, Unit.kind)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .join(Unit, Unit.code == RoleAssignment.unit_code)
        .order_by(Unit.path, RoleAssignment.role, Person.id)
    )
    if under is not None:
        query = query.where(Unit.path.startswith(under))
    if within is not None:
        query = query.where(or_(*(Unit.path.startswith(path) for path in within)))
    return [
        (person, role, code, name, kind)
        for person, role, code, name, kind in session.execute(query)
    ]


def reachable_keepers(
    session: Session, roles: Collection[Role], kinds: Collection[UnitKind]
) -> list[tuple[int, int, str | None, str]]:
    """(person id, chat id, locale, unit code) of each holder of `roles` over an active
    unit of `kinds`; people Telegram reported unreachable are left out."""
    query = (
        select(Person.id, Person.telegram_user_id, Person.locale, RoleAssignment.unit_code)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .join(Unit, Unit.code == RoleAssignment.unit_code)
        .where(
            RoleAssignment.role.in_(roles),
            Unit.kind.in_(sorted(kinds)),
            Unit.active.is_(True),
            Person.unreachable_since.is_(None),
        )
    )
    return [(pid, chat, locale, code) for pid, chat, locale, code in session.execute(query)]
