"""Role × action matrix over every registered command and button, for every persona.

The matrix is read from the running Application (`application.handlers`), so a
handler added later is covered without editing this file: its expected outcome
follows from the Action its `guarded(...)` declares and domain.roles.PERMISSIONS.
A refused update must write nothing at all (every row of every table compared).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.roles import Action, allowed
from handlers.access import Guarded, Public, Respondent
from handlers.dialog import FLOWS
from messages.render import render
from messages.telegram_text import alert
from tests.auxil.cast import PERSONAS, Persona
from tests.auxil.telegram_checks import all_problems
from tests.auxil.updates import BotHarness, callback, group_chat, message, texts
from tests.auxil.writes import WriteLog

STRANGER = render("stranger", "vi")
NOT_ALLOWED = render("not_allowed", "vi")
PRIVATE_ONLY = render("private_only", "vi")
REFUSALS = (STRANGER, NOT_ALLOWED, PRIVATE_ONLY)

# A plausible button for each known callback prefix (a new prefix falls back to "<prefix>x").
SAMPLE_CALLBACKS = {
    "open:": "open:schedule:VPUBND-01:2026-12",
    "d:": "d:deadbeef:0",
    "snooze:": "snooze:1",
}


def registered(bot: BotHarness) -> Iterator[BaseHandler]:  # type: ignore[type-arg]
    for group, handlers in sorted(bot.app.handlers.items()):
        if group >= 0:  # group -1 is the size guard, tested in test_limits
            yield from handlers


Callback = Guarded | Public | Respondent


def commands(bot: BotHarness) -> list[tuple[str, Callback]]:
    # A survey link is `/start ks-…` (its own handler, tests/survey); a bare /start is
    # onboarding's.
    return [
        (command, h.callback)
        for h in registered(bot)
        if isinstance(h, CommandHandler) and not isinstance(h.callback, Respondent)
        for command in sorted(h.commands)
    ]


def callback_samples(bot: BotHarness) -> list[tuple[str, Callback]]:
    samples = []
    for h in registered(bot):
        if isinstance(h, CallbackQueryHandler):
            prefix = h.pattern.pattern.removeprefix("^") if h.pattern is not None else ""
            samples.append((SAMPLE_CALLBACKS.get(prefix, f"{prefix}x"), h.callback))
    return samples


def effective_action(callback: Guarded, data: str | None) -> Action:
    """The action a press needs: a flow-entry button needs its flow's action, the rest
    what their guard declares."""
    if data is not None and data.startswith("open:"):
        flow = FLOWS.get(data.split(":")[1])
        if flow is not None:
            return flow.action
    return callback.action


def expected_refusal(
    persona: Persona, callback: Callback, *, in_group: bool, data: str | None = None
) -> str | None:
    if isinstance(callback, Respondent):
        return None  # a survey answer is open to anyone (a wrong link says so, no refusal)
    if persona.role is None:
        return STRANGER  # /start without a code explains how to get an invite
    if isinstance(callback, Public):
        return None
    # The order of handlers.access.Guarded: role for the declared action, then the chat type;
    # a flow-entry button then checks its flow's action.
    if not allowed(callback.action, {persona.role}):
        return NOT_ALLOWED
    if in_group and callback.private_only:
        return PRIVATE_ONLY
    if not allowed(effective_action(callback, data), {persona.role}):
        return NOT_ALLOWED
    return None


def refusal_in(reply: str) -> str | None:
    for refusal in REFUSALS:
        # A message carries the HTML; a button's pop-up its plain text, cut to fit.
        if refusal[:150] in reply or alert(refusal) in reply:
            return refusal
    return None


def test_the_matrix_covers_what_is_registered(bot: BotHarness) -> None:
    names = {c for c, _ in commands(bot)}
    assert {"start", "help", "whoami"} <= names
    assert all(isinstance(cb, Guarded | Public | Respondent) for _, cb in commands(bot))
    assert callback_samples(bot), "no button handlers registered"


@pytest.mark.parametrize("persona_key", [p.key for p in PERSONAS])
async def test_every_command_in_private_chat(
    bot: BotHarness,
    writes: WriteLog,
    cast: dict[str, Persona],
    errors: list[BaseException],
    persona_key: str,
) -> None:
    persona = cast[persona_key]
    for command, cb in commands(bot):
        writes.clear()
        calls = await bot.send(persona.user, f"/{command}")
        reply = texts(calls)
        expected = expected_refusal(persona, cb, in_group=False)
        assert refusal_in(reply) == expected, (persona.key, command, reply)
        assert not all_problems(calls), (command, all_problems(calls))
        if expected is not None:
            assert not writes.writes, (persona.key, command, writes.writes)
        await bot.send(persona.user, "/huy")  # leave any flow the command started
    assert errors == []


@pytest.mark.parametrize("persona_key", [p.key for p in PERSONAS])
async def test_every_command_in_a_group_chat(
    bot: BotHarness,
    writes: WriteLog,
    cast: dict[str, Persona],
    errors: list[BaseException],
    persona_key: str,
) -> None:
    """Secretary flows, onboarding and anything private_only never run in a group."""
    persona = cast[persona_key]
    group = group_chat()
    for command, cb in commands(bot):
        writes.clear()
        calls = await bot.deliver(message=message(persona.user, text=f"/{command}", chat=group))
        reply = texts(calls)
        if isinstance(cb, Public | Respondent):
            assert calls == [], (command, reply)  # onboarding is private-only by its filter
            continue
        expected = expected_refusal(persona, cb, in_group=True)
        assert refusal_in(reply) == expected, (persona.key, command, reply)
        if expected is not None:
            assert not writes.writes, (persona.key, command, writes.writes)
        if cb.private_only:
            assert expected is not None, f"/{command} ran in a group for {persona.key}"
    assert errors == []


@pytest.mark.parametrize("persona_key", [p.key for p in PERSONAS])
async def test_every_button_kind(
    bot: BotHarness,
    writes: WriteLog,
    cast: dict[str, Persona],
    errors: list[BaseException],
    persona_key: str,
) -> None:
    persona = cast[persona_key]
    for data, cb in callback_samples(bot):
        for in_group in (False, True):
            writes.clear()
            chat = group_chat() if in_group else None
            calls = await bot.deliver(callback_query=callback(persona.user, data, chat=chat))
            reply = texts(calls)
            expected = (
                None  # the catch-all for unknown buttons: "out of date", for anyone
                if isinstance(cb, Public | Respondent)
                else expected_refusal(persona, cb, in_group=in_group, data=data)
            )
            if expected is not None or isinstance(cb, Public | Respondent):
                assert refusal_in(reply) == expected, (persona.key, data, in_group, reply)
                assert not writes.writes, (persona.key, data, writes.writes)
            else:
                assert refusal_in(reply) is None, (persona.key, data, reply)
            assert not all_problems(calls)
            # Every press is answered, so the phone stops its spinner.
            assert [c for c in calls if c.method == "answerCallbackQuery"], (data, calls)
    assert errors == []
