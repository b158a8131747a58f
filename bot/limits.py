"""One early guard for every update, before any handler: what is not worth reading.

Registered as a TypeHandler in group -1, so it runs before the handlers (group 0)
and can stop an update with ApplicationHandlerStop. It never opens the database:

- an update without a user (channel posts), from another bot, or an edit of an
  old message (editing an answer must not move a dialog or re-run a command) is
  ignored quietly;
- a text or caption longer than MAX_TEXT_CHARS, or containing a NUL character
  (PostgreSQL cannot store it), is refused with one polite Vietnamese sentence;
- a document or photo larger than MAX_FILE_BYTES is refused the same way;
- a button pressed under a message the bot cannot read (sent in inline mode, or
  too old) is answered with a pop-up: the handlers reply to that message.

Lengths are counted in UTF-16 code units, as Telegram counts them (an emoji is 2).

Everything else goes on to the handlers, which check access (handlers.access).
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from handlers.access import public
from handlers.context import ChiboContext
from messages.render import render
from messages.telegram_text import alert, utf16_len

log = logging.getLogger(__name__)

# No field the bot stores is longer than 500 characters; a whole message is at most 4096
# (all counted in UTF-16 units), so a reply quoting what was typed still fits.
MAX_TEXT_CHARS = 2000
# Report files (minutes, scans) are small; the Bot API cannot fetch more than 20 MB anyway.
MAX_FILE_BYTES = 10 * 1024 * 1024
GUARD_GROUP = -1


async def screen_update(update: Update, context: ChiboContext) -> None:
    """Stop the update here (ApplicationHandlerStop) unless the handlers should see it."""
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    if update.edited_message is not None or update.edited_channel_post is not None:
        raise ApplicationHandlerStop
    locale = context.deps.settings.locale
    query = update.callback_query
    if query is not None and update.effective_message is None:
        await query.answer(alert(render("button_unreadable", locale)), show_alert=True)
        raise ApplicationHandlerStop
    message = update.message
    if message is None:
        return
    text = message.text or message.caption or ""
    if utf16_len(text) > MAX_TEXT_CHARS or "\x00" in text:
        log.info("refused a text of %d UTF-16 units from %s", utf16_len(text), user.id)
        await _reply(update, render("too_long", locale, limit=MAX_TEXT_CHARS))
        raise ApplicationHandlerStop
    size = _file_size(message)
    if size > MAX_FILE_BYTES:
        log.info("refused a file of %s bytes from %s", size, user.id)
        await _reply(update, render("file_too_big", locale, limit_mb=MAX_FILE_BYTES // 2**20))
        raise ApplicationHandlerStop


def _file_size(message: Message) -> int:
    """Bytes of the document, or of the largest size of the photo (the one kept)."""
    if message.document is not None:
        return message.document.file_size or 0
    return max((p.file_size or 0 for p in message.photo), default=0)


async def _reply(update: Update, text: str) -> None:
    # In a group, say nothing: a stranger's long text there is not addressed to the bot.
    if update.effective_chat is not None and update.effective_chat.type == "private":
        assert update.effective_message is not None
        await update.effective_message.reply_html(text)


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, public(screen_update)), group=GUARD_GROUP)
