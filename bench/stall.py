"""Does one slow request stall every chat? `/status` latency while a `/digest` runs.

The real Application with its update processor (bot/processor.py), updates put in
its `update_queue` as polling and the webhook do, replies to an in-process
stand-in that notes when each arrives. Secretaries send `/status` one after
another; latency = from the update entering the queue to the bot's reply. Idle:
nothing else runs. Under load: the leader's `/digest` of the whole bloc (summary,
XLSX, chart) runs meanwhile, restarted whenever it finishes. Reported as the
ratio of the p99s (target ≤ 2×).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from telegram import Update

from bench.common import ms, percentile
from bench.synthetic import SyntheticOrg, bench_now
from bot.app import build_application
from bot.settings import Settings
from bot.transport import LocalTransport
from domain.policy import Policy
from services.clock import ManualClock
from services.deps import Deps
from storage.db import Database


class _Arrivals(LocalTransport):
    """The local stand-in, plus an event per chat when a message is sent to it."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, asyncio.Event] = {}
        self.messages: dict[int, int] = {}

    async def do_request(self, url: str, method: str, request_data: Any = None, **kw: Any):  # type: ignore[no-untyped-def,override]
        answer = await super().do_request(url, method, request_data, **kw)
        call = self.calls[-1]
        if call.method.startswith("send") and call.chat_id is not None:
            self.messages[call.chat_id] = self.messages.get(call.chat_id, 0) + 1
            event = self.waiting.get(call.chat_id)
            if event is not None:
                event.set()
        self.calls.clear()
        return answer


_ids = itertools.count(9_000_000)
LOAD_COMMAND, LOAD_MESSAGES = "/digest", 3


def _command(user_id: int, text: str) -> dict[str, Any]:
    n = next(_ids)
    return {
        "update_id": n,
        "message": {
            "message_id": n,
            "date": 1_780_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "B"},
            "from": {"id": user_id, "is_bot": False, "first_name": "B"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def _status_latency(app: Any, transport: _Arrivals, user_id: int) -> float:
    event = transport.waiting[user_id] = asyncio.Event()
    update = Update.de_json(_command(user_id, "/status"), app.bot)
    started = time.perf_counter()
    await app.update_queue.put(update)
    await asyncio.wait_for(event.wait(), 60)
    elapsed = time.perf_counter() - started
    del transport.waiting[user_id]
    # /status may send one message per unit: let the rest arrive before the next one.
    await asyncio.sleep(0)
    return elapsed


async def measure(url: str, org: SyntheticOrg, policy: Policy, samples: int) -> dict[str, Any]:
    db = Database(url)
    settings = Settings(_env_file=None, database_url=url, telegram_bot_token="")  # type: ignore[call-arg]
    transport = _Arrivals()
    app = build_application(
        Deps(settings, db, ManualClock(bench_now()), policy), request=transport, rate_limited=False
    )
    secretaries = list(org.secretaries.values())
    idle: list[float] = []
    busy: list[float] = []
    digests = 0
    async with app:
        await app.start()
        try:
            leader = org.leader_id
            done = asyncio.Event()

            async def digest_once() -> None:
                before = transport.messages.get(leader, 0)
                event = transport.waiting[leader] = asyncio.Event()
                await app.update_queue.put(Update.de_json(_command(leader, LOAD_COMMAND), app.bot))
                # The summary, the XLSX and the chart: three messages.
                while transport.messages.get(leader, 0) < before + LOAD_MESSAGES:
                    await event.wait()
                    event.clear()

            # Warm-up: one digest (the first loads openpyxl and matplotlib), some /status.
            await digest_once()
            for user_id in secretaries[: min(50, samples)]:
                await _status_latency(app, transport, user_id)
            for user_id in secretaries[:samples]:
                idle.append(await _status_latency(app, transport, user_id))

            async def keep_digesting() -> None:
                nonlocal digests
                while not done.is_set():
                    await digest_once()
                    digests += 1

            load = asyncio.create_task(keep_digesting())
            await asyncio.sleep(0.05)  # the digest is under way
            for user_id in secretaries[samples : 2 * samples]:
                busy.append(await _status_latency(app, transport, user_id))
            done.set()
            await asyncio.wait_for(load, 600)
        finally:
            await app.stop()
    db.dispose()
    idle_p99, busy_p99 = percentile(idle, 99), percentile(busy, 99)
    return {
        "samples": len(idle),
        "idle_p50_ms": ms(percentile(idle, 50)),
        "idle_p99_ms": ms(idle_p99),
        "during_digest_p50_ms": ms(percentile(busy, 50)),
        "during_digest_p99_ms": ms(busy_p99),
        "ratio_p99": round(busy_p99 / idle_p99, 2) if idle_p99 else None,
        "digests_run": digests,
    }
