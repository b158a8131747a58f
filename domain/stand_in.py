"""Who is reminded of a unit's duties when its secretary is away or cannot be reached.

One rule, read by the reminder planner (scheduler/planner.py) and by `/away`, which
tells the secretary beforehand exactly what will happen:

- a secretary present and reachable gets the reminders;
- otherwise the unit's deputies who are not away get them, with a line saying for
  whom; an unreachable secretary is still tried, so unblocking heals by itself;
- with no deputy to stand in, the secretaries are still reminded, away or not
  (nobody else would be), and `/away` tells the cluster officer;
- escalations go to the cluster officers over the unit who are not away, or to all
  of them when every one is away (a list must not go nowhere).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol, TypeVar


class Member(Protocol):
    @property
    def person_id(self) -> int: ...

    @property
    def away_until(self) -> date | None: ...

    @property
    def unreachable(self) -> bool: ...


M = TypeVar("M", bound=Member)


def is_away(member: Member, today: date) -> bool:
    return member.away_until is not None and member.away_until >= today


def reminded(
    secretaries: Sequence[M], deputies: Sequence[M], today: date
) -> tuple[list[M], list[M]]:
    """(who gets the unit's reminders, the secretaries they stand in for)."""
    present = [s for s in secretaries if not is_away(s, today)]
    if any(not s.unreachable for s in present):
        return present, []
    standing_in = [d for d in deputies if not is_away(d, today)]
    if not standing_in:
        return unique([*present, *secretaries]), []
    absent = [s for s in secretaries if s not in present or s.unreachable]
    return unique([*present, *standing_in]), absent


def escalated_to(officers: Sequence[M], today: date) -> list[M]:
    """The cluster officers who get a unit's escalations."""
    present = [o for o in officers if not is_away(o, today)]
    return unique(present or officers)


def unique(people: Iterable[M]) -> list[M]:
    return list({p.person_id: p for p in people}.values())
