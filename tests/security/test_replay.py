"""A re-delivered update is applied once: in-process, and across a SIGKILL and restart.

Telegram delivers an update again when the bot did not confirm it (its offset)
before dying. The update's id is committed with the state it changed
(storage.handled_updates), so the repeat changes nothing and says nothing.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Update

from bench.fake_bot_api import FakeBotApi
from domain.localtime import to_local
from storage.db import Database
from storage.models import DialogState, HandledUpdate
from tests.auxil.cast import BY_KEY
from tests.auxil.policy_files import without_quiet_hours
from tests.auxil.updates import BotHarness, User, button, texts

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:REPLAY-TEST"
SECRETARY = BY_KEY["secretary_a"].user


async def test_the_same_update_twice_moves_the_dialog_once(cast: Any, bot: BotHarness) -> None:
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    await bot.press(SECRETARY, button(calls, "thường kỳ"))
    payload = {
        "update_id": 7_000_001,
        "message": {
            "message_id": 7_000_001,
            "date": 1_780_000_000,
            "chat": {"id": SECRETARY.id, "type": "private", "first_name": "B"},
            "from": SECRETARY.as_dict(),
            "text": "5/12 14:00",
        },
    }
    first = await _process(bot, payload)
    assert "địa điểm" in texts(first)
    with bot.app.bot_data["deps"].db.transaction() as session:
        state = session.get(DialogState, SECRETARY.id)
        assert state is not None
        step, token = state.step, state.token
    again = await _process(bot, payload)
    assert again == []  # the repeat says nothing …
    with bot.app.bot_data["deps"].db.transaction() as session:
        state = session.get(DialogState, SECRETARY.id)
        assert state is not None and (state.step, state.token) == (
            step,
            token,
        )  # … and moves nothing
        assert session.scalar(select(func.count()).select_from(HandledUpdate)) >= 1


async def _process(bot: BotHarness, payload: dict[str, Any]) -> list[Any]:
    bot.transport.take()
    await bot.app.process_update(Update.de_json(payload, bot.app.bot))
    return [c for c in bot.transport.take() if c.method != "getMe"]


# --- a real process, killed right after it answered ----------------------------------

_ids = itertools.count(int(time.time()))


def _user(user: User) -> dict[str, Any]:
    return user.as_dict()


def _text(user: User, text: str) -> dict[str, Any]:
    n = next(_ids)
    message: dict[str, Any] = {
        "message_id": n,
        "date": int(time.time()),
        "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
        "from": _user(user),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": n, "message": message}


def _press(user: User, data: str) -> dict[str, Any]:
    n = next(_ids)
    return {
        "update_id": n,
        "callback_query": {
            "id": str(n),
            "from": _user(user),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": n,
                "date": int(time.time()),
                "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
                "from": {"id": 1, "is_bot": True, "first_name": "bot"},
                "text": "…",
            },
        },
    }


class _Bot:
    """`chibo run` (long polling) against the fake Bot API; SIGKILL on demand."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def _replies(api: FakeBotApi, user: User) -> list[Any]:
    """The bot's dialog messages to the user (the scheduler's reminders left out: the
    bot runs on the real clock and may remind her meanwhile)."""
    return [c for c in api.sent(user.id) if c.method == "sendMessage" and "Nhắc việc" not in c.text]


def _say(api: FakeBotApi, user: User, update: dict[str, Any], log: Path) -> Any:
    """Push one update; return the bot's next message to the user."""
    before = len(_replies(api, user))
    api.push(update)
    assert api.wait_for(lambda a: len(_replies(a, user)) > before, 30), log.read_text()
    return _replies(api, user)[before]


def _button(reply: Any, text: str) -> str:
    for label, data in reply.buttons:
        if text in label:
            return data
    raise AssertionError(f"no button {text!r} in {reply.buttons}")


def test_killed_right_after_a_reply_the_redelivered_step_is_applied_once(
    cast: Any, db: Database, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    today = to_local(now).date()
    if (to_local(now) + timedelta(minutes=10)).date() != today:
        pytest.skip("too close to midnight in Hà Nội: the typed date would change")
    log = tmp_path / "bot.log"
    with FakeBotApi() as api:
        env = {
            **os.environ,
            "DATABASE_URL": db.url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "BOT_API_BASE_URL": api.base_url,
            "POLICY_FILE": str(without_quiet_hours(tmp_path)),
            "PYTHONUNBUFFERED": "1",
        }
        bot = _Bot(env, log)
        try:
            reply = _say(api, SECRETARY, _text(SECRETARY, "/record"), log)
            reply = _say(api, SECRETARY, _press(SECRETARY, _button(reply, "thường kỳ")), log)
            reply = _say(api, SECRETARY, _press(SECRETARY, _button(reply, "Có")), log)
            reply = _say(api, SECRETARY, _text(SECRETARY, f"{today:%d/%m/%Y}"), log)
            assert "bao lâu" in reply.text, reply.text

            # The duration: Telegram gets the answer ("how many members?"), but the bot
            # never hears back, and dies before it has confirmed the update.
            api.hold(lambda call: call.method == "sendMessage")
            duration = _text(SECRETARY, "90")
            api.push(duration)
            assert api.holding.wait(30), log.read_text()
            bot.kill()
        finally:
            bot.stop()
        api.release()
        asked = _replies(api, SECRETARY)[-1]
        assert "đảng viên" in asked.text and "phút" not in asked.text, asked.text

        api.redeliver()  # Telegram serves the unconfirmed update to the next process
        bot = _Bot(env, log)
        try:
            assert api.wait_for(lambda a: a.confirmed(duration["update_id"]), 30), log.read_text()
            # The repeat moved nothing: the dialog still asks for the member count …
            _wait_quiet(api)
            assert _replies(api, SECRETARY)[-1] is asked
            state = _dialog(db)
            assert state["step"] == "total", state
            assert state["data"]["duration_minutes"] == 90
            assert "total_members" not in state["data"]
            # … and the next answer lands on that step.
            reply = _say(api, SECRETARY, _text(SECRETARY, "12"), log)
            assert "bao nhiêu đảng viên dự" in reply.text, reply.text
            assert _dialog(db)["data"]["total_members"] == 12
        finally:
            bot.stop()


def _wait_quiet(api: FakeBotApi, seconds: float = 1.0) -> None:
    """Until the API saw no call but polling for `seconds` (the bot has done its work)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        calls = [c for c in api.calls if c.method != "getUpdates"]
        last = calls[-1].at if calls else 0.0
        if time.monotonic() - last >= seconds:
            return
        time.sleep(0.1)


def _dialog(db: Database) -> dict[str, Any]:
    with db.transaction() as session:
        state = session.get(DialogState, SECRETARY.id)
        assert state is not None
        return {"step": state.step, "data": json.loads(json.dumps(state.data))}
