"""/help and /whoami: what the user may do, and as whom."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.access import guarded
from bot.context import ChiboContext
from domain.roles import Action, Role
from handlers.dialog import FLOWS
from handlers.flows.common import meeting_units
from messages.render import label, render
from services.actors import Actor

# The command menu, in the order /help lists it; each entry names the action it needs.
COMMANDS: tuple[tuple[str, Action], ...] = (
    ("status", Action.STATUS),
    ("schedule", Action.SCHEDULE),
    ("record", Action.RECORD),
    ("rate", Action.RATE),
    ("report", Action.REPORT),
    ("history", Action.HISTORY),
    ("digest", Action.DIGEST),
    ("overdue", Action.OVERDUE),
    ("unit", Action.UNIT_LOOKUP),
    ("cluster", Action.UNIT_LOOKUP),
    ("subscribe", Action.SUBSCRIBE),
    ("away", Action.AWAY),
    ("people", Action.MANAGE_ROLES),
    ("role", Action.MANAGE_ROLES),
    ("whoami", Action.WHOAMI),
    ("help", Action.HELP),
)


def help_text(context: ChiboContext, available: frozenset[str] | None = None) -> str:
    """The commands the actor's roles allow (and that this build provides)."""
    actor = context.require_actor()
    provided = available if available is not None else context.bot_data.get("commands", set())
    commands = [
        {"command": name, "description": label(f"command.{name}", context.locale)}
        for name, action in COMMANDS
        if actor.may(action) and name in provided and _has_units_for(actor, name)
    ]
    return render("help", context.locale, commands=commands)


def _has_units_for(actor: Actor, command: str) -> bool:
    """A flow command is listed only if the actor keeps a unit it applies to.

    A sub-cell's secretary may not /report (sub-cells report to their base
    committee); an admin acts for any unit by code.
    """
    flow = FLOWS.get(command)
    if flow is None or Role.ADMIN in actor.roles:
        return True
    return bool(meeting_units(actor, flow.action, flow.unit_kinds))


async def show_help(update: Update, context: ChiboContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_html(help_text(context))


async def whoami(update: Update, context: ChiboContext) -> None:
    assert update.effective_message is not None
    actor = context.require_actor()
    scopes = [
        {
            "role_name": label(f"role.{s.role.value}", context.locale),
            "unit_name": s.unit_name,
            "unit_code": s.unit_code,
        }
        for s in actor.scopes
    ]
    await update.effective_message.reply_html(
        render("whoami", context.locale, name=actor.full_name, scopes=scopes)
    )


def handlers() -> list[CommandHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("help", guarded(Action.HELP, show_help, private_only=False)),
        CommandHandler("whoami", guarded(Action.WHOAMI, whoami, private_only=False)),
    ]
