"""Inbound: synthetic updates through Application.process_update, against a bare echo bot.

Secretaries of the synthetic bloc each run a short, realistic session: /status,
then a schedule registration for next month, half of them started with /schedule
and half with the `open:schedule:…` button of a reminder, answered with buttons
and typed text (date and time, place), then /history. Every update is timed from
the JSON payload (Update.de_json) to the end of process_update, with every reply
going to an in-process Bot API stand-in (`bench.common.NullTransport`), so the
figure is the bot's own work: handlers, access control, database, templates.

Two baselines, in the same run, on the same stand-in:

- echo: the very same updates replayed to a bare python-telegram-bot Application
  whose only handlers echo the text or answer the button press (one call each);
- replayed calls: the same updates to a bare Application that, for each update,
  makes exactly the Bot API calls the bot made for it (same count, kinds and
  parameters: a button costs an answer, a markup edit and a reply), and nothing
  else. The ratio to it is the bot's own work per update, calls aside.
"""

from __future__ import annotations

import itertools
import random
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bench.common import ms, percentile
from bench.synthetic import SyntheticOrg, bench_now
from bot.app import build_application
from bot.settings import Settings
from bot.transport import BOT_ID, LocalTransport
from domain.localtime import local_date
from domain.periods import Month
from domain.policy import Policy
from services.clock import ManualClock
from services.deps import Deps
from storage.db import Database

MAX_STEPS = 12


@dataclass
class Session:
    user_id: int
    unit: str
    via_button: bool
    day: int
    typed_place: bool


@dataclass
class Run:
    seconds: list[float] = field(default_factory=list)
    payloads: list[dict[str, Any]] = field(default_factory=list)
    # The Bot API calls the bot made for each update: (method, parameters).
    calls: list[list[tuple[str, dict[str, Any]]]] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    completed: int = 0  # sessions that reached "registered"


class Driver:
    """Plays users against an Application: builds updates, reads replies, times each one."""

    def __init__(self, app: Application, transport: LocalTransport) -> None:  # type: ignore[type-arg]
        self.app = app
        self.transport = transport
        self._ids = itertools.count(1)

    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "Bí thư", "language_code": "vi"}

    def message(self, user_id: int, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": 1_780_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Bí thư"},
            "from": self._user(user_id),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._ids), "message": message}

    def press(self, user_id: int, data: str) -> dict[str, Any]:
        query = {
            "id": str(next(self._ids)),
            "from": self._user(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": next(self._ids),
                "date": 1_780_000_000,
                "chat": {"id": user_id, "type": "private", "first_name": "Bí thư"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Chi bộ bot"},
                "text": "…",
            },
        }
        return {"update_id": next(self._ids), "callback_query": query}

    async def process(self, payload: dict[str, Any], run: Run | None) -> list[Any]:
        self.transport.take()
        started = time.perf_counter()
        await self.app.process_update(Update.de_json(payload, self.app.bot))
        elapsed = time.perf_counter() - started
        calls = [c for c in self.transport.take() if c.method != "getMe"]
        if run is not None:
            run.seconds.append(elapsed)
            run.payloads.append(payload)
            run.calls.append([(c.method, c.params) for c in calls])
            kind = _kind(payload)
            run.kinds[kind] = run.kinds.get(kind, 0) + 1
        return calls


def _kind(payload: dict[str, Any]) -> str:
    if "callback_query" in payload:
        return "button"
    text = payload["message"].get("text", "")
    return text.split()[0] if text.startswith("/") else "text"


def _buttons(calls: list[Any]) -> list[tuple[str, str]]:
    return [b for c in calls for b in c.buttons]


def _find(buttons: list[tuple[str, str]], *needles: str) -> str | None:
    for text, data in buttons:
        if any(n in text for n in needles):
            return data
    return None


async def play(driver: Driver, s: Session, month_label: str, run: Run | None) -> bool:
    """One secretary's session; True if the schedule got registered."""
    await driver.process(driver.message(s.user_id, "/help"), run)
    await driver.process(driver.message(s.user_id, "/status"), run)
    first = (
        driver.press(s.user_id, f"open:schedule:{s.unit}:{month_label}")
        if s.via_button
        else driver.message(s.user_id, "/schedule")
    )
    calls = await driver.process(first, run)
    done = False
    month, year = month_label.split("-")[1], month_label.split("-")[0]
    for _ in range(MAX_STEPS):
        text = "\n".join(c.text for c in calls)
        buttons = _buttons(calls)
        if "Đã đăng ký" in text:
            done = True
            break
        month_button = _find(buttons, f"Tháng {int(month)}/{year}", f"Tháng {month}/{year}")
        if target := month_button or _find(buttons, "thường kỳ"):
            payload = driver.press(s.user_id, target)
        elif "ngày giờ" in text or "ngày, giờ" in text:
            payload = driver.message(s.user_id, f"{s.day}/{int(month)} 14:00")
        elif "địa điểm" in text:
            previous = _find(buttons, "Như lần trước")
            if previous and not s.typed_place:
                payload = driver.press(s.user_id, previous)
            else:
                payload = driver.message(s.user_id, "Phòng họp tầng 2")
        elif target := _find(buttons, "Chỉ tháng này") or _find(buttons, "Xác nhận"):
            payload = driver.press(s.user_id, target)
        else:
            break
        calls = await driver.process(payload, run)
    await driver.process(driver.message(s.user_id, "/history"), run)
    return done


def _sessions(org: SyntheticOrg, registered: set[str], count: int, seed: int) -> list[Session]:
    rng = random.Random(seed)
    cells = [u["code"] for u in org.cells if u["code"] not in registered]
    rng.shuffle(cells)
    return [
        Session(
            user_id=org.secretaries[code],
            unit=code,
            via_button=i % 2 == 1,
            day=rng.randint(2, 28),
            typed_place=rng.random() < 0.5,
        )
        for i, code in enumerate(cells[:count])
    ]


def _echo_app(transport: LocalTransport) -> Application:  # type: ignore[type-arg]
    async def echo(update: Update, _context: Any) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "…")

    async def answer(update: Update, _context: Any) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()

    app = Application.builder().token("1:echo").request(transport).build()
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.add_handler(CallbackQueryHandler(answer))
    return app


def _replay_app(
    transport: LocalTransport, calls: dict[int, list[tuple[str, dict[str, Any]]]]
) -> Application:  # type: ignore[type-arg]
    """For each update, exactly the Bot API calls the bot made for it, and nothing else."""

    async def replay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        for method, params in calls[update.update_id]:
            # Read the answer as the bot's own call does: a sent or edited message.
            kind = Message if method.startswith(("send", "edit")) else None
            await context.bot.do_api_request(method, api_kwargs=params, return_type=kind)

    # do_api_request suggests the named methods; the replay wants the raw calls.
    warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)

    app = Application.builder().token("1:replay").request(transport).build()
    app.add_handler(TypeHandler(Update, replay))
    return app


async def _time_baseline(app: Application, run: Run) -> list[float]:  # type: ignore[type-arg]
    """The run's updates through `app`: a warm-up on the first 200, then each one timed."""
    seconds: list[float] = []
    async with app:
        for payload in run.payloads[:200]:
            await app.process_update(Update.de_json(payload, app.bot))
        for payload in run.payloads:
            started = time.perf_counter()
            await app.process_update(Update.de_json(payload, app.bot))
            seconds.append(time.perf_counter() - started)
    return seconds


def _summary(seconds: list[float]) -> dict[str, float]:
    total = sum(seconds)
    return {
        "updates": len(seconds),
        "mean_ms": ms(total / len(seconds)) if seconds else 0.0,
        "p50_ms": ms(percentile(seconds, 50)),
        "p99_ms": ms(percentile(seconds, 99)),
        "per_second": round(len(seconds) / total, 1) if total else 0.0,
    }


async def measure(
    url: str, org: SyntheticOrg, registered: set[str], policy: Policy, updates: int
) -> dict[str, Any]:
    """`updates` updates (about) through the bot, then the same ones through the echo bot."""
    db = Database(url)
    settings = Settings(_env_file=None, database_url=url, telegram_bot_token="")  # type: ignore[call-arg]
    clock = ManualClock(bench_now())
    transport = LocalTransport()
    # No rate limiter: we measure the bot's work, not Telegram's flood limits.
    app = build_application(
        Deps(settings, db, clock, policy), request=transport, rate_limited=False
    )
    month = next_month_of(clock.now())
    sessions = _sessions(org, registered, updates // 8 + 40, seed=11)
    warmup, sessions = sessions[:20], sessions[20:]
    run = Run()
    async with app:
        driver = Driver(app, transport)
        for s in warmup:
            await play(driver, s, month, None)
        for s in sessions:
            if len(run.seconds) >= updates:
                break
            run.sessions += 1
            run.completed += await play(driver, s, month, run)
    db.dispose()

    echo_seconds = await _time_baseline(_echo_app(LocalTransport()), run)
    calls = {p["update_id"]: c for p, c in zip(run.payloads, run.calls, strict=True)}
    replay_seconds = await _time_baseline(_replay_app(LocalTransport(), calls), run)
    bot, base, replayed = _summary(run.seconds), _summary(echo_seconds), _summary(replay_seconds)
    per_update = sum(len(c) for c in run.calls) / len(run.calls) if run.calls else 0.0
    return {
        "bot": bot,
        "echo": base,
        "replayed_calls": replayed,
        "calls_per_update": round(per_update, 2),
        "ratio_mean": _ratio(bot, base, "mean_ms"),
        "ratio_p50": _ratio(bot, base, "p50_ms"),
        "ratio_p99": _ratio(bot, base, "p99_ms"),
        "replayed_ratio_mean": _ratio(bot, replayed, "mean_ms"),
        "replayed_ratio_p50": _ratio(bot, replayed, "p50_ms"),
        "replayed_ratio_p99": _ratio(bot, replayed, "p99_ms"),
        "mix": dict(sorted(run.kinds.items())),
        "by_kind_p50_ms": _by_kind(run, 50),
        "by_kind_p99_ms": _by_kind(run, 99),
        "sessions": run.sessions,
        "sessions_registered": run.completed,
    }


def _ratio(bot: dict[str, float], base: dict[str, float], key: str) -> float | None:
    return round(bot[key] / base[key], 2) if base[key] else None


def _by_kind(run: Run, q: float) -> dict[str, float]:
    groups: dict[str, list[float]] = {}
    for payload, seconds in zip(run.payloads, run.seconds, strict=True):
        groups.setdefault(_kind(payload), []).append(seconds)
    return {kind: ms(percentile(values, q)) for kind, values in sorted(groups.items())}


def next_month_of(now: datetime) -> str:
    """ "YYYY-MM" of the month after `now`'s (local): the one the sessions register."""
    return Month.of(local_date(now)).next().key
