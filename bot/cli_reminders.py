"""`chibo reminders …`: preview the plan, send what is due, or run the scheduler alone.

chibo reminders plan [--at "YYYY-MM-DD HH:MM"] [--json]   # who would get what; writes nothing
chibo reminders dispatch [--until-empty]                  # send what is due now, then exit
chibo reminders run                                       # plan + dispatch jobs, no polling
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time as wall
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from bot.cli_common import fail, open_db
from bot.settings import Settings
from domain.localtime import local_zone, to_local
from scheduler.planner import compute_plan
from services import ledger
from services.clock import SystemClock
from storage.db import Database
from storage.models import OutboxMessage


def add_commands(sub: Any) -> None:
    reminders = sub.add_parser("reminders", help="reminders and the outbox").add_subparsers(
        required=True
    )
    plan = reminders.add_parser("plan", help="preview who would get what (writes nothing)")
    plan.add_argument("--at", help='local time "YYYY-MM-DD HH:MM" (default: now)')
    plan.add_argument("--json", action="store_true", help="machine-readable output")
    plan.set_defaults(func=run_plan)

    dispatch = reminders.add_parser("dispatch", help="send what is due in the outbox, then exit")
    dispatch.add_argument(
        "--until-empty",
        action="store_true",
        help="keep going until nothing due is left (waits out leases of crashed workers)",
    )
    dispatch.add_argument("--batch", type=int, default=20, help="rows claimed per pass")
    dispatch.add_argument("--lease-seconds", type=float, default=300.0)
    dispatch.add_argument("--timeout", type=float, default=600.0, help="give up after (s)")
    dispatch.set_defaults(func=run_dispatch)

    run = reminders.add_parser("run", help="run the plan and dispatch jobs without polling")
    run.set_defaults(func=run_scheduler)


def parse_local(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=local_zone())
    except ValueError as error:
        raise ValueError(f'thời điểm phải có dạng "YYYY-MM-DD HH:MM": {text!r}') from error


def run_plan(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox import as_plain_text

    try:
        at = parse_local(args.at) if args.at else SystemClock().now()
    except ValueError as error:
        return fail(str(error))
    db = open_db(settings)
    try:
        policy = settings.load_policy()
        with db.scratch() as session:
            # The ledger as it will be at `at` (new periods opened), then thrown away.
            ledger.extend_within(session, at, policy)
            plan = compute_plan(session, at, policy, respect_runs=False)
    finally:
        db.dispose()
    if args.json:
        document = {
            "at": to_local(at).isoformat(),
            "count": len(plan.messages),
            "messages": [m.as_dict() for m in plan.messages],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    print(f"Xem trước nhắc việc lúc {to_local(at):%H:%M %d/%m/%Y} (không gửi, không ghi gì).")
    for m in plan.messages:
        o = m.outgoing
        print(f"\n— {m.person_name} (chat {o.chat_id}) · khung {m.slot} · {o.dedup_key}")
        print("  " + as_plain_text(o.text).replace("\n", "\n  "))
    print(f"\nTổng cộng {len(plan.messages)} tin nhắn.")
    return 0


def _application(settings: Settings):
    from bot.app import build_application
    from services.deps import Deps

    db = open_db(settings)
    deps = Deps(settings, db, SystemClock(), settings.load_policy())
    return build_application(deps), deps


def _due_left(db: Database, now: datetime) -> int:
    with db.transaction() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending",
                    OutboxMessage.not_before <= now,
                    or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
                )
            )
            or 0
        )


def run_dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from telegram.ext import ExtBot

    from bot.flood import flood_limiter
    from scheduler.dispatcher import Dispatcher, DispatchStats

    if not settings.telegram_bot_token:
        return fail("Chưa có TELEGRAM_BOT_TOKEN: không gửi được tin nhắn.")
    # A bare rate-limited bot: sending needs no handlers (and starts faster without them).
    limiter = flood_limiter(settings.send_rate_per_second)
    bot = ExtBot(
        settings.telegram_bot_token,
        base_url=settings.api_base_url,
        rate_limiter=limiter,
    )
    db = open_db(settings)
    clock = SystemClock()

    async def main() -> DispatchStats:
        total = DispatchStats()
        async with bot:
            dispatcher = Dispatcher(
                db,
                bot,
                clock,
                settings.load_policy(),
                batch_size=args.batch,
                lease=timedelta(seconds=args.lease_seconds),
            )
            deadline = wall.monotonic() + args.timeout
            while True:
                stats = await dispatcher.dispatch_once()
                total += stats
                if stats.claimed:
                    continue
                if not args.until_empty or not _due_left(db, clock.now()):
                    break
                if wall.monotonic() > deadline:
                    break
                await asyncio.sleep(0.1)  # a crashed worker's lease, or a back-off
        return total

    total = asyncio.run(main())
    db.dispose()
    print(
        f"Đã gửi {total.sent}, lỗi {total.failed}, bỏ (quá hạn) {total.dropped}, "
        f"để gửi lại sau {total.retried}."
    )
    return 0


def run_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from scheduler.runner import SchedulerRunner

    if not settings.telegram_bot_token:
        return fail("Chưa có TELEGRAM_BOT_TOKEN: không gửi được tin nhắn.")
    application, deps = _application(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with application:
            runner = SchedulerRunner(application)
            runner.start()
            try:
                await stop.wait()
            finally:
                runner.shutdown()

    asyncio.run(main())
    deps.db.dispose()
    return 0
