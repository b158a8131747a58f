"""Updates run concurrently, each chat's (and each user's) in the order they arrived.

python-telegram-bot hands every update to the processor as its own task. This one
lets updates of different chats run at once, so a leader's `/digest` of a big bloc
no longer holds up a secretary's `/status`, while two messages of one chat, or of
one user in two chats, never overtake each other: each waits for the previous
update that shares its chat or its user. The handlers' blocking work runs in
worker threads (handlers.context.ChiboContext.run), so the event loop stays free.

PTB's own bound (`max_concurrent_updates`) is taken before an update's turn comes,
so it is set high and only caps what may wait; `max_running` bounds the updates
actually being handled, taken once it is the update's turn, so one chat's queue
never fills the slots others need.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from services.metrics import UPDATE_SECONDS, UPDATES

MAX_RUNNING = 32
MAX_WAITING = 4096

Key = tuple[str, int]


def order_keys(update: object) -> tuple[Key, ...]:
    """What an update must stay in order with: its chat and its user."""
    if not isinstance(update, Update):
        return ()
    keys: list[Key] = []
    if update.effective_chat is not None:
        keys.append(("chat", update.effective_chat.id))
    if update.effective_user is not None:
        keys.append(("user", update.effective_user.id))
    return tuple(keys)


class PerChatProcessor(BaseUpdateProcessor):
    def __init__(self, max_running: int = MAX_RUNNING) -> None:
        super().__init__(max_concurrent_updates=MAX_WAITING)
        self._running = asyncio.Semaphore(max_running)
        # The last update seen for each key: the next one with that key waits for it.
        self._tails: dict[Key, asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        keys = order_keys(update)
        before = {id(f): f for k in keys if (f := self._tails.get(k)) is not None}
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        for key in keys:
            self._tails[key] = mine
        try:
            if before:
                # wait() neither cancels nor raises what it waits for.
                await asyncio.wait(before.values())
            async with self._running:
                started = time.perf_counter()
                try:
                    await coroutine
                finally:
                    UPDATE_SECONDS.observe(time.perf_counter() - started)
                    UPDATES.inc()
        finally:
            if asyncio.iscoroutine(coroutine):
                with contextlib.suppress(RuntimeError):
                    coroutine.close()  # cancelled before its turn: never started
            mine.set_result(None)
            for key in keys:
                if self._tails.get(key) is mine:
                    del self._tails[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
