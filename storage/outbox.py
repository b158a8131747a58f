"""The outbox: planning only inserts; the dispatcher (scheduler/dispatcher.py) claims,
renews, marks and releases rows with the queries below.

The insert is "do nothing on conflict" on the dedup key, on SQLite and
PostgreSQL alike, so planning the same reminder twice (a restart, a second
instance, an overlapping run) leaves exactly one row.

A claim is a lease (`claimed_by`, `claimed_until`): on PostgreSQL `SELECT … FOR
UPDATE SKIP LOCKED`, on SQLite one guarded UPDATE (SQLite has a single writer, so
the UPDATE is the lock). Every later write checks the row is still ours and pending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.dml import rows_affected
from storage.models import OutboxMessage, Person
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


# ---------------------------------------------------------------------------
# Claiming and marking (the dispatcher)


def drop_expired(session: Session, now: datetime) -> int:
    """Pending rows whose `expires_at` has passed (and no live lease) become `dropped`."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.expires_at.is_not(None),
            OutboxMessage.expires_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(status="dropped", last_error="expired before it could be sent")
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result)


def _due(now: datetime) -> Any:
    return and_(
        OutboxMessage.status == "pending",
        OutboxMessage.not_before <= now,
        or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def claim(
    session: Session, token: str, now: datetime, until: datetime, batch_size: int
) -> list[OutboxMessage]:
    """Lease up to `batch_size` due rows (pending, `not_before` ≤ now, not expired, no
    live lease) to `token` until `until`; the rows, detached, oldest first."""
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(_due(now))
                .order_by(OutboxMessage.not_before, OutboxMessage.id)
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            )
        )
        where: ColumnElement[bool] = OutboxMessage.id.in_(ids)
    else:
        candidates = (
            select(OutboxMessage.id)
            .where(_due(now))
            .order_by(OutboxMessage.not_before, OutboxMessage.id)
            .limit(batch_size)
            .scalar_subquery()
        )
        where = and_(OutboxMessage.id.in_(candidates), _due(now))
    claimed = list(
        session.scalars(
            update(OutboxMessage)
            .where(where)
            .values(claimed_by=token, claimed_until=until)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
    )
    # By id (the primary key), not by token: claimed_by has no index.
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.id.in_(claimed),
                OutboxMessage.status == "pending",
                OutboxMessage.claimed_by == token,
            )
            .order_by(OutboxMessage.not_before, OutboxMessage.id)
        )
    )
    for row in rows:
        session.expunge(row)
    return rows


def release(session: Session, token: str, ids: list[int]) -> None:
    """Give back the leases of these rows that are still ours and pending."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.claimed_by == token,
            OutboxMessage.status == "pending",
        )
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


def renew(session: Session, row_id: int, token: str, until: datetime) -> bool:
    """Extend our lease and count an attempt; False if the row is no longer ours or pending."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.claimed_by == token,
            OutboxMessage.status == "pending",
        )
        .values(claimed_until=until, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(rows_affected(result))


def drop_claimed(session: Session, row_id: int, token: str, reason: str) -> None:
    """Drop a row we hold that must not be sent after all."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.claimed_by == token)
        .values(status="dropped", claimed_by=None, claimed_until=None, last_error=reason)
        .execution_options(synchronize_session=False)
    )


def finish(
    session: Session, row_id: int, status: str, *, now: datetime, last_error: str | None
) -> None:
    """Mark a pending row `sent` (at `now`) or `failed`, and free it."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending")
        .values(
            status=status,
            sent_at=now if status == "sent" else None,
            claimed_by=None,
            claimed_until=None,
            last_error=last_error,
        )
        .execution_options(synchronize_session=False)
    )


def back_to_pending(
    session: Session, row_id: int, *, not_before: datetime, last_error: str | None
) -> None:
    """Free a pending row to be tried again from `not_before`."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending")
        .values(claimed_by=None, claimed_until=None, not_before=not_before, last_error=last_error)
        .execution_options(synchronize_session=False)
    )


def move_chat(session: Session, row_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: the row goes to its new chat id, free to be claimed."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(chat_id=new_chat_id, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


def _person(person_id: int | None, chat_id: int) -> Any:
    if person_id is not None:
        return Person.id == person_id
    return Person.telegram_user_id == chat_id


def mark_unreachable(session: Session, person_id: int | None, chat_id: int, now: datetime) -> None:
    """The recipient blocked the bot (from `now`, unless already marked)."""
    session.execute(
        update(Person)
        .where(_person(person_id, chat_id), Person.unreachable_since.is_(None))
        .values(unreachable_since=now)
        .execution_options(synchronize_session=False)
    )


def mark_reachable(session: Session, person_id: int | None, chat_id: int) -> None:
    """A delivered message proves the person reads the bot again."""
    session.execute(
        update(Person)
        .where(_person(person_id, chat_id), Person.unreachable_since.is_not(None))
        .values(unreachable_since=None)
        .execution_options(synchronize_session=False)
    )
