"""Access control is declared for every handler; nothing is reachable by default."""

from __future__ import annotations

from telegram.ext import BaseHandler

from domain.roles import OPEN_TO_ANYONE, PERMISSIONS, Action, Role, allowed
from handlers.access import Guarded, Public, Respondent
from tests.auxil.updates import BotHarness

# The only handlers a stranger may reach: they onboard or explain how to.
PUBLIC_CALLBACKS = {"start", "unknown", "screen_update", "unknown_button"}
# What a stranger may do besides onboarding: answer a survey (the link, its buttons, a
# reply with a comment), and nothing else.
RESPONDENT_CALLBACKS = {"open_survey", "on_answer", "on_comment"}
# Guarded handlers that hand a stranger to onboarding instead of refusing: only typed
# text, so that only a stranger's message is ever read as an invite code.
STRANGER_HOOKS = {"on_text": "stranger_text"}


def all_handlers(bot: BotHarness) -> list[BaseHandler]:  # type: ignore[type-arg]
    return [h for group in bot.app.handlers.values() for h in group]


async def test_every_handler_declares_its_access(bot: BotHarness) -> None:
    handlers = all_handlers(bot)
    assert handlers
    for handler in handlers:
        assert isinstance(handler.callback, Guarded | Public | Respondent), handler
    public = {h.callback.__name__ for h in handlers if isinstance(h.callback, Public)}
    assert public == PUBLIC_CALLBACKS
    respondents = [h.callback for h in handlers if isinstance(h.callback, Respondent)]
    assert {r.__name__ for r in respondents} == RESPONDENT_CALLBACKS
    assert {r.action for r in respondents} == OPEN_TO_ANYONE == {Action.ANSWER_SURVEY}
    hooks = {
        h.callback.__name__: h.callback.stranger.__name__
        for h in handlers
        if isinstance(h.callback, Guarded) and h.callback.stranger is not None
    }
    assert hooks == STRANGER_HOOKS


def test_every_action_has_a_rule_and_admin_only_actions_stay_admin_only() -> None:
    assert set(PERMISSIONS) == set(Action)
    assert not allowed(Action.EDIT_CLOSED_PERIOD, {Role.SECRETARY, Role.LEADER})
    assert allowed(Action.EDIT_CLOSED_PERIOD, {Role.ADMIN})
    assert not allowed(Action.DIGEST, {Role.SECRETARY, Role.DEPUTY})
    assert not allowed(Action.SCHEDULE, {Role.LEADER})
