"""Planner runs: a plan that must happen once (per key) across restarts and instances."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import PlannerRun


def has_run(session: Session, key: str) -> bool:
    return session.get(PlannerRun, key) is not None


def mark_run(session: Session, key: str, now: datetime, messages: int) -> None:
    """Keep that the plan `key` ran (a concurrent run's row, if first, is kept)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(PlannerRun).on_conflict_do_nothing(index_elements=["key"]),
        [{"key": key, "ran_at": now, "messages": messages}],
    )
