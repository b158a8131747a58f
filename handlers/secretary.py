"""Secretary commands: start the flows, route buttons and typed answers to them."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from domain.roles import Action, Role
from handlers import dialog, onboarding
from handlers.access import guarded, refuse
from handlers.context import ChiboContext
from handlers.flows import common
from handlers.flows.admission import AdmissionFlow
from handlers.flows.rating import RatingFlow
from handlers.flows.record import RecordFlow
from handlers.flows.report import ReportFlow
from handlers.flows.schedule import ScheduleFlow
from messages.render import render
from messages.telegram_text import alert
from services.actors import Actor, admin_scope
from services.deps import Deps

# Buttons in reminders open a flow for a unit: "open:<flow>:<UNIT>[:kind][:period]".
OPEN_PREFIX = "open:"
FLOW_ARGS: dict[str, tuple[str, ...]] = {
    "schedule": ("month",),
    "record": ("kind", "month"),
    "rate": ("kind", "month"),
    "report": ("report_type", "period"),
    "complete": ("directive",),  # confirm a directive done
    "attend": ("meeting",),  # answer a cluster meeting's invitation
}


async def _start(
    update: Update,
    context: ChiboContext,
    flow_cls: type[dialog.Flow],
    unit_code: str | None,
    extra: dict[str, Any],
) -> None:
    outcome = await context.run(
        _begin, context.deps, context.require_actor(), context.locale, flow_cls, unit_code, extra
    )
    if isinstance(outcome, dialog.Reply):
        await dialog.send(update, outcome)
    else:
        await refuse(update, outcome)


def _begin(
    deps: Deps,
    actor: Actor,
    locale: str,
    flow_cls: type[dialog.Flow],
    unit_code: str | None,
    extra: dict[str, Any],
) -> dialog.Reply | str:
    """The flow's first prompt for the chosen unit, or why it cannot start (a refusal)."""
    units = common.meeting_units(actor, flow_cls.action, flow_cls.unit_kinds)
    if unit_code is not None:
        chosen = [u for u in units if u.unit_code == unit_code]
        acting = admin_scope(deps.db, actor, unit_code)
        if not chosen and acting is not None and acting.unit_kind in flow_cls.unit_kinds:
            chosen = [acting]
        if not chosen:
            return render("unit_out_of_scope", locale)
        units = chosen
    if not units and Role.ADMIN in actor.roles:
        return render("admin_needs_unit", locale, command=flow_cls.name)
    if not units:
        return render(flow_cls.no_unit_template, locale)
    if len(units) > 1:
        return dialog.begin(deps, actor, locale, flow_cls, extra, common.UNIT)
    return dialog.begin(deps, actor, locale, flow_cls, {**common.unit_data(units[0]), **extra})


def _command(flow_cls: type[dialog.Flow]):
    async def start_flow(update: Update, context: ChiboContext) -> None:
        unit_code = context.args[0].upper() if context.args else None
        await _start(update, context, flow_cls, unit_code, {})

    start_flow.__name__ = f"start_{flow_cls.name}"
    return start_flow


async def open_from_button(update: Update, context: ChiboContext) -> None:
    """A reminder's button: jump straight into the flow for that unit and period."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.removeprefix(OPEN_PREFIX).split(":")
    flow_cls = dialog.FLOWS.get(parts[0])
    names = FLOW_ARGS.get(parts[0], ())
    if flow_cls is None or len(parts) != 2 + len(names):
        await query.answer(alert(render("dialog_stale", context.locale)), show_alert=True)
        return
    if not context.require_actor().may(flow_cls.action):
        await query.answer(alert(render("not_allowed", context.locale)), show_alert=True)
        return
    await query.answer()
    extra = dict(zip(names, parts[2:], strict=True))
    await _start(update, context, flow_cls, parts[1], extra)


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("schedule", guarded(Action.SCHEDULE, _command(ScheduleFlow))),
        CommandHandler("record", guarded(Action.RECORD, _command(RecordFlow))),
        CommandHandler("rate", guarded(Action.RATE, _command(RatingFlow))),
        CommandHandler("report", guarded(Action.REPORT, _command(ReportFlow))),
        CommandHandler("admission", guarded(Action.ADMISSION, _command(AdmissionFlow))),
        CallbackQueryHandler(guarded(Action.HELP, open_from_button), pattern=f"^{OPEN_PREFIX}"),
        CallbackQueryHandler(
            guarded(Action.HELP, dialog.on_button), pattern=f"^{dialog.CALLBACK_PREFIX}"
        ),
        MessageHandler(
            private & (filters.Document.ALL | filters.PHOTO), guarded(Action.HELP, dialog.on_file)
        ),
        # A stranger's text may be an invite code; a bound user's never is.
        MessageHandler(
            private & filters.TEXT & ~filters.COMMAND,
            guarded(Action.HELP, dialog.on_text, stranger=onboarding.stranger_text),
        ),
    ]
