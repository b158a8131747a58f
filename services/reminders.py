"""Use-cases around reminders: snooze one, and away mode for a secretary."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from domain.policy import Policy
from scheduler.timing import after_quiet_hours
from services.actors import Actor
from storage import audit
from storage.db import Database
from storage.models import OutboxMessage, Person
from storage.outbox import Outgoing, enqueue

SNOOZE_SUFFIX = ":snooze"
SNOOZE_REASON = "snooze"
MAX_AWAY_DAYS = 180


class SnoozeOutcome(enum.StrEnum):
    SNOOZED = "snoozed"
    ALREADY = "already"  # this message was snoozed before: nothing new
    STALE = "stale"  # it would expire before it came back
    NOT_FOUND = "not_found"  # no such message for this person


@dataclass(frozen=True)
class SnoozeResult:
    outcome: SnoozeOutcome
    until: datetime | None = None


def snooze(
    db: Database, outbox_id: int, actor: Actor, *, now: datetime, policy: Policy
) -> SnoozeResult:
    """A copy of the message comes back after `snooze_minutes` (held past quiet hours).

    The copy's key is the original's + ":snooze", so pressing the button again,
    or on a second device, inserts nothing.
    """
    rules = policy.reminders
    with db.transaction() as session:
        row = session.get(OutboxMessage, outbox_id)
        if row is None or row.chat_id != actor.telegram_user_id:
            return SnoozeResult(SnoozeOutcome.NOT_FOUND)
        key = row.dedup_key + SNOOZE_SUFFIX
        existing = session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == key))
        if existing is not None:
            return SnoozeResult(SnoozeOutcome.ALREADY, existing.not_before)
        until = after_quiet_hours(now + timedelta(minutes=rules.snooze_minutes), rules.quiet_hours)
        if row.expires_at is not None and row.expires_at <= until:
            return SnoozeResult(SnoozeOutcome.STALE, row.expires_at)
        copy = Outgoing(
            dedup_key=key,
            chat_id=row.chat_id,
            person_id=row.person_id,
            reason=SNOOZE_REASON,
            period=row.period,
            text=row.text,
            not_before=until,
            buttons=row.buttons,
            expires_at=row.expires_at,
            attachment_name=row.attachment_name,
            attachment=row.attachment,
        )
        if not enqueue(session, [copy], now=now):
            return SnoozeResult(SnoozeOutcome.ALREADY, until)
        return SnoozeResult(SnoozeOutcome.SNOOZED, until)


def set_away(db: Database, actor: Actor, until: date | None, *, now: datetime) -> date | None:
    """Away until `until` (a local date, inclusive), or back (`None`); audited."""
    with db.transaction() as session:
        person = session.get(Person, actor.person_id)
        if person is None:
            raise LookupError(actor.person_id)
        old = person.away_until
        if old == until:
            return until
        person.away_until = until
        audit.record(
            session,
            at=now,
            actor=str(actor.telegram_user_id),
            actor_person_id=actor.person_id,
            action="update",
            entity="person.away_until",
            key=str(actor.person_id),
            old={"away_until": old.isoformat() if old else None},
            new={"away_until": until.isoformat() if until else None},
        )
        return until


def away_until(db: Database, actor: Actor) -> date | None:
    with db.transaction() as session:
        person = session.get(Person, actor.person_id)
        return None if person is None else person.away_until
