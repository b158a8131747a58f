"""A button press nothing else understood: answer it, so the phone stops its spinner.

Registered last in group 0: it only sees callback queries no other handler matched
(an old keyboard from a removed feature, data from another bot, a forged press). It
reads nothing and writes nothing; the user is told the button is out of date.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from handlers.access import public
from handlers.context import ChiboContext
from messages.render import render
from messages.telegram_text import alert


async def unknown_button(update: Update, context: ChiboContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(alert(render("dialog_stale", context.locale)), show_alert=True)


def handlers() -> list[CallbackQueryHandler]:
    return [CallbackQueryHandler(public(unknown_button))]
