"""All handlers, registered in one place; each module exposes `handlers()`."""

from __future__ import annotations

from telegram.ext import Application, BaseHandler, CommandHandler

from handlers import (
    account,
    directives,
    fallback,
    grading,
    leadership,
    onboarding,
    people,
    reminders,
    secretary,
    status,
    survey,
    survey_results,
    unknown_button,
)
from handlers.access import Guarded


def register(application: Application) -> None:
    # One group: the first matching handler wins, so the fallback must come last.
    ordered: list[BaseHandler] = [
        *survey.handlers(),  # first: `/start ks-…` is a survey link, never an invite code
        *survey_results.handlers(),
        *onboarding.handlers(),
        *account.handlers(),
        *status.handlers(),
        *secretary.handlers(),
        *leadership.handlers(),
        *directives.handlers(),
        *grading.handlers(),
        *reminders.handlers(),
        *people.handlers(),
        *fallback.handlers(),
        *unknown_button.handlers(),  # buttons nothing above understood: answered
    ]
    application.add_handlers(ordered)
    commands = [h for h in ordered if isinstance(h, CommandHandler)]
    application.bot_data[account.PROVIDED] = {c for h in commands for c in h.commands}
    # Commands answered in group chats too (the others say "private chats only" there).
    application.bot_data[account.IN_GROUPS] = frozenset(
        c
        for h in commands
        if isinstance(h.callback, Guarded) and not h.callback.private_only
        for c in h.commands
    )
