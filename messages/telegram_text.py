"""Telegram's length limits, counted as Telegram counts them: in UTF-16 code units.

An emoji is one character in Python and two units for Telegram, so `len()` lets a
message of 2,100 emoji through that Telegram refuses (4,200 units > 4,096).
"""

from __future__ import annotations

import html
import re

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200  # answerCallbackQuery text
_TAG = re.compile(r"<[^>]*>")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def fits(text: str, limit: int) -> bool:
    """Whether `text` (HTML counts its tags too, so this errs on the safe side) fits."""
    return utf16_len(text) <= limit


def cut(text: str, limit: int, ellipsis: str = "…") -> str:
    """Plain `text` cut to at most `limit` units, never inside a surrogate pair."""
    if fits(text, limit):
        return text
    budget = limit - utf16_len(ellipsis)
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > budget:
            return text[:i] + ellipsis
    return text


def alert(html_text: str) -> str:
    """A pop-up answer to a button press: plain text (no tags shown), within 200 units,
    cut after the last whole line that fits when there is one."""
    text = html.unescape(_TAG.sub("", html_text)).strip()
    if fits(text, ALERT_LIMIT):
        return text
    lines = text.splitlines()
    kept = ""
    for line in lines:
        candidate = f"{kept}\n{line}" if kept else line
        if not fits(candidate, ALERT_LIMIT):
            break
        kept = candidate
    return kept.strip() or cut(text, ALERT_LIMIT)
