"""The snooze button on reminders, and /away for a secretary who is away for a while."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.access import guarded
from bot.context import ChiboContext
from domain.dates_vi import DateParseError, parse_date
from domain.localtime import local_date
from domain.roles import Action
from domain.text_vi import ascii_int
from messages.render import render, render_plain
from messages.telegram_text import ALERT_LIMIT, cut
from services import reminders

SNOOZE_PREFIX = "snooze:"
OFF_WORDS = {"off", "tat", "tắt", "ve", "về", "het", "hết", "0"}


async def on_snooze(update: Update, context: ChiboContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    deps = context.deps
    outbox_id = ascii_int(query.data.removeprefix(SNOOZE_PREFIX))
    if outbox_id is None:
        result = reminders.SnoozeResult(reminders.SnoozeOutcome.NOT_FOUND)
    else:
        result = await context.run(
            reminders.snooze,
            deps.db,
            outbox_id,
            context.require_actor(),
            now=deps.clock.now(),
            policy=deps.policy,
        )
    text = render_plain(
        "reminder_snoozed", context.locale, outcome=result.outcome.value, until=result.until
    )
    await query.answer(
        cut(text, ALERT_LIMIT), show_alert=result.outcome != reminders.SnoozeOutcome.SNOOZED
    )


async def away(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    deps = context.deps
    actor = context.require_actor()
    now = deps.clock.now()
    today = local_date(now)
    argument = " ".join(context.args or []).strip()
    if not argument:
        current = await context.run(reminders.away_until, deps.db, actor)
        if current is not None and current < today:
            current = None
        await message.reply_html(render("away", context.locale, state="show", until=current))
        return
    if argument.casefold() in OFF_WORDS:
        await context.run(reminders.set_away, deps.db, actor, None, now=now)
        await message.reply_html(render("away", context.locale, state="off", until=None))
        return
    try:
        until = parse_date(argument, today, future_only=True)
    except DateParseError as error:
        await message.reply_html(render("away", context.locale, state="bad", error=str(error)))
        return
    if until - today > timedelta(days=reminders.MAX_AWAY_DAYS):
        await message.reply_html(
            render("away", context.locale, state="too_far", days=reminders.MAX_AWAY_DAYS)
        )
        return
    await context.run(reminders.set_away, deps.db, actor, until, now=now)
    await message.reply_html(render("away", context.locale, state="on", until=until))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("away", guarded(Action.AWAY, away)),
        CallbackQueryHandler(guarded(Action.SNOOZE, on_snooze), pattern=f"^{SNOOZE_PREFIX}"),
    ]
