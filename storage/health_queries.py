"""The reads behind GET /healthz: is the database there, and is the outbox moving.

Each is one cheap statement on an index (`ix_outbox_due`: status, not_before), so a
monitor may poll every few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from storage.models import OutboxMessage


def ping(session: Session) -> None:
    session.execute(text("SELECT 1"))


@dataclass(frozen=True)
class Backlog:
    pending: int  # rows not sent yet, due or not
    due: int  # of those, due now and not expired
    oldest_due: datetime | None  # the earliest `not_before` among the due ones


def outbox_backlog(session: Session, now: datetime) -> Backlog:
    due = and_(
        OutboxMessage.not_before <= now,
        or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
    )
    pending, due_count, oldest = session.execute(
        select(
            func.count(),
            func.count().filter(due),
            func.min(OutboxMessage.not_before).filter(due),
        ).where(OutboxMessage.status == "pending")
    ).one()
    return Backlog(int(pending or 0), int(due_count or 0), oldest)
