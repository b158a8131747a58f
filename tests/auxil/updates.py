"""The one update factory: Telegram updates as dicts, and a harness that feeds them to the
real Application through `process_update`.

Replies are captured by `bot.transport.LocalTransport`, so a test reads exactly what the
user would see: the text and the buttons. The common cases are methods of `BotHarness`
(`send`, `send_document`, `press`); anything else (edits, channel posts, photos, a button
under a group message) is built here and handed to `deliver`.
"""

from __future__ import annotations

import itertools
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.transport import ApiCall, LocalTransport

# One sequence for every update, message and query id of the run: like Telegram's, an
# update id is never reused, so a restarted Application on the same database does not
# take a new update for a re-delivered one (storage.handled_updates).
_ids = itertools.count(1)
DATE = 1_780_000_000
GROUP = -100_777


@dataclass(frozen=True)
class User:
    id: int
    first_name: str = "Nguyễn Văn"
    last_name: str = "An"
    language_code: str = "vi"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "language_code": self.language_code,
        }


def private_chat(user: User) -> dict[str, Any]:
    return {"id": user.id, "type": "private", "first_name": user.first_name}


def group_chat(chat_id: int = GROUP, chat_type: str = "supergroup") -> dict[str, Any]:
    return {"id": chat_id, "type": chat_type, "title": "Nhóm lãnh đạo"}


def message(
    user: User | None,
    *,
    text: str | None = None,
    chat: dict[str, Any] | None = None,
    document: dict[str, Any] | None = None,
    photo: list[dict[str, Any]] | None = None,
    caption: str | None = None,
    when: datetime | None = None,
) -> dict[str, Any]:
    """A message from `user` (None: a channel post) in `chat` (default: their private chat)."""
    body: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(when.timestamp()) if when else DATE,
        "chat": chat or (private_chat(user) if user else group_chat()),
    }
    if user is not None:
        body["from"] = user.as_dict()
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            command = text.split()[0] if text.split() else text
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    if document is not None:
        body["document"] = document
    if photo is not None:
        body["photo"] = photo
    if caption is not None:
        body["caption"] = caption
    return body


def document(size: int = 20_000, name: str = "bien-ban.pdf") -> dict[str, Any]:
    """A file's metadata, as Telegram sends it (the bytes stay on Telegram's servers)."""
    return {
        "file_id": f"file-{name}",
        "file_unique_id": name,
        "file_name": name,
        "mime_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
        "file_size": size,
    }


def photo(largest: int) -> list[dict[str, Any]]:
    """A phone photo as Telegram sends it: the same picture in sizes, smallest first."""
    n = next(_ids)
    sizes = [(90, 68, 1_500), (320, 240, 20_000), (1280, 960, largest // 2), (2560, 1920, largest)]
    return [
        {
            "file_id": f"PH{n}-{w}",
            "file_unique_id": f"P{n}-{w}",
            "width": w,
            "height": h,
            "file_size": size,
        }
        for w, h, size in sizes
    ]


def callback(
    user: User, data: str, *, chat: dict[str, Any] | None = None, message_id: int | None = None
) -> dict[str, Any]:
    """A press of an inline button carrying `data` under a bot message in `chat`."""
    return {
        "id": str(next(_ids)),
        "from": user.as_dict(),
        "chat_instance": "ci",
        "data": data,
        "message": {
            "message_id": next(_ids) if message_id is None else message_id,
            "date": DATE,
            "chat": chat or private_chat(user),
            "from": {"id": 1, "is_bot": True, "first_name": "bot"},
            "text": "…",
        },
    }


class BotHarness:
    def __init__(self, application: Application, transport: LocalTransport) -> None:  # type: ignore[type-arg]
        self.app = application
        self.transport = transport

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
        chat = None
        if chat_type != "private":
            chat = group_chat(GROUP if chat_id is None else chat_id, chat_type)
        return await self.deliver(message=message(user, text=text, chat=chat, when=when))

    async def send_document(self, user: User, file_name: str, size: int = 20_000) -> list[ApiCall]:
        """The user sends a file (only its metadata travels, as with Telegram)."""
        return await self.deliver(message=message(user, document=document(size, file_name)))

    async def press(self, user: User, data: str, *, message_id: int = 1) -> list[ApiCall]:
        """The user presses an inline button carrying `data`."""
        return await self.deliver(callback_query=callback(user, data, message_id=message_id))

    async def deliver(self, **update: Any) -> list[ApiCall]:
        """Process one update (`message=…`, `edited_message=…`, `channel_post=…`, …)."""
        self.transport.take()
        payload = {"update_id": next(_ids), **update}
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
