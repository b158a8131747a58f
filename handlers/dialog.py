"""A small engine for multi-step flows on a phone: a prompt, buttons or typed text, next.

A flow is a class with a `StrEnum` of its steps and one map, `steps`, from each
step to its two methods (as PTB's ConversationHandler declares `states`): `ask(d)
-> Prompt` and `on(d, value) -> next step | Done`. The engine keeps the state in
the database (storage.dialogs) under the step's value, so a restart or another
instance loses nothing; a step's value must never change once deployed.
Buttons carry only the state's token and an option index: a stale or tampered
button selects nothing, and a button pressed twice moves the dialog once.

One step is one unit of work (handlers.context.ChiboContext.run): read the state, check
the actor still keeps the dialog's unit, run the flow's step (and the use-case it
calls), advance the state by compare-and-swap, in a worker thread and one
transaction; only then is anything sent.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from domain.errors import UserInputError
from domain.invite_codes import looks_like_code
from domain.localtime import local_date, to_local
from domain.org import MEETING_KINDS, UnitKind
from domain.roles import Action
from domain.text_vi import ascii_int
from handlers.context import ChiboContext
from messages.render import label, render
from messages.telegram_text import alert
from services.actors import Actor, ScopeLost, keeps_unit
from services.deps import Deps
from storage import dialogs
from storage.dialogs import Dialog, DialogMoved

CANCEL = "__cancel"
CALLBACK_PREFIX = "d:"
CANCEL_WORDS = frozenset({"/huy", "hủy", "huy"})
MAX_FILE_NAME = 300  # storage.models.ReportSubmission.document_name


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
class Reply:
    """What a step says: a message, with rows of (label, callback data) buttons."""

    text: str
    rows: tuple[tuple[tuple[str, str], ...], ...] = ()


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


@dataclass(frozen=True)
class StepMethods:
    """One step of a flow: what it asks, and what it does with the answer."""

    ask: Callable[[Any, Step], Prompt]
    on: Callable[[Any, Step, str], StrEnum | Done]


class Flow:
    name: ClassVar[str]
    action: ClassVar[Action]
    # Every step of the flow, keyed by the members of the flow's StrEnum of steps (the
    # `flow` decorator checks). A member equals its value, so a step stored as text
    # finds its entry here.
    steps: ClassVar[Mapping[str, StepMethods]]
    # The kinds of unit whose duty this flow records.
    unit_kinds: ClassVar[frozenset[UnitKind]] = MEETING_KINDS
    # What to say to someone whose units are none of those kinds.
    no_unit_template: ClassVar[str] = "no_meeting_unit"

    def after_unit(self, d: Step) -> StrEnum | Done:
        """The first step once the unit is known."""
        raise NotImplementedError


FLOWS: dict[str, type[Flow]] = {}


def flow(cls: type[Flow]) -> type[Flow]:
    """Register a flow; its steps must be the members of one StrEnum, each mapped."""
    kinds = {type(step) for step in cls.steps}
    assert len(kinds) == 1, f"{cls.name}: steps of one StrEnum, not {kinds}"
    (kind,) = kinds
    assert issubclass(kind, StrEnum), f"{cls.name}: steps of a StrEnum, not {kind}"
    missing = [step for step in kind if step not in cls.steps]
    assert not missing, f"{cls.name}: no methods for {missing}"
    FLOWS[cls.name] = cls
    return cls


def _step(deps: Deps, actor: Actor, locale: str, data: dict[str, Any]) -> Step:
    return Step(actor, deps, deps.clock.now(), locale, data)


async def start(
    update: Update,
    context: ChiboContext,
    flow_cls: type[Flow],
    data: dict[str, Any],
    first_step: str | None = None,  # a step of the flow (common.UNIT, or its StrEnum)
) -> None:
    """Begin `flow_cls`, replacing any dialog in progress (see `begin`)."""
    reply = await context.run(
        begin, context.deps, context.require_actor(), context.locale, flow_cls, data, first_step
    )
    await send(update, reply)


def begin(
    deps: Deps,
    actor: Actor,
    locale: str,
    flow_cls: type[Flow],
    data: dict[str, Any],
    first_step: str | None = None,  # a step of the flow (common.UNIT, or its StrEnum)
) -> Reply:
    """The first prompt of `flow_cls`, its state saved (blocking: run it in the unit of work).

    Without `first_step` the flow's `after_unit` picks it (the unit is in `data`);
    it may instead return Done when there is nothing to do.
    """
    step = _step(deps, actor, locale, dict(data))
    try:
        name: str | Done = first_step or flow_cls().after_unit(step)
    except UserInputError as error:  # e.g. a button for a meeting that has nothing to rate
        name = Done(html.escape(str(error)))
    if isinstance(name, Done):
        with deps.db.transaction() as session:
            dialogs.clear(session, actor.telegram_user_id)
        return Reply(name.text)
    return _ask(flow_cls, name, step, None, expected=None)


async def on_button(update: Update, context: ChiboContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    token, _, index = query.data.removeprefix(CALLBACK_PREFIX).partition(":")
    try:
        reply = await context.run(
            _press, context.deps, context.require_actor(), context.locale, token, index
        )
    except DialogMoved:
        await query.answer(alert(render("dialog_stale", context.locale)), show_alert=True)
        return
    await query.answer()
    if query.message is not None:
        await query.edit_message_reply_markup(None)
    await send(update, reply)


def _press(deps: Deps, actor: Actor, locale: str, token: str, index: str) -> Reply:
    with deps.db.transaction() as session:
        dialog = dialogs.load(session, actor.telegram_user_id)
    if dialog is None or dialog.token != token:
        raise DialogMoved
    options: list[str] = dialog.data.get("_options", [])
    chosen = ascii_int(index)
    if index == "c":
        value = CANCEL
    elif chosen is not None and chosen < len(options):
        value = options[chosen]
    else:
        raise DialogMoved
    return _answer(deps, actor, locale, dialog, value)


async def on_text(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    await _typed(update, context, message.text or "", None)


async def on_file(update: Update, context: ChiboContext) -> None:
    """A document (PDF, Word…) or a photo, for a step that takes one (a report's scan)."""
    message = update.effective_message
    assert message is not None
    await _typed(update, context, "", _attachment(message, context.deps.clock.now()))


def _attachment(message: Message, now: datetime) -> tuple[str, str]:
    """(file_id, name to show) of what was sent: a document, or the largest size of a photo."""
    if message.document is not None:
        name = "".join(c for c in message.document.file_name or "" if c.isprintable())
        return message.document.file_id, name.strip()[:MAX_FILE_NAME] or "tep_dinh_kem"
    largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
    return largest.file_id, f"anh-chup-{to_local(now):%Y%m%d-%H%M}.jpg"


async def _typed(
    update: Update, context: ChiboContext, text: str, document: tuple[str, str] | None
) -> None:
    try:
        reply = await context.run(
            _type, context.deps, context.require_actor(), context.locale, text, document
        )
    except DialogMoved:  # another instance moved this user's dialog meanwhile
        reply = Reply(render("dialog_stale", context.locale))
    await send(update, reply)


def _type(
    deps: Deps, actor: Actor, locale: str, text: str, document: tuple[str, str] | None
) -> Reply:
    with deps.db.transaction() as session:
        dialog = dialogs.load(session, actor.telegram_user_id)
    if document is not None and (dialog is None or not dialog.data.get("_documents")):
        return Reply(render("dialog_no_document", locale))
    if dialog is None:
        return Reply(render("unknown", locale, invite_code=looks_like_code(text)))
    return _answer(deps, actor, locale, dialog, text, typed=True, document=document)


def _answer(
    deps: Deps,
    actor: Actor,
    locale: str,
    dialog: Dialog,
    value: str,
    *,
    typed: bool = False,
    document: tuple[str, str] | None = None,
) -> Reply:
    """One answer to the dialog's current step: the next prompt, or the end."""
    flow_cls = FLOWS.get(dialog.flow)
    user_id = actor.telegram_user_id
    if flow_cls is None or not actor.may(flow_cls.action):
        return _end(deps, user_id, dialog, Reply(render("not_allowed", locale)))
    unit = dialog.data.get("unit")
    if unit is not None and not keeps_unit(deps.db, actor, flow_cls.action, unit):
        # The role was taken away or moved to another unit while the dialog ran.
        return _end(deps, user_id, dialog, Reply(html.escape(str(ScopeLost()))))
    if value == CANCEL or (typed and value.strip().casefold() in CANCEL_WORDS):
        return _end(deps, user_id, dialog, Reply(render("dialog_cancelled", locale)))
    methods = flow_cls.steps.get(dialog.step)  # the stored text finds its StrEnum member
    if methods is None:  # a step that no longer exists (a deploy renamed it)
        return _end(deps, user_id, dialog, Reply(render("dialog_stale", locale)))
    step = _step(deps, actor, locale, dialog.data)
    if typed and not document and not dialog.data.get("_text", True):
        error = render("dialog_use_buttons", locale)
        return _ask(flow_cls, dialog.step, step, error, expected=dialog.token)
    step.document = document
    try:
        outcome = methods.on(flow_cls(), step, value.strip())
    except ScopeLost as error:  # the use-case's own check, in its transaction
        return _end(deps, user_id, dialog, Reply(html.escape(str(error))))
    except UserInputError as error:
        return _ask(flow_cls, dialog.step, step, str(error), expected=dialog.token)
    if isinstance(outcome, Done):
        rows = tuple(((text, data),) for text, data in outcome.links)
        return _end(deps, user_id, dialog, Reply(outcome.text, rows))
    return _ask(flow_cls, outcome, step, None, expected=dialog.token)


def _ask(
    flow_cls: type[Flow],
    step_name: str,  # a member of the flow's steps, or the text it is stored as
    step: Step,
    error: str | None,
    *,
    expected: str | None,
) -> Reply:
    """Ask `step_name`: the prompt, and the state moved to it with a fresh token."""
    prompt = flow_cls.steps[step_name].ask(flow_cls(), step)
    token = dialogs.new_token()
    data = {k: v for k, v in step.data.items() if not k.startswith("_")}
    data["_options"] = [o.value for o in prompt.options]
    data["_text"] = prompt.accepts_text
    data["_documents"] = prompt.accepts_document
    state = Dialog(flow_cls.name, str(step_name), data, token)
    user_id = step.actor.telegram_user_id
    with step.deps.db.transaction() as session:
        if expected is None:
            dialogs.begin(session, user_id, state, step.now)
        else:
            dialogs.advance(session, user_id, expected, state, step.now)
    buttons = [(o.label, f"{CALLBACK_PREFIX}{token}:{i}") for i, o in enumerate(prompt.options)]
    rows = [tuple(buttons[i : i + prompt.columns]) for i in range(0, len(buttons), prompt.columns)]
    leave = prompt.leave_label or label("button.cancel", step.locale)
    rows.append(((leave, f"{CALLBACK_PREFIX}{token}:c"),))
    # The error may quote what the user typed: it is text, not HTML.
    text = prompt.text if error is None else f"⚠️ {html.escape(error)}\n\n{prompt.text}"
    return Reply(text, tuple(rows))


def _end(deps: Deps, user_id: int, dialog: Dialog, reply: Reply) -> Reply:
    with deps.db.transaction() as session:
        dialogs.finish(session, user_id, dialog.token)
    return reply


async def send(update: Update, reply: Reply) -> None:
    message = update.effective_message
    assert message is not None
    markup = None
    if reply.rows:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in reply.rows]
        )
    await message.reply_html(reply.text, reply_markup=markup)
