"""Texts of the leadership dashboard (the Telegram Mini App, `web/`), per locale.

Plain labels from `messages/templates/<locale>/dashboard_labels.yaml`: the web
templates escape whatever they show. Labels the digest already has (metrics, list
and column names, kinds, flags) are read with `messages.digest_text.dlabel`, so a
number is named the same in the chat, the files and the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from domain.meeting_kinds import MeetingKind
from messages.render import label, render_plain, table_label


def wlabel(key: str, locale: str | None = None, /, **context: Any) -> str:
    """A dashboard label; `{{ name }}` placeholders are filled from `context`."""
    return table_label("dashboard_labels", key, locale, context)


def todo_lines(items: Sequence[Any], locale: str) -> list[str]:
    """What a unit has to do, one plain line each, worded exactly as /status words it."""
    text = render_plain(
        "status_items",
        locale,
        todo=items,
        kind_label=lambda kind: label(f"meeting.{MeetingKind(kind).value}", locale),
    )
    return [line.strip() for line in text.splitlines() if line.strip()]


def app_link(base_url: str, scope_code: str | None = None) -> str:
    """The Mini App's address, opening on `scope_code` (the page reads `?scope=`)."""
    return f"{base_url}?{urlencode({'scope': scope_code})}" if scope_code else base_url
