"""What Telegram itself would reject: malformed HTML, too-long texts, oversized buttons.

`problems(call)` lists what is wrong with one Bot API call the bot made, so the
security and fuzz tests can assert every reply would have been delivered.
"""

from __future__ import annotations

import html
import re

from bot.transport import ApiCall

# https://core.telegram.org/bots/api#html-style
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
    "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
MAX_MESSAGE = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_CALLBACK_DATA_BYTES = 64

_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>(?:\s+[a-z-]+=\"[^\"<>]*\")*)\s*>"
    r"|&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);"
    r"|[<>&]"
)


def html_problems(text: str) -> list[str]:
    """Why Telegram's HTML parse mode would refuse `text` (empty list: it is fine)."""
    problems: list[str] = []
    stack: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in "<>&":
            problems.append(f"unescaped {token!r} at {match.start()}")
            continue
        tag = match.group("tag")
        if tag is None:
            continue  # an entity
        tag = tag.lower()
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}> is not supported by Telegram")
        elif match.group("close"):
            if not stack or stack[-1] != tag:
                problems.append(f"</{tag}> closes {stack[-1] if stack else 'nothing'}")
            else:
                stack.pop()
        else:
            stack.append(tag)
    if stack:
        problems.append(f"unclosed tags {stack}")
    return problems


def visible_length(text: str, parse_mode: str | None) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text after entity parsing."""
    if parse_mode and parse_mode.upper() == "HTML":
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    return len(text.encode("utf-16-le")) // 2


def problems(call: ApiCall) -> list[str]:
    found: list[str] = []
    params = call.params
    if call.method == "answerCallbackQuery":
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            found.append("callback answer longer than 200 characters")
        return found
    field = "text" if "text" in params else "caption" if "caption" in params else None
    if field is not None:
        value = str(params[field])
        parse_mode = params.get("parse_mode")
        if parse_mode and str(parse_mode).upper() == "HTML":
            found += html_problems(value)
        limit = MAX_MESSAGE if field == "text" else MAX_CAPTION
        if visible_length(value, parse_mode) > limit:
            found.append(f"{field} longer than {limit}")
        if field == "text" and not value.strip():
            found.append("empty message text")
    for label, data in call.buttons:
        if not label.strip():
            found.append("a button without a label")
        if len(data.encode()) > MAX_CALLBACK_DATA_BYTES and not data.startswith("http"):
            found.append(f"callback data over 64 bytes: {data!r}")
    return found


def all_problems(calls: list[ApiCall]) -> list[str]:
    return [f"{c.method}: {p}" for c in calls for p in problems(c)]
