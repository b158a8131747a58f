"""What the web views need, handed in by the composition root (bot/web_server.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from domain.policy import Policy
from services.actors import ActorCache
from services.clock import Clock
from storage.db import Database

# (chat id, file name, bytes, caption) → sends the document into the person's chat.
SendDocument = Callable[[int, str, bytes, str], Awaitable[None]]

# The views' database and rendering work runs on its own few threads: a burst of
# dashboard requests can never take the threads the bot's updates need.
WEB_THREADS = 4


@dataclass(frozen=True)
class WebDeps:
    db: Database
    clock: Clock
    policy: Policy
    actors: ActorCache
    bot_token: str
    auth_max_age: timedelta
    locale: str
    send_document: SendDocument
    planner_expected: bool = True
    threads: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(WEB_THREADS, thread_name_prefix="web")
    )
