"""What this process counts for a monitor: Prometheus collectors, scraped at GET /metrics.

One registry for the process (not prometheus_client's global one, so nothing else
that imports the library adds to what is exported). The bot, the dispatcher and the
planner bump these; the outbox depth is read from the database at each scrape
(`services.health`). Timestamps of the last planner tick and the last successful
send are kept here too, for GET /healthz.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter(
    "chibo_updates_handled",
    "Telegram updates handled (polling or webhook), whatever their outcome.",
    registry=REGISTRY,
)
UPDATE_ERRORS = Counter(
    "chibo_update_errors",
    "Updates whose handler raised: the user got the apology, the log the traceback.",
    registry=REGISTRY,
)
UPDATE_SECONDS = Histogram(
    "chibo_update_seconds",
    "Time from an update's turn to the end of its handling.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
BOT_API_CALLS = Counter(
    "chibo_bot_api_requests",
    "Bot API requests by method and HTTP status (429: Telegram's flood control).",
    ["method", "status"],
    registry=REGISTRY,
)
OUTBOX_RESULTS = Counter(
    "chibo_outbox_messages",
    "Outbox rows the dispatcher finished or put back, by result.",
    ["result"],
    registry=REGISTRY,
)
PLAN_SECONDS = Histogram(
    "chibo_plan_seconds",
    "Duration of a plan tick this instance ran (reminders, digests, standing schedules).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=REGISTRY,
)
LAST_PLAN_TICK = Gauge(
    "chibo_last_plan_tick_timestamp_seconds",
    "When this instance last ran a plan tick (or found another instance planning).",
    registry=REGISTRY,
)
LAST_SEND = Gauge(
    "chibo_last_send_timestamp_seconds",
    "When this instance last had a message accepted by Telegram.",
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge(
    "chibo_outbox_pending",
    "Outbox rows not sent yet, due or not (read from the database at each scrape).",
    registry=REGISTRY,
)
OUTBOX_DUE = Gauge(
    "chibo_outbox_due",
    "Outbox rows due now and not sent: the backlog (read at each scrape).",
    registry=REGISTRY,
)
OUTBOX_OLDEST_DUE = Gauge(
    "chibo_outbox_oldest_due_seconds",
    "How long the oldest due outbox row has waited (0: none waiting).",
    registry=REGISTRY,
)
WEB_REQUESTS = Counter(
    "chibo_web_requests",
    "Requests to the Mini App's API, by view and HTTP status.",
    ["view", "status"],
    registry=REGISTRY,
)

SEND_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "copyMessage"}
)


def count_bot_api_call(method: str, status: int) -> None:
    BOT_API_CALLS.labels(method, str(status)).inc()
    if status == 200 and method in SEND_METHODS:
        LAST_SEND.set(time.time())


def plan_tick(seconds: float | None) -> None:
    """A plan tick ended; `seconds` is None when another instance held the planner lock."""
    LAST_PLAN_TICK.set(time.time())
    if seconds is not None:
        PLAN_SECONDS.observe(seconds)


def last_plan_tick() -> datetime | None:
    return _moment("chibo_last_plan_tick_timestamp_seconds")


def last_send() -> datetime | None:
    return _moment("chibo_last_send_timestamp_seconds")


def _moment(name: str) -> datetime | None:
    """A timestamp gauge's value, None before it was ever set."""
    value = REGISTRY.get_sample_value(name)
    return datetime.fromtimestamp(value, UTC) if value else None
