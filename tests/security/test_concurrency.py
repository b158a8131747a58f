"""One slow request does not stall every chat; one chat's updates keep their order.

The real Application with its update processor (bot/processor.py): updates go
through `update_queue`, as polling and the webhook put them. A leader's /digest is
held in its worker thread (its build waits for an event); meanwhile another
chat's /help is answered, and the leader's own next message waits its turn.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from telegram import Update

from handlers import leadership
from tests.auxil.cast import BY_KEY
from tests.auxil.updates import BotHarness, User

LEADER = BY_KEY["leader"].user
SECRETARY = BY_KEY["secretary_a"].user


def _message(user: User, text: str, update_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_780_000_000,
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": user.as_dict(),
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def _until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def test_a_held_digest_does_not_stall_another_chat_and_its_chat_keeps_order(
    cast: Any, bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_build = leadership.service.build_digest

    def slow_build(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(20)  # a big bloc's digest, taking its time
        return real_build(*args, **kwargs)

    monkeypatch.setattr(leadership.service, "build_digest", slow_build)
    app, sent = bot.app, bot.transport

    def replies_to(user: User) -> list[str]:
        return [c.text for c in sent.calls if c.chat_id == user.id and c.method.startswith("send")]

    await app.start()
    try:
        for n, (user, text) in enumerate(
            [(LEADER, "/digest"), (LEADER, "/help"), (SECRETARY, "/help")], start=8_000_001
        ):
            await app.update_queue.put(Update.de_json(_message(user, text, n), app.bot))
        # The secretary is answered while the leader's digest is still being built …
        assert await _until(lambda: bool(replies_to(SECRETARY)))
        assert not release.is_set() and replies_to(LEADER) == []  # … and the leader's
        # /help waits behind her /digest, in her chat's order.
        release.set()
        assert await _until(lambda: len(replies_to(LEADER)) >= 4)
        first, *_, last = replies_to(LEADER)
        assert "Tổng hợp" in first or "tổng hợp" in first.lower()
        assert "/status" in last or "/digest" in last  # the /help text came last
    finally:
        release.set()
        await app.stop()
