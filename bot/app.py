"""Builds the python-telegram-bot Application with every dependency wired in."""

from __future__ import annotations

import html
import logging
import sys

from telegram import BotCommand, BotCommandScopeAllGroupChats, Update
from telegram.ext import Application, ContextTypes
from telegram.request import BaseRequest, HTTPXRequest

import handlers
from bot import limits
from bot.counting_request import CountingRequest
from bot.flood import flood_limiter
from bot.processor import PerChatProcessor
from bot.settings import Settings
from handlers.account import COMMANDS, IN_GROUPS
from handlers.context import ChiboContext
from messages.render import label, render
from services.deps import DEPS_KEY, Deps
from services.metrics import UPDATE_ERRORS

log = logging.getLogger(__name__)

# python-telegram-bot needs some token to build a Bot; the local transport ignores it.
SANDBOX_TOKEN = "1:sandbox"
# The event loop shares the GIL with worker threads (a digest, a plan tick): a thread
# keeps it up to this long before the loop gets a turn (CPython's default: 5 ms), and
# a reply needs several turns. bench/stall.py: /status p99 during a /digest.
GIL_SWITCH_SECONDS = 0.001


def build_application(
    deps: Deps[Settings], *, request: BaseRequest | None = None, rate_limited: bool = True
) -> Application:
    settings = deps.settings
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token or SANDBOX_TOKEN)
        .context_types(ContextTypes(context=ChiboContext))
        .concurrent_updates(PerChatProcessor())
        .post_init(_publish_commands)
    )
    if settings.bot_api_base_url:
        builder = builder.base_url(settings.bot_api_base_url)
    # Every Bot API call is counted for GET /metrics (python-telegram-bot's own pool
    # sizes when no transport is given: 256 connections, one for getUpdates).
    builder = builder.request(CountingRequest(request or HTTPXRequest(connection_pool_size=256)))
    builder = builder.get_updates_request(
        CountingRequest(request or HTTPXRequest(connection_pool_size=1))
    )
    if rate_limited:
        # PTB types the builder for a limiter without per-call arguments; ours takes none either.
        builder = builder.rate_limiter(flood_limiter(settings.send_rate_per_second))  # type: ignore[arg-type]
    application = builder.build()
    application.bot_data[DEPS_KEY] = deps
    limits.register(application)  # group -1: oversized or userless updates stop here
    handlers.register(application)
    application.add_error_handler(_on_error)
    return application


async def _publish_commands(application: Application) -> None:
    """The menus everyone starts with. A person's own private chat gets a menu of
    their roles' commands at onboarding (handlers.account.publish_menu); before that,
    or for a stranger, the menu offers /start and /help only. Group chats list what
    works in groups."""
    locale = application.bot_data[DEPS_KEY].settings.locale
    in_groups = application.bot_data[IN_GROUPS]

    def menu(names: list[str]) -> list[BotCommand]:
        return [BotCommand(name, label(f"command.{name}", locale)) for name in names]

    await application.bot.set_my_commands(menu(["start", "help"]))
    await application.bot.set_my_commands(
        menu([name for name, _ in COMMANDS if name in in_groups]),
        scope=BotCommandScopeAllGroupChats(),
    )


async def _on_error(update: object, context: ChiboContext) -> None:
    # The traceback goes to the log; the user gets one polite sentence.
    UPDATE_ERRORS.inc()
    log.error("update failed: %s", html.escape(str(update))[:500], exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_html(render("error", context.locale))
        except Exception:  # the chat may be the thing that is broken
            log.exception("could not tell the user about the error")
