"""A small Telegram Bot API stand-in over HTTP on 127.0.0.1, with Telegram's flood limits.

It answers the calls the bot makes (getMe, setWebhook, sendMessage, sendDocument,
answerCallbackQuery, edits, …) the way Telegram does, records every call, and can
enforce the documented limits: at most `overall_per_second` messages in any
1-second window and `group_per_minute` per group chat (negative chat id) in any
60-second window. A message over a limit is refused with HTTP 429 and
`retry_after` (and is not counted), like Telegram's "Too Many Requests".

Plain asyncio streams (no web framework), HTTP/1.1 with keep-alive, served from a
background thread with its own event loop; it listens on loopback only and stops
by itself after `lifetime` seconds. Used by the outbound benchmark and by the
webhook and scale-out tests.

    with FakeBotApi(overall_per_second=30, group_per_minute=20) as api:
        env["BOT_API_BASE_URL"] = api.base_url
        ...
        api.sent()   # the messages accepted, in order

Users' updates for a polling bot: `push(update)` queues one; getUpdates long-polls
for them and, as Telegram does, serves an update again until a later call's
`offset` confirms it; `redeliver()` puts back every update served since, as Telegram
does for a bot that died before confirming. `hold(predicate)` keeps the answer to
matching calls until `release()`: a test can kill the bot while Telegram has a
message but the bot never heard back.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import math
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

from bot.transport import BOT_ID, bot_user, inline_buttons

HOST = "127.0.0.1"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when it arrived
    status: int = 200
    files: dict[str, int] = field(default_factory=dict)  # field name → size in bytes
    path: str = ""  # the request path: tells apart clients given different base URLs

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return inline_buttons(self.params)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def is_message(self) -> bool:
        return self.method.startswith("send")


class FakeBotApi:
    def __init__(
        self,
        *,
        overall_per_second: int | None = None,
        group_per_minute: int | None = None,
        bot_username: str = "ChiBoBot",
        lifetime: float = 900.0,
        delay: float = 0.0,
        failing: frozenset[str] = frozenset(),
    ) -> None:
        self.overall_per_second = overall_per_second
        self.group_per_minute = group_per_minute
        self.bot_username = bot_username
        self.lifetime = lifetime
        self.delay = delay  # seconds before each answer, like a network round trip
        self.failing = failing  # methods answered 400 Bad Request, to make a handler fail
        self.calls: list[Call] = []
        self.port = 0
        self._lock = threading.Lock()
        self._message_ids = itertools.count(1)
        self._recent: collections.deque[float] = collections.deque()
        self._groups: dict[int, collections.deque[float]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._updates: list[dict[str, Any]] = []  # pushed and not yet confirmed
        self._served: list[dict[str, Any]] = []  # every update ever served
        self._pushed: asyncio.Event | None = None
        self._hold: Any = None
        self.holding = threading.Event()
        self._released: asyncio.Event | None = None

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        self._thread = threading.Thread(target=self._serve_thread, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake Bot API did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What BOT_API_BASE_URL should be (python-telegram-bot appends the token)."""
        return f"http://{HOST}:{self.port}/bot"

    def _serve_thread(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._pushed = asyncio.Event()
        self._released = asyncio.Event()
        server = await asyncio.start_server(self._connection, HOST, 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.lifetime)
        server.close()

    # -- what was seen ----------------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Messages accepted (HTTP 200), optionally to one chat."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c.is_message and c.status == 200 and (chat_id is None or c.chat_id == chat_id)
            ]

    def refused(self) -> list[Call]:
        """Messages answered 429 (over a flood limit)."""
        with self._lock:
            return [c for c in self.calls if c.status == 429]

    def methods(self, name: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == name]

    def push(self, update: dict[str, Any]) -> None:
        """A user's update, for the bot's next getUpdates."""
        with self._lock:
            self._updates.append(update)
        if self._loop is not None and self._pushed is not None:
            self._loop.call_soon_threadsafe(self._pushed.set)

    def redeliver(self) -> None:
        """Serve again every update served before: their confirmation never came."""
        with self._lock:
            known = {u["update_id"] for u in self._updates}
            again = [u for u in self._served if u["update_id"] not in known]
            self._updates = sorted(again + self._updates, key=lambda u: u["update_id"])
        if self._loop is not None and self._pushed is not None:
            self._loop.call_soon_threadsafe(self._pushed.set)

    def confirmed(self, update_id: int) -> bool:
        """Whether the bot has asked for updates past `update_id` (so it has it)."""
        with self._lock:
            return any(
                int(c.params.get("offset") or 0) > update_id
                for c in self.calls
                if c.method == "getUpdates"
            )

    def hold(self, predicate: Any) -> None:
        """Do not answer calls matching `predicate(call)` until `release()`."""
        self.holding.clear()
        self._hold = predicate

    def release(self) -> None:
        self._hold = None
        if self._loop is not None and self._released is not None:
            self._loop.call_soon_threadsafe(self._released.set)

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.05)
        return bool(predicate(self))

    # -- HTTP -------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                if len(parts) < 2:
                    break
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                call, status, payload = self._handle(
                    parts[1], headers.get("content-type", ""), body
                )
                if payload.get("result") == _POLL:
                    payload["result"] = await self._poll(call.params)
                held = self._hold
                if held is not None and held(call):
                    self.holding.set()
                    assert self._released is not None
                    self._released.clear()
                    await self._released.wait()
                if self.delay:
                    await asyncio.sleep(self.delay)
                data = json.dumps(payload).encode()
                reason = {
                    200: "OK",
                    400: "Bad Request",
                    404: "Not Found",
                    429: "Too Many Requests",
                }.get(status, "OK")
                writer.write(
                    f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (
            asyncio.IncompleteReadError,
            ConnectionError,
            asyncio.LimitOverrunError,
            asyncio.CancelledError,  # stopping while a long poll or a held answer waits
        ):
            pass
        finally:
            writer.close()

    def _handle(
        self, path: str, content_type: str, body: bytes
    ) -> tuple[Call, int, dict[str, Any]]:
        method = path.rsplit("/", 1)[-1].split("?", 1)[0]
        params, files = _parse(content_type, body)
        call = Call(method, params, time.monotonic(), files=files, path=path)
        with self._lock:
            self.calls.append(call)
            if method in self.failing:
                call.status = 400
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: test"}
            if call.is_message:
                wait = self._over_limit(call)
                if wait is not None:
                    call.status = 429
                    return (
                        call,
                        429,
                        {
                            "ok": False,
                            "error_code": 429,
                            "description": f"Too Many Requests: retry after {wait}",
                            "parameters": {"retry_after": wait},
                        },
                    )
            message_id = next(self._message_ids)
        return call, 200, {"ok": True, "result": self._result(method, params, message_id)}

    async def _poll(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """getUpdates: confirm below `offset`, then what is pending, waiting up to `timeout`."""
        offset = int(params.get("offset") or 0)
        assert self._pushed is not None
        deadline = time.monotonic() + _long_poll_seconds(params)
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates:
                    batch = list(self._updates)
                    served = {u["update_id"] for u in self._served}
                    self._served += [u for u in batch if u["update_id"] not in served]
                    return batch
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            self._pushed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._pushed.wait(), left)

    def _over_limit(self, call: Call) -> int | None:
        """Seconds to wait if this message breaks a limit; else count it and return None."""
        now = call.at
        recent = self._recent
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        if self.overall_per_second is not None and len(recent) >= self.overall_per_second:
            return max(1, math.ceil(recent[0] + 1.0 - now))
        chat = call.chat_id
        group = self._groups.setdefault(chat, collections.deque()) if chat and chat < 0 else None
        if group is not None:
            while group and group[0] <= now - 60.0:
                group.popleft()
            if self.group_per_minute is not None and len(group) >= self.group_per_minute:
                return max(1, math.ceil(group[0] + 60.0 - now))
            group.append(now)
        recent.append(now)
        return None

    def _result(self, method: str, params: dict[str, Any], message_id: int) -> Any:
        if method == "getMe":
            return bot_user(self.bot_username)
        if method == "getUpdates":
            return _POLL
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if method.startswith(("send", "edit")) and "chat_id" in params:
            chat_id = int(params["chat_id"])
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id") or message_id),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Chi bộ bot"},
                "text": str(params.get("text") or ""),
            }
            if method == "sendDocument":
                message["document"] = {"file_id": f"f{message_id}", "file_unique_id": "u"}
            return message
        return True


_POLL = "__poll__"  # getUpdates: answered by _poll, asynchronously


def _long_poll_seconds(params: dict[str, Any]) -> float:
    return min(float(params.get("timeout") or 0), 10.0)


def _parse(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, int]]:
    """Form fields of a urlencoded, JSON or multipart body; file parts by size only."""
    if not body:
        return {}, {}
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        value = json.loads(body)
        return (value if isinstance(value, dict) else {}), {}
    if kind == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        params: dict[str, Any] = {}
        files: dict[str, int] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                files[name] = len(payload)
            else:
                params[name] = payload.decode("utf-8", "replace")
        return params, files
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}, {}
