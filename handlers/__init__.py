"""All handlers, registered in one place; each module exposes `handlers()`."""

from __future__ import annotations

from telegram.ext import Application, BaseHandler, CommandHandler

from handlers import (
    account,
    fallback,
    leadership,
    onboarding,
    people,
    reminders,
    secretary,
    status,
    unknown_button,
)


def register(application: Application) -> None:  # type: ignore[type-arg]
    # One group: the first matching handler wins, so the fallback must come last.
    ordered: list[BaseHandler] = [  # type: ignore[type-arg]
        *onboarding.handlers(),
        *account.handlers(),
        *status.handlers(),
        *secretary.handlers(),
        *leadership.handlers(),
        *reminders.handlers(),
        *people.handlers(),
        *fallback.handlers(),
        *unknown_button.handlers(),  # buttons nothing above understood: answered
    ]
    application.add_handlers(ordered)
    application.bot_data["commands"] = {
        c for h in ordered if isinstance(h, CommandHandler) for c in h.commands
    }
