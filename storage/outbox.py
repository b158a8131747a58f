"""Putting messages in the outbox. Planning only inserts; the dispatcher sends.

The insert is "do nothing on conflict" on the dedup key, on SQLite and
PostgreSQL alike, so planning the same reminder twice (a restart, a second
instance, an overlapping run) leaves exactly one row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import OutboxMessage
from storage.unit_of_work import core


@dataclass(frozen=True)
class Outgoing:
    dedup_key: str
    chat_id: int
    reason: str
    period: str
    text: str
    not_before: datetime
    person_id: int | None = None
    buttons: list[list[dict[str, str]]] | None = None
    expires_at: datetime | None = None
    attachment_name: str | None = None
    attachment: bytes | None = field(default=None, repr=False)
    attachment_ref: str | None = None  # a file kept elsewhere (storage.attachments)


def enqueue(session: Session, messages: list[Outgoing], *, now: datetime) -> int:
    """Insert what is not there yet; returns how many rows were new."""
    if not messages:
        return 0
    rows: list[dict[str, Any]] = [
        {
            "dedup_key": m.dedup_key,
            "chat_id": m.chat_id,
            "person_id": m.person_id,
            "reason": m.reason,
            "period": m.period,
            "text": m.text,
            "buttons": m.buttons,
            "attachment_name": m.attachment_name,
            "attachment": m.attachment,
            "attachment_ref": m.attachment_ref,
            "not_before": m.not_before,
            "expires_at": m.expires_at,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        }
        for m in messages
    ]
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(OutboxMessage.id)
    )
    # An executemany result has no usable rowcount; RETURNING yields only the rows
    # that were inserted (a conflict returns nothing), on SQLite and PostgreSQL alike.
    return len(core(session, statement, rows).all())


def message(session: Session, outbox_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, outbox_id)


def by_key(session: Session, dedup_key: str) -> OutboxMessage | None:
    return session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key))


def chats_with(session: Session, reason: str, period: str) -> set[int]:
    """The chats that have a message for `reason` and `period` (sent or not)."""
    query = select(OutboxMessage.chat_id).where(
        OutboxMessage.reason == reason, OutboxMessage.period == period
    )
    return set(session.scalars(query))
