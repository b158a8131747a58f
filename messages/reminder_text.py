"""The text and buttons of one consolidated reminder (scheduler/planner.py decides
what it holds): the message shortened to fit Telegram, a button per item that opens its
flow, and the snooze button.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol

from markupsafe import Markup

from domain.policy import Policy
from domain.reminder_recipients import Recipient
from messages.render import render, render_plain
from messages.telegram_text import cut, fits

SNOOZE_PLACEHOLDER = "{id}"  # the dispatcher puts the outbox row id here
MAX_TEXT = 3900  # Telegram allows 4096 UTF-16 units; leave room
MAX_ITEM_BUTTONS = 6
CALLBACK_LIMIT = 64  # bytes of callback_data Telegram accepts


class Unit(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


class Section(Protocol):
    """A unit's part of a reminder: its lines, and the secretaries whose reminders a
    deputy gets."""

    @property
    def unit(self) -> Unit: ...

    @property
    def items(self) -> Sequence[dict[str, Any]]: ...

    @property
    def stand_in_for(self) -> Sequence[Recipient]: ...


def reminder_text(
    r: Recipient,
    units: Sequence[Section],
    escalations: list[dict[str, Any]],
    slot_at: datetime,
    today: date,
    policy: Policy,
    labels: Mapping[str, str],
    roll_calls: Sequence[dict[str, Any]] = (),
) -> str:
    """The message, shortened (lists cut, "và N việc khác") to fit one Telegram message."""
    text = ""
    for limit in (1000, 40, 20, 10, 5, 2):
        shown_units, hidden = [], 0
        budget = limit
        for s in units:
            shown = s.items[:budget]
            hidden += len(s.items) - len(shown)
            budget -= len(shown)
            if shown:
                shown_units.append(
                    {
                        "code": s.unit.code,
                        "name": labels.get(s.unit.code, s.unit.name),
                        "lines": [_item_line(r.locale, _frozen(item)) for item in shown],
                        "stand_in_for": [
                            {"name": a.full_name, "away_until": a.away_until, "away": a.away(today)}
                            for a in s.stand_in_for
                        ],
                    }
                )
        text = render(
            "reminder",
            r.locale,
            when=slot_at,
            units=shown_units,
            hidden_items=hidden,
            escalations=[_escalation_line(r.locale, _frozen(e)) for e in escalations[:limit]],
            hidden_escalations=max(0, len(escalations) - limit),
            escalation_after=policy.reminders.escalation.after_days_overdue,
            roll_calls=roll_calls,
            snooze_minutes=policy.reminders.snooze_minutes,
        )
        if fits(text, MAX_TEXT):
            return text
    return cut(text, MAX_TEXT)


_NOT_SHOWN = frozenset({"callback", "unit", "path"})


def _frozen(fields: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A line's fields as a cache key (lists of problems become tuples)."""
    return tuple(
        sorted(
            (k, tuple(_frozen(p) for p in v) if isinstance(v, list) else v)
            for k, v in fields.items()
            if k not in _NOT_SHOWN
        )
    )


def _thawed(key: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    return {k: [_thawed(p) for p in v] if isinstance(v, tuple) else v for k, v in key}


@lru_cache(maxsize=65536)
def _item_line(locale: str | None, item: tuple[tuple[str, Any], ...]) -> Markup:
    # A morning's reminders share a handful of lines: each is rendered once.
    return Markup(render("reminder_line", locale, item=_thawed(item)))


@lru_cache(maxsize=65536)
def _escalation_line(locale: str | None, unit: tuple[tuple[str, Any], ...]) -> Markup:
    return Markup(render("reminder_line", locale, e=_thawed(unit)))


def reminder_buttons(
    r: Recipient, units: Sequence[Section], snooze_minutes: int
) -> list[list[dict[str, str]]]:
    several = len(units) > 1
    rows: list[list[dict[str, str]]] = []
    for section in units:
        for item in section.items:
            callback = item.get("callback")
            if not callback or len(callback.encode()) > CALLBACK_LIMIT:
                continue
            if len(rows) >= MAX_ITEM_BUTTONS:
                break
            fields = tuple(
                sorted(
                    (k, _BUTTON_TYPES.get(v, v) if k == "type" else v)
                    for k, v in item.items()
                    if k in _LABEL_FIELDS
                )
            )
            label = _button_label(r.locale, fields, section.unit.code if several else None)
            rows.append([{"text": label, "callback_data": callback}])
    rows.append([snooze_button(r.locale, snooze_minutes)])
    return rows


_LABEL_FIELDS = frozenset({"type", "month", "kind", "name", "period", "minutes"})
# A cluster meeting item's button answers the invitation.
_BUTTON_TYPES = {"cluster_meeting": "cluster"}


@lru_cache(maxsize=4096)
def _button_label(locale: str | None, fields: tuple[tuple[str, Any], ...], unit: str | None) -> str:
    # Thousands of reminders share a handful of labels: render each once.
    return render_plain("reminder_button", locale, item=dict(fields), unit=unit)


def snooze_button(locale: str | None, minutes: int) -> dict[str, str]:
    label = _button_label(locale, (("minutes", minutes), ("type", "snooze")), None)
    return {"text": label, "callback_data": f"snooze:{SNOOZE_PLACEHOLDER}"}
