"""An in-process stand-in for the Telegram Bot API (python-telegram-bot's BaseRequest).

The sandbox and the handler tests run the real Application on it: every call the
bot makes is recorded and answered the way Telegram would, without any network.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 7_000_000_001


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return inline_buttons(self.params)


def inline_buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback_data or url) of every inline button of a call, in reading order."""
    markup = params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [
        (b["text"], b.get("callback_data") or b.get("url") or _web_app_url(b))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


def _web_app_url(button: dict[str, Any]) -> str:
    web_app = button.get("web_app") or {}
    return str(web_app.get("url", "")) if isinstance(web_app, dict) else ""


def bot_user(username: str) -> dict[str, Any]:
    """What getMe answers: the bot's own Telegram user."""
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Chi bộ bot",
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


class InMemoryRequest(BaseRequest):
    """A Bot API transport with nothing to open or close: subclasses answer in-process."""

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0


class LocalTransport(InMemoryRequest):
    def __init__(self, bot_username: str = "ChiBoBot") -> None:
        self.bot_username = bot_username
        self.calls: list[ApiCall] = []
        self._message_ids = itertools.count(1000)
        self._uploading_document = False

    async def do_request(  # type: ignore[override]  # PTB's signature, keyword-only extras folded
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if request_data is not None:
            params = {k: _decode(v) for k, v in request_data.json_parameters.items()}
            if request_data.contains_files:
                for name, part in request_data.multipart_data.items():
                    if isinstance(part, tuple) and len(part) >= 2 and isinstance(part[1], bytes):
                        files[name] = part[1]
        self.calls.append(ApiCall(api_method, params, files))
        self._uploading_document = api_method == "sendDocument" and "document" in files
        result = self._answer(api_method, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answer(self, api_method: str, params: dict[str, Any]) -> Any:
        if api_method == "getMe":
            return bot_user(self.bot_username)
        if api_method == "getUpdates":
            return []
        if api_method.startswith(("send", "edit")) and "chat_id" in params:
            return self._message(params)
        return True

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": int(params.get("message_id") or next(self._message_ids)),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Chi bộ bot"},
            "text": params.get("text") or "",
        }
        markup = params.get("reply_markup")
        # Telegram returns only an inline keyboard with the message (not a ForceReply).
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        if "document" in params or self._uploading_document:
            # Telegram answers a document with its file id, reusable for later sends.
            file_id = params.get("document")
            if not isinstance(file_id, str) or file_id.startswith("attach://"):
                file_id = f"uploaded-{message['message_id']}"
            message["document"] = {"file_id": file_id, "file_unique_id": file_id}
        return message

    # Helpers for tests and the sandbox.
    def sent(self, chat_id: int | None = None) -> list[ApiCall]:
        """Messages sent or edited, optionally to one chat."""
        return [
            c
            for c in self.calls
            if c.method.startswith(("send", "edit")) and (chat_id is None or c.chat_id == chat_id)
        ]

    def take(self) -> list[ApiCall]:
        """Calls since the last take, then forget them."""
        calls, self.calls = self.calls, []
        return calls


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value
