"""Raw updates the harness has no shortcut for: documents, edits, channel posts, groups."""

from __future__ import annotations

import itertools
from typing import Any

from bot.transport import ApiCall
from tests.harness import BotHarness, User

_ids = itertools.count(900_000)
DATE = 1_780_000_000


def private_chat(user: User) -> dict[str, Any]:
    return {"id": user.id, "type": "private", "first_name": user.first_name}


def group_chat(chat_id: int = -100_777) -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": "Nhóm lãnh đạo"}


def message(
    user: User | None,
    *,
    text: str | None = None,
    chat: dict[str, Any] | None = None,
    document: dict[str, Any] | None = None,
    photo: list[dict[str, Any]] | None = None,
    caption: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": next(_ids),
        "date": DATE,
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


def document(size: int, name: str = "bien-ban.pdf") -> dict[str, Any]:
    n = next(_ids)
    return {
        "file_id": f"DOC{n}",
        "file_unique_id": f"U{n}",
        "file_name": name,
        "mime_type": "application/pdf",
        "file_size": size,
    }


async def deliver(bot: BotHarness, **update: Any) -> list[ApiCall]:
    """Process one update (`message=…`, `edited_message=…`, `channel_post=…`, …)."""
    return await bot._process({"update_id": next(_ids), **update})


def callback(user: User, data: str, *, chat: dict[str, Any] | None = None) -> dict[str, Any]:
    """A press of an inline button carrying `data` under a bot message in `chat`."""
    return {
        "id": str(next(_ids)),
        "from": user.as_dict(),
        "chat_instance": "ci",
        "data": data,
        "message": {
            "message_id": next(_ids),
            "date": DATE,
            "chat": chat or private_chat(user),
            "from": {"id": 1, "is_bot": True, "first_name": "bot"},
            "text": "…",
        },
    }
