"""Telegram update ids whose changes are committed: a re-delivered update is a repeat.

`remember` runs in the update's own transaction, just before its commit: the
state change and the id commit together, or neither does. An insert that finds
the id already there (on SQLite and PostgreSQL alike: do nothing on conflict) is
a repeat, and the caller rolls back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.dml import rows_affected
from storage.models import HandledUpdate

# Telegram keeps an unconfirmed update for 24 hours; a repeat cannot come later.
KEEP = timedelta(hours=48)

_TABLE = HandledUpdate.__table__  # a Core statement: no ORM bookkeeping on every update
_INSERT = {
    name: module.insert(_TABLE)
    .on_conflict_do_nothing(index_elements=["update_id"])
    .returning(_TABLE.c.update_id)
    for name, module in (("sqlite", sqlite), ("postgresql", postgresql))
}


def remember(session: Session, update_id: int, now: datetime) -> bool:
    """Record `update_id`; False if it was recorded before (the update is a repeat)."""
    statement = _INSERT[session.get_bind().dialect.name]
    # RETURNING yields the row only if it was inserted (a conflict returns nothing).
    inserted = session.execute(statement, {"update_id": update_id, "handled_at": now})
    return inserted.first() is not None


def prune(session: Session, now: datetime) -> int:
    """Forget ids older than Telegram could deliver again; returns how many."""
    result = session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < now - KEEP))
    return rows_affected(result)
