"""Who receives a unit's messages: its secretaries and deputies, a cluster's officers.

`domain.stand_in` decides which of them get a message (a secretary away or
unreachable is stood in for by a deputy); this module only reads them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.roles import Role
from storage.models import Person, RoleAssignment


@dataclass(frozen=True)
class Keeper:
    person_id: int
    chat_id: int
    full_name: str
    locale: str | None
    away_until: date | None
    unreachable: bool


@dataclass
class UnitKeepers:
    secretaries: list[Keeper]
    deputies: list[Keeper]


_COLUMNS = (
    RoleAssignment.unit_code,
    RoleAssignment.role,
    Person.id,
    Person.telegram_user_id,
    Person.full_name,
    Person.locale,
    Person.away_until,
    Person.unreachable_since,
)


def unit_keepers(session: Session, codes: Collection[str]) -> dict[str, UnitKeepers]:
    """Secretaries and deputies of each unit (units without any are absent)."""
    found: dict[str, UnitKeepers] = defaultdict(lambda: UnitKeepers([], []))
    if not codes:
        return {}
    rows = session.execute(
        select(*_COLUMNS)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(
            RoleAssignment.unit_code.in_(sorted(codes)),
            RoleAssignment.role.in_((Role.SECRETARY, Role.DEPUTY)),
        )
        .order_by(Person.id)
    )
    for code, role, pid, chat, name, locale, away, unreachable in rows:
        keeper = Keeper(pid, chat, name, locale, away, unreachable is not None)
        group = found[code]
        (group.secretaries if role == Role.SECRETARY else group.deputies).append(keeper)
    return dict(found)


def officers_of(session: Session, cluster_code: str) -> list[Keeper]:
    """The cluster officers of one cluster."""
    rows = session.execute(
        select(*_COLUMNS)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(
            RoleAssignment.unit_code == cluster_code,
            RoleAssignment.role == Role.CLUSTER_OFFICER,
        )
        .order_by(Person.id)
    )
    return [
        Keeper(pid, chat, name, locale, away, unreachable is not None)
        for _, _, pid, chat, name, locale, away, unreachable in rows
    ]
