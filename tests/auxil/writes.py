"""Ways to see what an update wrote, for "nothing was written" checks."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event, select

from storage.db import Database
from storage.models import Base

# Tables a refused or invalid update may touch: the invite throttle, dialog state, and
# the id of an update that changed either (storage.handled_updates).
BOOKKEEPING_TABLES = frozenset({"invite_failures", "dialog_states", "handled_updates"})


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
