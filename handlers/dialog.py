"""A small engine for multi-step flows on a phone: a prompt, buttons or typed text, next.

A flow is a class with, for each step NAME, `ask_NAME(d) -> Prompt` and
`on_NAME(d, value) -> next step name | Done`. The engine keeps the state in the
database (storage.dialogs), so a restart or another instance loses nothing.
Buttons carry only the state's token and an option index: a stale or tampered
button selects nothing, and a button pressed twice moves the dialog once.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import ChiboContext, Deps
from domain.errors import UserInputError
from domain.localtime import local_date
from domain.org import MEETING_KINDS, UnitKind
from domain.roles import Action
from messages.render import label, render
from services.actors import Actor
from storage import dialogs
from storage.dialogs import Dialog

CANCEL = "__cancel"
CALLBACK_PREFIX = "d:"


@dataclass(frozen=True)
class Option:
    label: str
    value: str


@dataclass(frozen=True)
class Prompt:
    text: str
    options: tuple[Option, ...] = ()
    columns: int = 1
    # When False, typed text is answered with "please choose a button".
    accepts_text: bool = True
    accepts_document: bool = False
    # The button that leaves the dialog; "✖ Hủy" unless the step is itself about
    # cancelling something, where "Hủy" would be ambiguous.
    leave_label: str | None = None


@dataclass(frozen=True)
class Done:
    text: str
    # Buttons that lead elsewhere (e.g. "rate now"), as (label, callback data).
    links: tuple[tuple[str, str], ...] = ()


@dataclass
class Step:
    """What a flow step sees: the answers so far and who is answering."""

    actor: Actor
    deps: Deps
    now: datetime
    locale: str
    data: dict[str, Any] = field(default_factory=dict)
    document: tuple[str, str] | None = None  # (file_id, file name) of a sent document

    @property
    def today(self) -> date:
        return local_date(self.now)


class Flow:
    name: ClassVar[str]
    action: ClassVar[Action]
    # The kinds of unit whose duty this flow records.
    unit_kinds: ClassVar[frozenset[UnitKind]] = MEETING_KINDS
    # What to say to someone whose units are none of those kinds.
    no_unit_template: ClassVar[str] = "no_meeting_unit"

    def after_unit(self, d: Step) -> str | Done:
        """The first step once the unit is known."""
        raise NotImplementedError


FLOWS: dict[str, type[Flow]] = {}


def flow(cls: type[Flow]) -> type[Flow]:
    FLOWS[cls.name] = cls
    return cls


def _step_context(context: ChiboContext, data: dict[str, Any]) -> Step:
    return Step(
        context.require_actor(), context.deps, context.deps.clock.now(), context.locale, data
    )


async def start(
    update: Update,
    context: ChiboContext,
    flow_cls: type[Flow],
    data: dict[str, Any],
    first_step: str | None = None,
) -> None:
    """Begin `flow_cls`, replacing any dialog in progress.

    Without `first_step` the flow's `after_unit` picks it (the unit is in `data`);
    it may instead return Done when there is nothing to do.
    """
    step = _step_context(context, dict(data))
    try:
        name: str | Done = first_step or flow_cls().after_unit(step)
    except UserInputError as error:  # e.g. a button for a meeting that has nothing to rate
        name = Done(html.escape(str(error)))
    if isinstance(name, Done):
        _clear(context, step.actor.telegram_user_id)
        message = update.effective_message
        assert message is not None
        await message.reply_html(name.text)
        return
    await _run(update, context, flow_cls, name, step, None)


async def on_button(update: Update, context: ChiboContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    token, _, index = query.data.removeprefix(CALLBACK_PREFIX).partition(":")
    user_id = update.effective_user.id
    with context.deps.db.transaction() as session:
        dialog = dialogs.load(session, user_id)
        options: list[str] = dialog.data.get("_options", []) if dialog else []
        value = CANCEL if index == "c" else None
        if index.isdigit() and int(index) < len(options):
            value = options[int(index)]
        if (
            dialog is None
            or dialog.token != token
            or value is None
            or not dialogs.claim(session, user_id, token)
        ):
            value = None
    if dialog is None or value is None:
        await query.answer(render("dialog_stale", context.locale), show_alert=True)
        return
    await query.answer()
    if query.message is not None:
        await query.edit_message_reply_markup(None)
    await _answer(update, context, dialog, value)


async def on_text(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    dialog = _current(context, update.effective_user.id)
    if dialog is None:
        await message.reply_html(render("unknown", context.locale))
        return
    await _answer(update, context, dialog, message.text or "", typed=True)


async def on_document(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    assert update.effective_user is not None
    dialog = _current(context, update.effective_user.id)
    if dialog is None or not dialog.data.get("_documents"):
        await message.reply_html(render("dialog_no_document", context.locale))
        return
    doc = message.document
    await _answer(
        update,
        context,
        dialog,
        "",
        typed=True,
        document=(doc.file_id, doc.file_name or "tep_dinh_kem"),
    )


def _current(context: ChiboContext, user_id: int) -> Dialog | None:
    with context.deps.db.transaction() as session:
        return dialogs.load(session, user_id)


async def _answer(
    update: Update,
    context: ChiboContext,
    dialog: Dialog,
    value: str,
    *,
    typed: bool = False,
    document: tuple[str, str] | None = None,
) -> None:
    flow_cls = FLOWS.get(dialog.flow)
    actor = context.require_actor()
    message = update.effective_message
    assert message is not None
    if flow_cls is None or not actor.may(flow_cls.action):
        _clear(context, actor.telegram_user_id)
        await message.reply_html(render("not_allowed", context.locale))
        return
    if value == CANCEL or (typed and value.strip().casefold() in ("/huy", "hủy", "huy")):
        _clear(context, actor.telegram_user_id)
        await message.reply_html(render("dialog_cancelled", context.locale))
        return
    if typed and not document and not dialog.data.get("_text", True):
        await _run(
            update,
            context,
            flow_cls,
            dialog.step,
            _step_context(context, dialog.data),
            render("dialog_use_buttons", context.locale),
        )
        return
    step = _step_context(context, dialog.data)
    step.document = document
    handler: Callable[[Step, str], str | Done] = getattr(flow_cls(), f"on_{dialog.step}")
    try:
        outcome = handler(step, value.strip())
    except UserInputError as error:
        await _run(update, context, flow_cls, dialog.step, step, str(error))
        return
    if isinstance(outcome, Done):
        _clear(context, actor.telegram_user_id)
        markup = _markup([[InlineKeyboardButton(t, callback_data=d)] for t, d in outcome.links])
        await message.reply_html(outcome.text, reply_markup=markup)
        return
    await _run(update, context, flow_cls, outcome, step, None)


async def _run(
    update: Update,
    context: ChiboContext,
    flow_cls: type[Flow],
    step_name: str,
    step: Step,
    error: str | None,
) -> None:
    """Ask `step_name`: save the state with a fresh token, then send the prompt."""
    message = update.effective_message
    assert message is not None
    prompt: Prompt = getattr(flow_cls(), f"ask_{step_name}")(step)
    token = dialogs.new_token()
    data = {k: v for k, v in step.data.items() if not k.startswith("_")}
    data["_options"] = [o.value for o in prompt.options]
    data["_text"] = prompt.accepts_text
    data["_documents"] = prompt.accepts_document
    with context.deps.db.transaction() as session:
        dialogs.save(
            session,
            step.actor.telegram_user_id,
            Dialog(flow_cls.name, step_name, data, token),
            step.now,
        )
    buttons = [
        InlineKeyboardButton(o.label, callback_data=f"{CALLBACK_PREFIX}{token}:{i}")
        for i, o in enumerate(prompt.options)
    ]
    rows = [buttons[i : i + prompt.columns] for i in range(0, len(buttons), prompt.columns)]
    rows.append(
        [
            InlineKeyboardButton(
                prompt.leave_label or label("button.cancel", context.locale),
                callback_data=f"{CALLBACK_PREFIX}{token}:c",
            )
        ]
    )
    # The error may quote what the user typed: it is text, not HTML.
    text = prompt.text if error is None else f"⚠️ {html.escape(error)}\n\n{prompt.text}"
    await message.reply_html(text, reply_markup=_markup(rows))


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup(rows) if rows else None


def _clear(context: ChiboContext, user_id: int) -> None:
    with context.deps.db.transaction() as session:
        dialogs.clear(session, user_id)
