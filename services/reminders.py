"""Use-cases around reminders: snooze one, and away mode for a secretary."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain import stand_in
from domain.localtime import local_date
from domain.policy import Policy
from domain.reminder_recipients import Recipient
from domain.reminder_timing import after_quiet_hours
from domain.roles import Role
from messages.render import render, role_title
from services.actors import Actor
from storage import audit, org_queries, outbox, people_queries
from storage.db import Database, Session
from storage.outbox import Outgoing, enqueue

SNOOZE_SUFFIX = ":snooze"
SNOOZE_REASON = "snooze"
AWAY_NOTICE = "away_notice"
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
        row = outbox.message(session, outbox_id)
        if row is None or row.chat_id != actor.telegram_user_id:
            return SnoozeResult(SnoozeOutcome.NOT_FOUND)
        key = row.dedup_key + SNOOZE_SUFFIX
        existing = outbox.by_key(session, key)
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
        _set_away(session, actor, until, now)
        return until


def _set_away(session: Session, actor: Actor, until: date | None, now: datetime) -> None:
    person = people_queries.person(session, actor.person_id)
    if person is None:
        raise LookupError(actor.person_id)
    old = person.away_until
    if old == until:
        return
    person.away_until = until
    audit.record_by(
        session,
        actor,
        at=now,
        action="update",
        entity="person.away_until",
        key=str(actor.person_id),
        old={"away_until": old.isoformat() if old else None},
        new={"away_until": until.isoformat() if until else None},
    )
    session.flush()


@dataclass(frozen=True)
class Cover:
    """While someone is away: who gets the reminders of one of their units (domain.stand_in)."""

    role: Role
    unit_code: str
    unit_label: str
    unit_kind: str
    reminded: tuple[str, ...] = ()  # who is reminded instead
    still_you: bool = False  # nobody stands in: the person away is still reminded
    informed: tuple[str, ...] = ()  # cluster officers told about it


def go_away(
    db: Database, actor: Actor, until: date, *, now: datetime, locale: str | None = None
) -> list[Cover]:
    """Away until `until`: set it, and say per unit who will be reminded meanwhile.

    Where no deputy can stand in, the secretary is still reminded, and the unit's
    cluster officers get a message saying so (through the outbox, in this transaction).
    """
    with db.transaction() as session:
        _set_away(session, actor, until, now)
        covers = _covers(session, actor, local_date(now))
        notices = [
            Outgoing(
                dedup_key=f"away:{actor.person_id}:{cover.unit_code}:{until.isoformat()}:{o.person_id}",
                chat_id=o.chat_id,
                person_id=o.person_id,
                reason=AWAY_NOTICE,
                period=until.isoformat(),
                text=render(
                    "away_notice",
                    o.locale or locale,
                    name=actor.full_name,
                    role=role_title(cover.role.value, cover.unit_kind, o.locale or locale),
                    unit=cover.unit_label,
                    until=until,
                ),
                not_before=now,
            )
            for cover in covers
            if cover.still_you and cover.role == Role.SECRETARY
            for o in _officers_over(session, cover.unit_code, local_date(now), actor)
        ]
        enqueue(session, notices, now=now)
        return covers


def away_covers(db: Database, actor: Actor, today: date) -> list[Cover]:
    """Who is reminded of the actor's units while the actor is away (as of `today`)."""
    with db.transaction() as session:
        return _covers(session, actor, today)


def _officers_over(session: Session, unit_code: str, today: date, actor: Actor) -> list[Recipient]:
    """The cluster officers who get this unit's escalations, but the actor."""
    unit = org_queries.unit(session, unit_code)
    if unit is None:
        return []
    officers = people_queries.officers_over(session, unit.path)
    return [o for o in stand_in.escalated_to(officers, today) if o.person_id != actor.person_id]


def _covers(session: Session, actor: Actor, today: date) -> list[Cover]:
    covers = []
    for scope in actor.scopes:
        base: dict[str, Any] = {
            "role": scope.role,
            "unit_code": scope.unit_code,
            "unit_label": scope.unit_label,
            "unit_kind": scope.unit_kind.value,
        }
        if scope.role == Role.SECRETARY:
            people = people_queries.holders(session, scope.unit_code, (Role.SECRETARY, Role.DEPUTY))
            reminded, _ = stand_in.reminded(people[Role.SECRETARY], people[Role.DEPUTY], today)
            still = any(m.person_id == actor.person_id for m in reminded)
            covers.append(
                Cover(
                    **base,
                    reminded=tuple(m.full_name for m in reminded if m.person_id != actor.person_id),
                    still_you=still,
                    informed=tuple(
                        o.full_name for o in _officers_over(session, scope.unit_code, today, actor)
                    )
                    if still
                    else (),
                )
            )
        elif scope.role == Role.DEPUTY:
            covers.append(Cover(**base))
        elif scope.role == Role.CLUSTER_OFFICER:
            others = _officers_over(session, scope.unit_code, today, actor)
            covers.append(
                Cover(**base, reminded=tuple(o.full_name for o in others), still_you=not others)
            )
    return covers


def away_until(db: Database, actor: Actor) -> date | None:
    with db.transaction() as session:
        person = people_queries.person(session, actor.person_id)
        return None if person is None else person.away_until
