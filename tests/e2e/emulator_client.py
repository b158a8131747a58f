"""Start the local Telegram Bot API emulator (tests/e2e/emulator) and drive it from tests.

`TelegramEmulator` runs ``node tests/e2e/emulator/server.js`` on a free 127.0.0.1 port and
stops it again; `BotApiClient` is what a test uses: it plays the Telegram users (send text,
send a document, press an inline button), watches what the bot sent, and injects faults
(429 with retry_after, 5xx, hanging requests, 403 "bot was blocked by the user").

Point the bot at the emulator with ``client.base_url`` (BOT_API_BASE_URL; python-telegram-bot
appends the token) and ``client.bot_token``; ``client.bot_env()`` gives both as environment
variables for a bot run as a subprocess (``chibo run``).

Waiting: ``wait_for_bot_messages`` blocks the calling thread, so a test that runs the bot in
its own event loop (python-telegram-bot in-process) must use ``wait_for_bot_messages_async``.
The other calls are quick HTTP requests to another process and are fine from either.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

EMULATOR_DIR = Path(__file__).resolve().parent / "emulator"
SERVER_JS = EMULATOR_DIR / "server.js"
INSTALL_HINT = "npm ci --prefix tests/e2e/emulator"
BLOCKED_BY_USER = "Forbidden: bot was blocked by the user"

_token_numbers = itertools.count(1)


class EmulatorNotInstalled(RuntimeError):
    """The emulator's npm packages are missing."""


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent (``kind == "message"``) or its new state after an edit
    (``kind == "edit"``), as the user sees it: HTML is already stripped from ``text``."""

    seq: int
    kind: str
    method: str
    chat_id: int
    message_id: int
    text: str | None
    reply_markup: dict[str, Any] | None
    parse_mode: str | None
    raw_text: str | None
    message: dict[str, Any] = field(repr=False)

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> BotMessage:
        message = event["message"]
        return cls(
            seq=event["seq"],
            kind=event["type"],
            method=event["method"],
            chat_id=int(event["chat_id"]),
            message_id=int(message["message_id"]),
            text=message.get("text", message.get("caption")),
            reply_markup=event.get("reply_markup"),
            parse_mode=event.get("parse_mode"),
            raw_text=event.get("raw_text"),
            message=message,
        )

    @property
    def edited(self) -> bool:
        return self.kind == "edit"

    @property
    def document(self) -> dict[str, Any] | None:
        return self.message.get("document")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline keyboard buttons, row after row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [b["text"] for b in self.buttons]

    def callback_data(self, button_text: str) -> str:
        """The callback_data of the inline button whose text is (or contains) ``button_text``."""
        for button in self.buttons:
            if button["text"] == button_text and "callback_data" in button:
                return button["callback_data"]
        for button in self.buttons:
            if button_text in button["text"] and "callback_data" in button:
                return button["callback_data"]
        raise LookupError(f"no button {button_text!r} in {self.button_texts}")


Predicate = Callable[[BotMessage], bool]


class BotApiClient:
    """The test's handle on a running emulator, for one bot token."""

    def __init__(self, url: str, bot_token: str, bot_username: str) -> None:
        self.url = url
        self.bot_token = bot_token
        self.bot_username = bot_username
        self._http = httpx.Client(base_url=url, timeout=httpx.Timeout(10.0, read=40.0))
        self._cursors: dict[str, int] = {}
        self._start_seq = 0
        self._names: dict[int, str] = {}  # user id -> first name last used for them

    # -- where the bot connects ---------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """BOT_API_BASE_URL / ``Application.builder().base_url(...)``: the token is appended."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """``Application.builder().base_file_url(...)``, for bots that download user files."""
        return f"{self.url}/file/bot"

    @property
    def bot_id(self) -> int:
        return int(self.bot_token.split(":", 1)[0])

    def bot_env(self) -> dict[str, str]:
        """Environment variables for a bot process (``chibo run``) talking to the emulator."""
        return {
            "TELEGRAM_BOT_TOKEN": self.bot_token,
            "BOT_API_BASE_URL": self.base_url,
            "BOT_USERNAME": self.bot_username,
        }

    def close(self) -> None:
        self._http.close()

    def reset(self) -> None:
        """Forget every message, update, fault and event in the emulator (all tokens)."""
        self._start_seq = self._request("POST", "/_e2e/reset")["seq"]
        self._cursors.clear()

    # -- the user side ------------------------------------------------------------------------
    def send_text(
        self,
        user_id: int,
        chat_id: int,
        text: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        chat_type: str | None = None,
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """User ``user_id`` writes ``text`` in chat ``chat_id`` (``chat_id == user_id`` is the
        private chat with the bot; another id is a group). A leading /command gets its
        bot_command entity. ``first_name`` defaults to the one last used for this user, else
        "Test". Returns the new message's id."""
        body = {
            **self._who(user_id, chat_id, first_name, last_name, username, language_code),
            "text": text,
            "chat_type": chat_type,
            "chat_title": chat_title,
            "reply_to_message_id": reply_to_message_id,
        }
        return int(self._request("POST", "/_e2e/user/message", json=body)["message_id"])

    def send_document(
        self,
        user_id: int,
        chat_id: int,
        content: bytes,
        file_name: str,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        first_name: str | None = None,
    ) -> tuple[int, str]:
        """User sends a file. Returns (message_id, file_id); the bot fetches it with getFile
        and ``base_file_url``."""
        meta = {**self._who(user_id, chat_id, first_name, None, None, "vi"), "caption": caption}
        result = self._request(
            "POST",
            "/_e2e/user/document",
            data={"meta": json.dumps(meta)},
            files={"document": (file_name, content, mime_type)},
        )
        return int(result["message_id"]), str(result["file_id"])

    def press_button(
        self,
        user_id: int,
        message: BotMessage | dict[str, Any],
        callback_data: str,
        *,
        first_name: str | None = None,
    ) -> str:
        """User presses the inline button with ``callback_data`` under the bot's ``message``
        (a `BotMessage` or a Telegram Message dict). The emulator checks the button is on the
        message *now* (after edits). Returns the callback query id."""
        if isinstance(message, BotMessage):
            chat_id, message_id = message.chat_id, message.message_id
        else:
            chat_id, message_id = message["chat"]["id"], message["message_id"]
        body = {
            **self._who(user_id, chat_id, first_name, None, None, "vi"),
            "message_id": message_id,
            "data": callback_data,
        }
        return str(self._request("POST", "/_e2e/user/callback", json=body)["callback_query_id"])

    # -- what the bot did ---------------------------------------------------------------------
    def wait_for_bot_messages(
        self,
        chat_id: int,
        predicate: Predicate | None = None,
        timeout: float = 5.0,
        *,
        count: int = 1,
        include_edits: bool = True,
    ) -> list[BotMessage]:
        """Wait until the bot has sent (or edited) ``count`` messages in ``chat_id`` that match
        ``predicate`` and that no earlier wait on this chat returned; return them in order.

        Each wait moves the chat's cursor past what it returned, so consecutive waits see the
        conversation move on. Raises AssertionError with what the bot did send on timeout."""
        waiter = _Waiter(self, chat_id, predicate, count, include_edits)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            events = self._events(
                waiter.after, types=waiter.types, wait=min(max(remaining, 0), 1.0)
            )
            found = waiter.feed(events)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(waiter.failure(timeout, self._problems()))

    async def wait_for_bot_messages_async(
        self,
        chat_id: int,
        predicate: Predicate | None = None,
        timeout: float = 5.0,
        *,
        count: int = 1,
        include_edits: bool = True,
    ) -> list[BotMessage]:
        """`wait_for_bot_messages` for tests whose bot runs in the same event loop."""
        waiter = _Waiter(self, chat_id, predicate, count, include_edits)
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.url, timeout=httpx.Timeout(10.0)) as http:
            while True:
                remaining = deadline - time.monotonic()
                params = self._events_params(
                    waiter.after, waiter.types, min(max(remaining, 0), 1.0)
                )
                response = await http.get("/_e2e/events", params=params)
                found = waiter.feed(_json(response)["events"])
                if found is not None:
                    return found
                if time.monotonic() >= deadline:
                    raise AssertionError(waiter.failure(timeout, self._problems()))

    def mark(self) -> int:
        """The emulator's latest event number: pass it as ``since`` to wait for what follows."""
        params = {"after": 0, "types": "none", "timeout": "0", "token": self.bot_token}
        return int(self._request("GET", "/_e2e/events", params=params)["seq"])

    def wait_until_polling(self, timeout: float = 10.0, *, since: int | None = None) -> None:
        """Wait for the bot's first getUpdates call since the reset (or since event ``since``,
        e.g. `mark()` taken before restarting the bot): from then on, what users send reaches
        it even if it started with ``drop_pending_updates=True``."""
        deadline = time.monotonic() + timeout
        after = self._start_seq if since is None else max(since, self._start_seq)
        while not self._events(after, types=("poll",), wait=0.5):
            if time.monotonic() >= deadline:
                raise AssertionError(f"the bot did not poll for updates within {timeout}s")

    async def wait_until_polling_async(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        params = self._events_params(self._start_seq, ("poll",), 0.5)
        async with httpx.AsyncClient(base_url=self.url, timeout=httpx.Timeout(10.0)) as http:
            while True:
                response = await http.get(
                    "/_e2e/events", params={**params, "token": self.bot_token}
                )
                if _json(response)["events"]:
                    return
                if time.monotonic() >= deadline:
                    raise AssertionError(f"the bot did not poll for updates within {timeout}s")

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state (after edits and deletions) of every message the bot sent to the chat,
        as Telegram Message dicts."""
        params = {"chat_id": chat_id, "token": self.bot_token}
        return list(self._request("GET", "/_e2e/messages", params=params)["messages"])

    def events(self, *types: str, since: int = 0) -> list[dict[str, Any]]:
        """Raw event log of this bot: call, poll (getUpdates), message, edit, delete,
        callback_answer, pin, fault, unsupported, user_message, user_callback."""
        return self._events(max(since, self._start_seq), types=types or None)

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Bot API calls the bot made (getUpdates excluded), oldest first."""
        return [e for e in self.events("call") if method is None or e["method"] == method]

    def callback_answers(self) -> list[dict[str, Any]]:
        return self.events("callback_answer")

    def unsupported_calls(self) -> list[str]:
        """Bot API methods the bot called that the emulator doesn't implement."""
        return [e["method"] for e in self.events("unsupported")]

    def download_file(self, file_id: str) -> bytes:
        """Content of a file the bot uploaded (BotMessage.document["file_id"], ...)."""
        response = self._http.get("/_e2e/file", params={"file_id": file_id})
        if response.status_code != 200:
            raise LookupError(response.text)
        return response.content

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers: creator, administrator, member, restricted, left, kicked."""
        body = {"chat_id": chat_id, "user_id": user_id, "status": status}
        self._request("POST", "/_e2e/chat_member", json=body)

    # -- fault injection ----------------------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int,
        description: str,
        *,
        count: int | None = 1,
        chat_id: int | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> int:
        """The next ``count`` calls of ``method`` ("*" for any; only those for ``chat_id`` if
        given; ``count=None`` for every call until cleared) answer ``status`` with
        ``description``, without doing anything. Returns the rule id (see `clear_faults`)."""
        body = {
            "token": self.bot_token,
            "method": method,
            "kind": "error",
            "status": status,
            "description": description,
            "count": count,
            "chat_id": chat_id,
            "parameters": parameters,
        }
        return int(self._request("POST", "/_e2e/faults", json=body)["id"])

    def rate_limit(
        self,
        method: str,
        *,
        count: int | None = 1,
        retry_after: int = 1,
        chat_id: int | None = None,
    ) -> int:
        """429 Too Many Requests with ``parameters.retry_after`` (PTB raises RetryAfter)."""
        return self.fail(
            method,
            429,
            f"Too Many Requests: retry after {retry_after}",
            count=count,
            chat_id=chat_id,
            parameters={"retry_after": retry_after},
        )

    def server_error(
        self, method: str, *, count: int | None = 1, status: int = 502, chat_id: int | None = None
    ) -> int:
        """A 5xx answer (PTB raises NetworkError)."""
        phrases = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
        return self.fail(
            method, status, phrases.get(status, "Server Error"), count=count, chat_id=chat_id
        )

    def hang(
        self,
        method: str,
        *,
        count: int | None = 1,
        seconds: float = 30.0,
        chat_id: int | None = None,
    ) -> int:
        """Never answer: the connection is dropped after ``seconds`` unless the bot gives up
        first (PTB raises TimedOut after its read timeout). The call has no effect."""
        body = {
            "token": self.bot_token,
            "method": method,
            "kind": "hang",
            "seconds": seconds,
            "count": count,
            "chat_id": chat_id,
        }
        return int(self._request("POST", "/_e2e/faults", json=body)["id"])

    def block_chat(self, chat_id: int, description: str = BLOCKED_BY_USER) -> int:
        """Every call aimed at ``chat_id`` answers 403 (PTB raises Forbidden) until
        `unblock_chat`/`clear_faults`."""
        return self.fail("*", 403, description, count=None, chat_id=chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        faults = self._request("GET", "/_e2e/faults")["faults"]
        for rule in faults:
            if rule.get("chat_id") == str(chat_id) and rule["status"] == 403:
                self.clear_faults(rule["id"])

    def clear_faults(self, fault_id: int | None = None) -> None:
        self._request("POST", "/_e2e/faults/clear", json={"id": fault_id})

    def faults_hit(self) -> list[dict[str, Any]]:
        return self.events("fault")

    # -- internals ----------------------------------------------------------------------------
    def _who(
        self,
        user_id: int,
        chat_id: int,
        first_name: str | None,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> dict[str, Any]:
        first_name = first_name or self._names.get(user_id, "Test")
        self._names[user_id] = first_name
        user = {
            "id": user_id,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
        }
        return {"token": self.bot_token, "user": user, "chat_id": chat_id}

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        return _json(self._http.request(method, path, **kwargs))

    @staticmethod
    def _events_params(after: int, types: Iterable[str] | None, wait: float) -> dict[str, Any]:
        params: dict[str, Any] = {"after": after, "timeout": f"{wait:.3f}"}
        if types:
            params["types"] = ",".join(types)
        return params

    def _events(
        self, after: int, *, types: Iterable[str] | None = None, wait: float = 0.0
    ) -> list[dict[str, Any]]:
        params = {**self._events_params(after, types, wait), "token": self.bot_token}
        return list(self._request("GET", "/_e2e/events", params=params)["events"])

    def _problems(self) -> str:
        lines = []
        for e in self._events(self._start_seq, types=("fault", "unsupported")):
            lines.append(f"  {e['type']}: {e['method']} {e.get('status', '')}".rstrip())
        return "\n".join(lines)


class _Waiter:
    """Bookkeeping shared by the sync and async waits."""

    def __init__(
        self,
        client: BotApiClient,
        chat_id: int,
        predicate: Predicate | None,
        count: int,
        include_edits: bool,
    ) -> None:
        self.client = client
        self.chat_key = str(chat_id)
        self.predicate = predicate or (lambda _m: True)
        self.count = count
        self.types = ("message", "edit") if include_edits else ("message",)
        self.cursor = client._cursors.get(self.chat_key, client._start_seq)
        self.after = self.cursor
        self.seen: list[BotMessage] = []
        self.matched: list[BotMessage] = []

    def feed(self, events: list[dict[str, Any]]) -> list[BotMessage] | None:
        for event in events:
            self.after = max(self.after, event["seq"])
            if event["chat_id"] != self.chat_key or event["seq"] <= self.cursor:
                continue
            message = BotMessage.from_event(event)
            self.seen.append(message)
            if self.predicate(message):
                self.matched.append(message)
        if len(self.matched) >= self.count:
            found = self.matched[: self.count]
            self.client._cursors[self.chat_key] = found[-1].seq
            return found
        return None

    def failure(self, timeout: float, problems: str) -> str:
        seen = "\n".join(
            f"  #{m.message_id} {m.kind} via {m.method}: {m.text!r} buttons={m.button_texts}"
            for m in self.seen
        )
        return (
            f"bot did not send {self.count} matching message(s) to chat {self.chat_key} within "
            f"{timeout}s (got {len(self.matched)}).\nWhat it sent there since the last wait:\n"
            f"{seen or '  nothing'}"
            + (f"\nFaults and unsupported calls:\n{problems}" if problems else "")
        )


def _json(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(
            f"emulator answered {response.status_code} to {response.request.method} "
            f"{response.request.url.path}: {response.text}"
        )
    return response.json()


class TelegramEmulator:
    """The emulator process: ``start()`` it, get clients with ``client()``, ``stop()`` it."""

    def __init__(
        self,
        *,
        bot_username: str = "ChiBoBot",
        node: str | None = None,
        startup_timeout: float = 15.0,
    ) -> None:
        self.bot_username = bot_username
        self.node = node or shutil.which("node")
        self.startup_timeout = startup_timeout
        self.port: int | None = None
        self.output: deque[str] = deque(maxlen=500)
        self._proc: subprocess.Popen[str] | None = None
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the emulator is not started")
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self.node is None:
            raise FileNotFoundError("node is not installed")
        if not (EMULATOR_DIR / "node_modules" / "telegram-test-api").is_dir():
            raise EmulatorNotInstalled(
                f"the Telegram Bot API emulator's npm packages are missing: run `{INSTALL_HINT}`"
            )
        self._proc = subprocess.Popen(
            [
                self.node,
                str(SERVER_JS),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--bot-username",
                self.bot_username,
                "--watch-stdin",  # it exits if we die without stopping it
            ],
            cwd=EMULATOR_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NODE_ENV": "test"},
        )
        threading.Thread(target=self._read_output, name="emulator-output", daemon=True).start()
        if not self._ready.wait(self.startup_timeout) or self.port is None:
            self.stop()
            raise RuntimeError(
                "the Telegram Bot API emulator did not start:\n" + "\n".join(self.output)
            )

    def _read_output(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            line = line.rstrip("\n")
            match = re.fullmatch(r"READY (\d+)", line)
            if match and not self._ready.is_set():
                self.port = int(match.group(1))
                self._ready.set()
            else:
                self.output.append(line)
        self._ready.set()  # the process ended: don't make start() wait for nothing

    def client(self, bot_token: str | None = None, *, reset: bool = True) -> BotApiClient:
        """A client for ``bot_token`` (a fresh one by default), after resetting the emulator."""
        if bot_token is None:
            n = next(_token_numbers)
            bot_token = f"{7_000_000_000 + n}:E2E-test-token-{os.getpid()}-{n}"
        client = BotApiClient(self.url, bot_token, self.bot_username)
        if reset:
            client.reset()
        return client

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stdin is not None:
            proc.stdin.close()

    def __enter__(self) -> TelegramEmulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class BotProcess:
    """A bot run as a subprocess (e.g. ``chibo run``) against the emulator.

    ``with BotProcess(["chibo", "run"], bot_api.bot_env()) as bot: ...`` starts it with those
    variables added to the environment, and on exit stops it with SIGTERM (what PTB's
    ``run_polling`` handles), killing it after ``stop_timeout``. ``bot.output()`` is what it
    printed so far (stdout and stderr), handy in assertion messages."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        *,
        cwd: str | os.PathLike[str] | None = None,
        stop_timeout: float = 10.0,
    ) -> None:
        self.args = args
        self.env = {**os.environ, **env}
        self.cwd = cwd
        self.stop_timeout = stop_timeout
        self.returncode: int | None = None
        self._lines: deque[str] = deque(maxlen=2000)
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self._proc = subprocess.Popen(
            self.args,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, name="bot-output", daemon=True).start()

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self._lines)

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> int | None:
        proc = self._proc
        if proc is None:
            return self.returncode
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.returncode = proc.returncode
        return self.returncode

    def kill(self) -> int | None:
        """SIGKILL: no shutdown handlers, no final getUpdates, as in a crash or `kill -9`."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        self.returncode = proc.returncode if proc is not None else self.returncode
        return self.returncode

    def __enter__(self) -> BotProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``condition`` every 20 ms until it holds (AssertionError after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.02)
