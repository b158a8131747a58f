"""The audit trail: who changed what leadership relies on, when, from what to what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.models import AuditEntry


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


def meeting_key(unit_code: str, kind: str, month_key: str) -> str:
    """The audit key of a unit's schedule, record or rating for one meeting kind and month."""
    return f"{unit_code}:{kind}:{month_key}"


def report_key(unit_code: str, report_type: str, period_key: str) -> str:
    return f"{unit_code}:{report_type}:{period_key}"
