"""The audit trail: who changed what leadership relies on, when, from what to what."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from storage.models import AuditEntry

# Who acts when nobody acts from Telegram: the office's command line.
CLI_ACTOR = "cli:admin"


class Author(Protocol):
    """Someone acting from Telegram (services.actors.Actor)."""

    @property
    def person_id(self) -> int: ...

    @property
    def telegram_user_id(self) -> int: ...


def actor_label(telegram_user_id: int) -> str:
    """How the trail names a Telegram user: the id, beside "cli:admin" and "import"."""
    return str(telegram_user_id)


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    key: str,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    actor_person_id: int | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor_label=actor,
            actor_person_id=actor_person_id,
            action=action,
            entity=entity,
            entity_key=key,
            old_value=old,
            new_value=new,
        )
    )


def record_by(
    session: Session,
    author: Author,
    *,
    at: datetime,
    action: str,
    entity: str,
    key: str,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    """`record` a change made by someone from Telegram."""
    record(
        session,
        at=at,
        actor=actor_label(author.telegram_user_id),
        actor_person_id=author.person_id,
        action=action,
        entity=entity,
        key=key,
        old=old,
        new=new,
    )


def meeting_change(
    session: Session,
    author: Author,
    entity: str,
    meeting: tuple[str, MeetingKind, Month],
    *,
    at: datetime,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    action: str | None = None,
) -> None:
    """`record_by` for a meeting's schedule, record or rating, keyed by (unit, kind, month).

    Without `action`: "create" when there was nothing before (`old` None), else "update".
    """
    record_by(
        session,
        author,
        at=at,
        action=action or ("update" if old else "create"),
        entity=entity,
        key=meeting_key(*meeting),
        old=old,
        new=new,
    )


def meeting_key(unit_code: str, kind: MeetingKind, month: Month) -> str:
    """The audit key of a unit's schedule, record or rating for one meeting kind and month."""
    return f"{unit_code}:{kind.value}:{month.key}"


def report_key(unit_code: str, report_type: str, period_key: str) -> str:
    return f"{unit_code}:{report_type}:{period_key}"
