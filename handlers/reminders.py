"""The snooze button on reminders, and /away for a secretary who is away for a while."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.dates_vi import DateParseError, date_examples, parse_date
from domain.localtime import local_date
from domain.roles import Action
from domain.text_vi import ascii_int, fold
from handlers.access import guarded
from handlers.context import ChiboContext
from messages.render import render, render_plain
from messages.telegram_text import ALERT_LIMIT, cut
from services import reminders

SNOOZE_PREFIX = "snooze:"
# "/away off" and the ways people say it (compared without diacritics).
OFF_WORDS = {
    "off", "tat", "ve", "da ve", "het", "0", "huy", "thoi", "ket thuc", "tro lai", "da tro lai",
}  # fmt: skip


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
    """/away DATE, /away off, /away: and each time, who is reminded meanwhile."""
    message = update.effective_message
    assert message is not None
    deps = context.deps
    actor = context.require_actor()
    now = deps.clock.now()
    today = local_date(now)
    latest = today + timedelta(days=reminders.MAX_AWAY_DAYS)
    examples = date_examples(today, future_only=True, latest=latest)

    def reply(state: str, **values: object) -> Any:
        context_values = {"until": None, "covers": [], "examples": examples, **values}
        return message.reply_html(render("away", context.locale, state=state, **context_values))

    argument = " ".join(context.args or []).strip()
    if not argument:
        current = await context.run(reminders.away_until, deps.db, actor)
        if current is None or current < today:
            await reply("show")
        else:
            covers = await context.run(reminders.away_covers, deps.db, actor, today)
            await reply("show", until=current, covers=covers)
        return
    if fold(argument) in OFF_WORDS:
        await context.run(reminders.set_away, deps.db, actor, None, now=now)
        await reply("off")
        return
    try:
        until = parse_date(argument, today, future_only=True, latest=latest)
    except DateParseError as error:
        await reply("bad", error=error.reason, examples=error.examples or examples)
        return
    covers = await context.run(
        reminders.go_away, deps.db, actor, until, now=now, locale=context.locale
    )
    await reply("on", until=until, covers=covers)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("away", guarded(Action.AWAY, away)),
        CallbackQueryHandler(guarded(Action.SNOOZE, on_snooze), pattern=f"^{SNOOZE_PREFIX}"),
    ]
