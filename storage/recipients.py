"""Who receives a unit's messages about a directive or a cluster meeting: its
secretaries and deputies.

`domain.stand_in` decides which of them get a message (a secretary away or
unreachable is stood in for by a deputy); this module only reads them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.reminder_recipients import Recipient
from domain.roles import Role
from storage.columns import PERSON_COLUMNS, recipient_of
from storage.models import Person, RoleAssignment


@dataclass
class UnitRecipients:
    secretaries: list[Recipient]
    deputies: list[Recipient]


_COLUMNS = (RoleAssignment.unit_code, RoleAssignment.role, *PERSON_COLUMNS)


def unit_keepers(session: Session, codes: Collection[str]) -> dict[str, UnitRecipients]:
    """Secretaries and deputies of each unit (units without any are absent)."""
    found: dict[str, UnitRecipients] = defaultdict(lambda: UnitRecipients([], []))
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
    for code, role, *person in rows:
        keeper = recipient_of(person)
        group = found[code]
        (group.secretaries if role == Role.SECRETARY else group.deputies).append(keeper)
    return dict(found)
