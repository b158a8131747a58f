"""Reading what the obligations tests check: ledger rows and outbox messages."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.models import LedgerEntry, OutboxMessage


def ledger_of(db: Database, kind: str) -> dict[str, tuple[str, str | None]]:
    """unit → (resolution, done_on) of the obligations of one kind."""
    with db.transaction() as s:
        rows = s.execute(
            select(LedgerEntry.unit_code, LedgerEntry.resolution, LedgerEntry.done_on).where(
                LedgerEntry.kind == kind
            )
        )
        return {code: (res, done.isoformat() if done else None) for code, res, done in rows}


def outbox(db: Database, reason: str) -> list[OutboxMessage]:
    with db.transaction() as s:
        found = list(s.scalars(select(OutboxMessage).where(OutboxMessage.reason == reason)))
        for row in found:
            s.expunge(row)
        return found
