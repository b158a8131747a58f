"""Drives the real Application with fake updates through process_update.

Replies are captured by bot.transport.LocalTransport, so a test reads exactly
what the user would see: the text and the buttons.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.transport import ApiCall, LocalTransport

# One sequence for every harness of the run: like Telegram's, an update id is never
# reused, so a restarted Application on the same database does not take a new update
# for a re-delivered one (storage.handled_updates).
_ids = itertools.count(1)


@dataclass(frozen=True)
class User:
    id: int
    first_name: str = "Nguyễn Văn"
    last_name: str = "An"
    language_code: str = "vi"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "language_code": self.language_code,
        }


class BotHarness:
    def __init__(self, application: Application, transport: LocalTransport) -> None:  # type: ignore[type-arg]
        self.app = application
        self.transport = transport
        self._ids = _ids

    def _chat(self, user: User, chat_id: int | None, chat_type: str) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": user.id, "type": "private", "first_name": user.first_name}
        return {"id": chat_id, "type": chat_type, "title": "Nhóm lãnh đạo"}

    async def send(
        self,
        user: User,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        when: datetime | None = None,
    ) -> list[ApiCall]:
        """The user types `text`; returns what the bot sent in answer."""
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(when.timestamp() if when else 1_780_000_000),
            "chat": self._chat(user, chat_id, chat_type),
            "from": user.as_dict(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._process({"update_id": next(self._ids), "message": message})

    async def send_document(self, user: User, file_name: str, size: int = 20_000) -> list[ApiCall]:
        """The user sends a file (only its metadata travels, as with Telegram)."""
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": 1_780_000_000,
            "chat": self._chat(user, None, "private"),
            "from": user.as_dict(),
            "document": {
                "file_id": f"file-{file_name}",
                "file_unique_id": file_name,
                "file_name": file_name,
                "file_size": size,
            },
        }
        return await self._process({"update_id": next(self._ids), "message": message})

    async def press(self, user: User, data: str, *, message_id: int = 1) -> list[ApiCall]:
        """The user presses an inline button carrying `data`."""
        query = {
            "id": str(next(self._ids)),
            "from": user.as_dict(),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 1_780_000_000,
                "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
                "from": {"id": 1, "is_bot": True, "first_name": "bot"},
                "text": "…",
            },
        }
        return await self._process({"update_id": next(self._ids), "callback_query": query})

    async def _process(self, payload: dict[str, Any]) -> list[ApiCall]:
        self.transport.take()
        await self.app.process_update(Update.de_json(payload, self.app.bot))
        return [c for c in self.transport.take() if c.method != "getMe"]


def texts(calls: list[ApiCall]) -> str:
    """Everything the user saw, messages and pop-up answers, as one string."""
    return "\n".join(c.text for c in calls)


def button(calls: list[ApiCall], text: str) -> str:
    """The callback data of the button whose label contains `text` in the last message."""
    for call in reversed(calls):
        for label, data in call.buttons:
            if text in label:
                return data
    shown = [b for c in calls for b, _ in c.buttons]
    raise AssertionError(f"no button with {text!r}; buttons: {shown}")
