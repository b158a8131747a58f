"""Answering a survey the way a member does: the link, then the buttons, then a reply."""

from __future__ import annotations

from typing import Any

from bot.transport import ApiCall
from tests.auxil.updates import BotHarness, User, message, texts

# The server key that derives respondent keys (settings.survey_key in every survey test).
SURVEY_KEY = "test-survey-key-" + "x" * 32


async def answer(bot: BotHarness, member: User, link_argument: str, answers: str) -> list[ApiCall]:
    """Open the link and press one button per answer; returns what the last press showed."""
    calls = await bot.send(member, f"/start {link_argument}")
    for digit in answers:
        question = [c for c in calls if c.buttons][-1]
        data = next(d for label, d in question.buttons if label.startswith(f"{digit} ·"))
        calls = await bot.press(member, data)
    return calls


def comment_prompt(calls: list[ApiCall]) -> ApiCall:
    return next(c for c in calls if "🔖" in c.text)


async def reply(bot: BotHarness, member: User, prompt: ApiCall, text: str) -> str:
    """The member replies to the bot's comment prompt (as ForceReply makes a phone do)."""
    body: dict[str, Any] = message(member, text=text)
    body["reply_to_message"] = {
        "message_id": 4242,
        "date": body["date"],
        "chat": body["chat"],
        "from": {"id": 7_000_000_001, "is_bot": True, "first_name": "Chi bộ bot"},
        "text": _plain(prompt.text),
    }
    return texts(await bot.deliver(message=body))


def _plain(html_text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"</?[a-z]+[^>]*>", "", html_text))
