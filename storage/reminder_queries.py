"""The reminder planner's queries: who holds the roles reminders go to, which slots
were planned (`planner_runs`), and the undelivered reminders a later one carries.

Keys and the rules of what is due live in scheduler/planner.py; here only reads and
writes, each on the caller's session.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from domain.reminder_recipients import RoleHolder
from domain.roles import Role
from storage.columns import PERSON_COLUMNS, recipient_of
from storage.models import OutboxMessage, Person, PlannerRun, RoleAssignment, Unit
from storage.unit_of_work import core

SUPERSEDED = "superseded"  # an undelivered reminder whose items a later one carries
_CELL_ROLES = (Role.SECRETARY, Role.DEPUTY)
_CODES_IN_SQL = 2000  # above this many units, read every cell's holders (no huge IN list)


def role_holders(session: Session, unit_codes: Collection[str]) -> Iterator[RoleHolder]:
    """The secretaries and deputies of these units, then every cluster officer; each
    ordered by person."""
    columns = (RoleAssignment.role, RoleAssignment.unit_code, Unit.path, *PERSON_COLUMNS)
    base = (
        select(*columns)
        .join(Person, Person.id == RoleAssignment.person_id)
        .join(Unit, Unit.code == RoleAssignment.unit_code)
    )
    cell = base.where(RoleAssignment.role.in_(_CELL_ROLES))
    if len(unit_codes) <= _CODES_IN_SQL:
        cell = cell.where(RoleAssignment.unit_code.in_(list(unit_codes)))
    officer = base.where(RoleAssignment.role == Role.CLUSTER_OFFICER)
    for stmt in (cell, officer):
        for role, unit_code, path, *person in core(session, stmt.order_by(Person.id)):
            yield RoleHolder(role, unit_code, path, recipient_of(person))


def planned_runs(session: Session, keys: Collection[str]) -> set[str]:
    """Which of these `planner_runs` keys are there."""
    return set(session.scalars(select(PlannerRun.key).where(PlannerRun.key.in_(list(keys)))))


def record_runs(session: Session, messages: Mapping[str, int], now: datetime) -> None:
    """A `planner_runs` row per key (with how many messages it planned); a key already
    there is left as it is."""
    rows = [{"key": key, "ran_at": now, "messages": count} for key, count in messages.items()]
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    session.execute(module.insert(PlannerRun).on_conflict_do_nothing(index_elements=["key"]), rows)


@dataclass(frozen=True)
class Undelivered:
    id: int
    person_id: int | None
    period: str


def undelivered(
    session: Session, reason: str, periods: Collection[str], since: datetime, before: datetime
) -> list[Undelivered]:
    """Outbox rows of this reason and these periods, due in [since, before), that were
    never sent (still pending, or dropped when they expired)."""
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.person_id, OutboxMessage.period).where(
            OutboxMessage.status.in_(("pending", "dropped")),
            OutboxMessage.not_before >= since,
            OutboxMessage.not_before < before,
            OutboxMessage.reason == reason,
            OutboxMessage.period.in_(list(periods)),
        )
    )
    return [Undelivered(row_id, person_id, period) for row_id, person_id, period in rows]


def supersede(session: Session, ids: Collection[int]) -> None:
    """Mark these rows superseded, unless they were sent meanwhile."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.status.in_(("pending", "dropped")),
        )
        .values(status=SUPERSEDED, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
