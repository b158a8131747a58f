"""Outbound: planning and dispatching reminders, unthrottled and under Telegram's limits.

1. The dispatcher's ceiling: a synthetic bloc of N cells (a secretary each), the
   08:05 plan of a day on which every unit's schedule registration is due
   tomorrow (one reminder per secretary; base organisations also get their
   overdue monthly report in the same message), then the real Dispatcher
   (`dispatch_once` until nothing is claimed: lease, per-row take/send/mark) to
   a Bot API that answers at once in-process. Baseline in the same run: a raw
   loop of `bot.send_message` over the same rows, same stand-in, no database.

2. Held rate: the real `SchedulerRunner.dispatch` job of `chibo run` (a
   rate-limited Application: python-telegram-bot's AIORateLimiter, 30 messages/s
   and 20/min per group) against `bench.fake_bot_api.FakeBotApi` over HTTP, which
   enforces the same limits and answers 429 to any message over them. Held rate =
   messages it accepted per second over the measuring window, as % of 30/s.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from telegram.constants import ParseMode

from bench.common import NullTransport, Workdir, migrated_sqlite
from bench.fake_bot_api import FakeBotApi
from bench.synthetic import build_org, load
from bot.app import build_application
from bot.settings import Settings
from domain.policy import Policy
from scheduler.dispatcher import Dispatcher, _markup
from scheduler.planner import plan_reminders
from scheduler.runner import SchedulerRunner
from services.clock import ManualClock, SystemClock
from services.deps import Deps
from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox import Outgoing, enqueue

# 08:05 in Hà Nội on Tuesday 24/11/2026: December's registration is due tomorrow
# (a reminder day for everyone) and November's monthly report is 4 days overdue.
PLAN_AT = datetime(2026, 11, 24, 1, 5, tzinfo=UTC)
LIMIT_PER_SECOND = 30
RAW_BASELINE_MAX = 20_000  # the raw loop's rate is flat: a sample of this size is enough


def _settings(url: str, **extra: Any) -> Settings:
    return Settings(_env_file=None, database_url=url, **extra)  # type: ignore[call-arg]


def plan_only(workdir: Workdir, cells: int, policy: Policy) -> dict[str, Any]:
    """The 08:05 plan alone (`--only plan`): reminders planned and the time it took."""
    url = migrated_sqlite(workdir, f"plan{cells}")
    db = Database(url)
    org = build_org(cells, now=PLAN_AT - timedelta(days=30))
    load(db, org)
    started = time.perf_counter()
    planned = plan_reminders(db, PLAN_AT, policy)
    seconds = time.perf_counter() - started
    db.dispose()
    return {
        "cells": cells,
        "units": len(org.units),
        "planned": planned,
        "plan_seconds": round(seconds, 2),
        "ms_per_reminder": round(1000 * seconds / planned, 3) if planned else None,
    }


async def ceiling(workdir: Workdir, cells: int, policy: Policy) -> dict[str, Any]:
    url = migrated_sqlite(workdir, f"outbound{cells}")
    db = Database(url)
    org = build_org(cells, now=PLAN_AT - timedelta(days=30))
    load(db, org)
    started = time.perf_counter()
    planned = plan_reminders(db, PLAN_AT, policy)
    plan_seconds = time.perf_counter() - started

    clock = ManualClock(PLAN_AT + timedelta(minutes=1))
    transport = NullTransport()
    app = build_application(
        Deps(_settings(url), db, clock, policy), request=transport, rate_limited=False
    )
    async with app:
        dispatcher = Dispatcher(db, app.bot, clock, policy, respect_quiet_hours=False)
        started = time.perf_counter()
        sent = 0
        while True:
            stats = await dispatcher.dispatch_once()
            sent += stats.sent
            if not stats.claimed:
                break
        dispatch_seconds = time.perf_counter() - started

        with db.transaction() as session:
            rows = list(session.scalars(select(OutboxMessage).limit(RAW_BASELINE_MAX)))
            left = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != "sent")
            )
        started = time.perf_counter()
        for row in rows:
            await app.bot.send_message(
                row.chat_id,
                row.text,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(row, None),
                disable_web_page_preview=True,
            )
        raw_seconds = time.perf_counter() - started
    db.dispose()
    dispatch_rate = sent / dispatch_seconds if dispatch_seconds else 0.0
    raw_rate = len(rows) / raw_seconds if raw_seconds else 0.0
    return {
        "units": len(org.units),
        "cells": cells,
        "planned": planned,
        "plan_seconds": round(plan_seconds, 2),
        "sent": sent,
        "not_sent": int(left or 0),
        "dispatch_seconds": round(dispatch_seconds, 2),
        "dispatch_per_second": round(dispatch_rate, 1),
        "raw_per_second": round(raw_rate, 1),
        "ratio_to_raw": round(dispatch_rate / raw_rate, 3) if raw_rate else None,
        "headroom_vs_limit": round(dispatch_rate / LIMIT_PER_SECOND, 1),
    }


async def held_rate(
    workdir: Workdir, policy: Policy, seconds: float, *, groups: int = 10
) -> dict[str, Any]:
    """The runner's dispatch job against a Bot API that enforces 30/s and 20/min per group."""
    warmup = 1.0
    rows = int(LIMIT_PER_SECOND * (seconds + warmup) * 1.5) + 50
    url = migrated_sqlite(workdir, "limited")
    db = Database(url)
    now = datetime.now(UTC)
    messages = [
        Outgoing(
            dedup_key=f"bench:{i}",
            chat_id=2_000_000_000 + i,
            reason="reminder",
            period="bench",
            text=f"<b>Nhắc việc</b> số {i}: đăng ký lịch sinh hoạt tháng 12/2026.",
            not_before=now - timedelta(minutes=1),
        )
        for i in range(rows)
    ]
    # Messages to group chats (like the weekly digest), two per group: the 20/min limit.
    messages[5 : 5 + 2 * groups] = [
        Outgoing(
            dedup_key=f"bench-group:{g}:{k}",
            chat_id=-1_000_000_000 - g,
            reason="group_notice",  # not a digest: no subscription to check before sending
            period="bench",
            text=f"Tổng hợp tuần, phần {k}",
            not_before=now - timedelta(minutes=1),
        )
        for g in range(groups)
        for k in range(2)
    ]
    with db.transaction() as session:
        enqueue(session, messages, now=now)

    with FakeBotApi(overall_per_second=LIMIT_PER_SECOND, group_per_minute=20) as api:
        settings = _settings(
            url,
            telegram_bot_token="123:BENCH",
            bot_api_base_url=api.base_url,
            send_rate_per_second=LIMIT_PER_SECOND,  # the whole limit, whatever the environment
        )
        app = build_application(Deps(settings, db, SystemClock(), policy), rate_limited=True)
        async with app:
            runner = SchedulerRunner(app)
            runner.dispatcher.respect_quiet_hours = False  # the benchmark runs at any hour
            started = time.monotonic()
            job = asyncio.create_task(runner.dispatch())
            await asyncio.sleep(warmup + seconds)
            job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await job
        window = (started + warmup, started + warmup + seconds)
        accepted = [c for c in api.sent() if window[0] <= c.at < window[1]]
        refused = api.refused()
        total_sent = len(api.sent())
        per_group: dict[int, int] = {}
        for c in api.sent():
            if c.chat_id is not None and c.chat_id < 0:
                per_group[c.chat_id] = per_group.get(c.chat_id, 0) + 1
        peak = _peak_window(sorted(c.at for c in api.sent()))
    db.dispose()
    rate = len(accepted) / seconds
    return {
        "limit_per_second": LIMIT_PER_SECOND,
        "window_seconds": seconds,
        "held_per_second": round(rate, 2),
        "held_percent_of_limit": round(100 * rate / LIMIT_PER_SECOND, 1),
        "responses_429": len(refused),
        "sent_total": total_sent,
        "max_in_any_1s": peak,
        "group_messages": sum(per_group.values()),
        "outbox_rows": rows,
    }


def _peak_window(times: list[float]) -> int:
    """The most messages accepted in any 1-second window."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best
