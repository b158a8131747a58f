"""Access control in one place: every handler declares who may use it; the rest is refused.

`guarded(Action.X, callback)` loads the actor (from the process's cache, see
services.actors), checks the role table in domain.roles, and only then runs the
callback; a stranger is refused, or handed to `stranger=` (typed invite codes).
`public(callback)` is the explicit exception (onboarding), and
`respondent(Action.ANSWER_SURVEY, callback)` the one thing a stranger may do
besides: answer a survey, in a private chat (domain.roles.OPEN_TO_ANYONE). A test
walks the registered handlers and fails on any callback that is none of these, so
a new handler cannot forget to declare its access.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.constants import ChatType

from domain.roles import OPEN_TO_ANYONE, Action
from handlers.context import ChiboContext
from messages.render import render
from messages.telegram_text import alert

Callback = Callable[[Update, ChiboContext], Awaitable[Any]]


class Guarded:
    def __init__(
        self,
        action: Action,
        callback: Callback,
        *,
        private_only: bool,
        stranger: Callback | None = None,
    ) -> None:
        self.action = action
        self.callback = callback
        self.private_only = private_only
        self.stranger = stranger
        self.__name__ = getattr(callback, "__name__", "guarded")

    async def __call__(self, update: Update, context: ChiboContext) -> Any:
        user = update.effective_user
        if user is None:
            return None
        actor = await context.find_actor(user.id)
        if actor is None:
            if self.stranger is not None:
                return await self.stranger(update, context)
            return await refuse(update, render("stranger", context.deps.settings.locale))
        context.actor = actor
        if not actor.may(self.action):
            return await refuse(update, render("not_allowed", context.locale))
        chat = update.effective_chat
        if self.private_only and chat is not None and chat.type != ChatType.PRIVATE:
            return await refuse(update, render("private_only", context.locale))
        return await self.callback(update, context)


class Public:
    """A handler anyone may reach, strangers included; it must check for itself."""

    def __init__(self, callback: Callback) -> None:
        self.callback = callback
        self.__name__ = getattr(callback, "__name__", "public")

    async def __call__(self, update: Update, context: ChiboContext) -> Any:
        return await self.callback(update, context)


class Respondent:
    """Anyone, with or without a role, for an action open to anyone (a survey answer),
    in a private chat only: an answer given in a group would be seen there. The
    callback gets no actor; it may do exactly that action."""

    def __init__(self, action: Action, callback: Callback) -> None:
        if action not in OPEN_TO_ANYONE:
            raise ValueError(f"{action} is not open to anyone")
        self.action = action
        self.callback = callback
        self.__name__ = getattr(callback, "__name__", "respondent")

    async def __call__(self, update: Update, context: ChiboContext) -> Any:
        chat = update.effective_chat
        if update.effective_user is None or chat is None:
            return None
        if chat.type != ChatType.PRIVATE:
            return await refuse(update, render("survey_private_only", context.locale))
        return await self.callback(update, context)


def respondent(action: Action, callback: Callback) -> Respondent:
    return Respondent(action, callback)


def guarded(
    action: Action,
    callback: Callback,
    *,
    private_only: bool = True,
    stranger: Callback | None = None,
) -> Guarded:
    return Guarded(action, callback, private_only=private_only, stranger=stranger)


def public(callback: Callback) -> Public:
    return Public(callback)


async def refuse(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(alert(text), show_alert=True)
        return
    if update.effective_message is not None:
        await update.effective_message.reply_html(text)
