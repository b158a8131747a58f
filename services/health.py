"""Is this instance well? The JSON of GET /healthz, and the outbox depth for /metrics.

Healthy means: the database answers; the outbox is moving (nothing due has waited
longer than `STUCK_AFTER`, outside quiet hours, when nothing is sent on purpose);
the planner ticked within `PLANNER_SILENT_AFTER` (once the process has run that
long). Any of these failing makes the status "down" (database) or "degraded", and
the endpoint answers 503, so a monitor needs only the status code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import generate_latest

from domain.localtime import to_local
from domain.policy import Policy
from services import metrics
from storage import health_queries
from storage.db import Database

STUCK_AFTER = timedelta(minutes=15)
# The planner ticks every 2 minutes (scheduler/runner.py): three missed ticks is silence.
PLANNER_SILENT_AFTER = timedelta(minutes=6)
STARTED = time.time()


@dataclass(frozen=True)
class Health:
    status: str  # "ok", "degraded", "down"
    checked_at: datetime
    database_ms: float | None
    outbox: health_queries.Backlog | None
    last_plan_tick: datetime | None
    last_send: datetime | None
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict[str, Any]:
        now = self.checked_at
        outbox = None
        if self.outbox is not None:
            oldest = self.outbox.oldest_due
            outbox = {
                "pending": self.outbox.pending,
                "due": self.outbox.due,
                "oldest_due_seconds": _seconds(now, oldest),
            }
        return {
            "status": self.status,
            "checked_at": _iso(now),
            "database": {"ok": self.database_ms is not None, "ms": self.database_ms},
            "outbox": outbox,
            "planner": {
                "last_tick": _iso(self.last_plan_tick),
                "seconds_ago": _seconds(now, self.last_plan_tick),
            },
            "last_send": {
                "at": _iso(self.last_send),
                "seconds_ago": _seconds(now, self.last_send),
            },
            "problems": list(self.problems),
        }


def check(db: Database, now: datetime, policy: Policy, *, planner_expected: bool) -> Health:
    """The health of this instance now (read-only; two short statements)."""
    problems: list[str] = []
    started = time.perf_counter()
    try:
        with db.transaction() as session:
            health_queries.ping(session)
            database_ms = round((time.perf_counter() - started) * 1000, 1)
            backlog = health_queries.outbox_backlog(session, now)
    except Exception as error:  # the monitor must get an answer, not a traceback
        return Health(
            "down",
            now,
            None,
            None,
            metrics.last_plan_tick(),
            metrics.last_send(),
            (f"database: {type(error).__name__}",),
        )
    quiet = policy.reminders.quiet_hours.contains(to_local(now).time().replace(tzinfo=None))
    if backlog.oldest_due is not None and not quiet and now - backlog.oldest_due > STUCK_AFTER:
        problems.append("outbox: messages due for more than 15 minutes are not being sent")
    tick = metrics.last_plan_tick()
    awake = timedelta(seconds=time.time() - STARTED) > PLANNER_SILENT_AFTER
    silent = tick is None or now - tick > PLANNER_SILENT_AFTER
    if planner_expected and awake and silent:
        problems.append("planner: no plan tick for more than 6 minutes")
    status = "degraded" if problems else "ok"
    return Health(status, now, database_ms, backlog, tick, metrics.last_send(), tuple(problems))


def metrics_text(db: Database, now: datetime) -> bytes:
    """The Prometheus exposition of this process, with the outbox read just now."""
    with db.transaction() as session:
        backlog = health_queries.outbox_backlog(session, now)
    metrics.OUTBOX_PENDING.set(backlog.pending)
    metrics.OUTBOX_DUE.set(backlog.due)
    metrics.OUTBOX_OLDEST_DUE.set(_seconds(now, backlog.oldest_due) or 0)
    return generate_latest(metrics.REGISTRY)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def _seconds(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else max(0, int((now - then).total_seconds()))
