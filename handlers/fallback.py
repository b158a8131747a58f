"""What the bot says to a private message nothing else understood."""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from handlers.access import public
from handlers.context import ChiboContext
from messages.render import render


async def unknown(update: Update, context: ChiboContext) -> None:
    assert update.effective_user is not None and update.effective_message is not None
    known = await context.find_actor(update.effective_user.id) is not None
    await update.effective_message.reply_html(
        render("unknown" if known else "stranger", context.locale)
    )


def handlers() -> list[MessageHandler]:
    return [MessageHandler(filters.ChatType.PRIVATE, public(unknown))]
