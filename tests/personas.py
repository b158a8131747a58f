"""A cast of users in every role, bound through real invites, and a way to see writes.

Used by the security matrix, the fuzz tests and the end-to-end journey. Units are
from the demo bloc (bot/demo/org.csv): VPUBND-01/-02 are sub-cells of VPUBND in
cluster C2; TNMT-01 is in cluster C4; NOICHINH is a base cell in cluster C1 (its
secretary confirms periodic reports).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, func, select

from domain.roles import Role
from services.invites import Outcome, TelegramUser, Throttle, create_invite, redeem
from storage.db import Database
from storage.models import Base
from tests.harness import User


@dataclass(frozen=True)
class Persona:
    key: str
    user: User
    role: Role | None
    unit: str | None


PERSONAS: tuple[Persona, ...] = (
    Persona("stranger", User(5000, "Người", "Lạ"), None, None),
    Persona("secretary_a", User(5001, "Trần Thị", "Bình"), Role.SECRETARY, "VPUBND-01"),
    Persona("secretary_b", User(5002, "Lê Văn", "Cường"), Role.SECRETARY, "TNMT-01"),
    Persona("deputy_a", User(5003, "Phạm Thị", "Dung"), Role.DEPUTY, "VPUBND-02"),
    # A base cell reports to the bloc itself (periodic reports are theirs, not sub-cells').
    Persona("secretary_base", User(5008, "Lý Thị", "Mai"), Role.SECRETARY, "NOICHINH"),
    Persona("cluster_1", User(5004, "Hoàng Văn", "Em"), Role.CLUSTER_OFFICER, "C1"),
    Persona("cluster_2", User(5005, "Vũ Thị", "Giang"), Role.CLUSTER_OFFICER, "C2"),
    Persona("leader", User(5006, "Đỗ Văn", "Hùng"), Role.LEADER, "DUK"),
    Persona("admin", User(5007, "Ngô Thị", "Lan"), Role.ADMIN, "DUK"),
)
BY_KEY = {p.key: p for p in PERSONAS}

# Tables a refused or invalid update may touch: the invite throttle, dialog state, and
# the id of an update that changed either (storage.handled_updates).
BOOKKEEPING_TABLES = frozenset({"invite_failures", "dialog_states", "handled_updates"})


def bind_personas(db: Database, now: datetime) -> dict[str, Persona]:
    """Create an invite per persona with a role and redeem it, as onboarding would."""
    for p in PERSONAS:
        if p.role is None or p.unit is None:
            continue
        created = create_invite(
            db, role=p.role, unit_code=p.unit, now=now, ttl=timedelta(days=14), actor="test"
        )
        user = TelegramUser(p.user.id, f"{p.user.first_name} {p.user.last_name}", None, "vi")
        result = redeem(db, user, created.code, now=now, throttle=Throttle(5, timedelta(1)))
        assert result.outcome == Outcome.BOUND, (p.key, result)
    return BY_KEY


def row_counts(db: Database, *, exclude: frozenset[str] = frozenset()) -> dict[str, int]:
    """Rows per table, for "nothing was written" checks."""
    with db.transaction() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
            if name not in exclude
        }


def snapshot(db: Database, *, exclude: frozenset[str] = BOOKKEEPING_TABLES) -> dict[str, object]:
    """Every row of every business table, so an UPDATE is caught as well as an INSERT."""
    with db.transaction() as session:
        return {
            name: sorted(map(repr, session.execute(select(table)).all()))
            for name, table in Base.metadata.tables.items()
            if name not in exclude
        }


_WRITE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)


class WriteLog:
    """Tables written to through `db`'s engine (statements that changed at least one row).

    Cheaper than comparing snapshots, and it sees an UPDATE as well as an INSERT:
    `with WriteLog(db) as writes: ...; assert writes.tables() <= BOOKKEEPING_TABLES`.
    """

    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.writes: list[tuple[str, str]] = []

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        match = _WRITE.match(statement)
        if match and (cursor.rowcount is None or cursor.rowcount != 0):
            self.writes.append((match.group(1), statement.split(None, 1)[0].upper()))

    def tables(self) -> set[str]:
        return {table for table, _ in self.writes}

    def clear(self) -> None:
        self.writes.clear()

    def __enter__(self) -> WriteLog:
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "after_cursor_execute", self._after)
