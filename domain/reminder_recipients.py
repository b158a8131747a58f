"""Who receives a unit's reminders and escalations, given who holds which role.

The rule itself is `domain.stand_in`; this module indexes the role holders the
planner reads (storage.reminder_queries) by unit, and finds the cluster officers
over a unit by its path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain import stand_in
from domain.roles import Role


@dataclass(frozen=True)
class Recipient:
    person_id: int
    chat_id: int
    full_name: str
    locale: str | None
    away_until: date | None
    unreachable: bool

    def away(self, today: date) -> bool:
        return stand_in.is_away(self, today)


@dataclass(frozen=True)
class RoleHolder:
    """One role assignment: a secretary, deputy or cluster officer, and of which unit."""

    role: Role
    unit_code: str
    unit_path: str
    person: Recipient


@dataclass
class ReminderPeople:
    by_unit: dict[str, dict[Role, list[Recipient]]]
    officers: dict[str, list[Recipient]]  # unit path of the assignment → officers

    @classmethod
    def of(cls, holders: Iterable[RoleHolder]) -> ReminderPeople:
        people = cls(defaultdict(lambda: defaultdict(list)), defaultdict(list))
        for h in holders:
            if h.role == Role.CLUSTER_OFFICER:
                people.officers[h.unit_path].append(h.person)
            else:
                people.by_unit[h.unit_code][h.role].append(h.person)
        return people

    def for_unit(self, code: str, today: date) -> tuple[list[Recipient], list[Recipient]]:
        """(recipients, secretaries they stand in for): the rule of domain.stand_in."""
        roles = self.by_unit.get(code, {})
        return stand_in.reminded(roles.get(Role.SECRETARY, []), roles.get(Role.DEPUTY, []), today)

    def officers_over(self, path: str, today: date) -> list[Recipient]:
        found: list[Recipient] = []
        prefix = ""
        for part in path.strip("/").split("/"):
            prefix = f"{prefix}/{part}" if prefix else f"/{part}"
            found += self.officers.get(prefix + "/", [])
        return stand_in.escalated_to(found, today)
