"""/status and /history: what is due now, and how the last months went."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from domain.localtime import local_date
from domain.org import MEETING_KINDS
from domain.periods import Month
from domain.roles import Action
from handlers.access import guarded
from handlers.context import ChiboContext
from handlers.flows import common
from messages import grade_text
from messages.flow_links import button_item, todo_link
from messages.render import label, render, render_plain
from services import status
from services.actors import admin_scope

HISTORY_MONTHS = 6
MAX_BUTTONS = 6


async def show_status(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    deps = context.deps
    now = deps.clock.now()
    units = common.meeting_units(actor, Action.STATUS)
    if context.args:  # "/status TNMT-01": that unit only, if it is one's own
        code = context.args[0].upper()
        chosen = [u for u in units if u.unit_code == code]
        acting = await context.run(admin_scope, deps.db, actor, code)
        if not chosen and acting is not None and acting.unit_kind in MEETING_KINDS:
            chosen = [acting]
        if not chosen:
            await message.reply_html(
                render(
                    "status_other_unit",
                    context.locale,
                    code=code,
                    own=[u.unit_label for u in units],
                    oversight=actor.may(Action.UNIT_LOOKUP),
                )
            )
            return
        units = chosen
    if not units:
        await message.reply_html(render("status_oversight", context.locale))
        return
    views = await context.run(
        lambda: [
            status.unit_status(deps.db, u.unit_code, u.unit_kind, now=now, policy=deps.policy)
            for u in units
        ]
    )
    for unit, view in zip(units, views, strict=True):
        buttons = _todo_buttons(view, local_date(now), context.locale)
        await message.reply_html(
            render(
                "status",
                context.locale,
                unit_name=unit.unit_label,
                today=local_date(now),
                view=view,
                target=deps.policy.attendance_target,
                kind_label=lambda k: common.kind_label(k, context.locale),
                grade=grade_text.unit_context(view.grade, context.locale) if view.grade else None,
                placeholder=deps.policy.grading.placeholder,
            ),
            reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
        )


def _todo_buttons(
    view: status.UnitStatus, today: date, locale: str
) -> list[list[InlineKeyboardButton]]:
    """Each thing to do, one tap away: the same entry points the reminders use."""
    rows: list[list[InlineKeyboardButton]] = []
    for item in [*view.overdue, *view.soon]:
        link = todo_link(view.unit_code, item.todo, today)
        if link is None or len(rows) >= MAX_BUTTONS:
            continue
        fields = button_item(item.todo, today, report_name=item.report_name, title=item.title)
        label = render_plain("reminder_button", locale, item=fields, unit=None)
        rows.append([InlineKeyboardButton(label, callback_data=link)])
    return rows


async def show_history(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    units = common.meeting_units(actor, Action.HISTORY)
    if not units:
        await message.reply_html(render("status_oversight", context.locale))
        return
    this = Month.of(local_date(context.deps.clock.now()))
    months = [this.plus(-i) for i in range(HISTORY_MONTHS)]
    db, now = context.deps.db, context.deps.clock.now()
    every = await context.run(
        lambda: [status.month_lines(db, u.unit_code, u.unit_kind, months, now=now) for u in units]
    )
    for unit, lines in zip(units, every, strict=True):
        await message.reply_html(
            render(
                "history",
                context.locale,
                unit_name=unit.unit_label,
                lines=lines,
                level_label=lambda v: label(f"quality.{v}", context.locale) if v else None,
            )
        )


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("status", guarded(Action.STATUS, show_status)),
        CommandHandler("history", guarded(Action.HISTORY, show_history)),
    ]
