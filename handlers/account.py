"""/help and /whoami: what the user may do, and as whom; the per-chat command menu."""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    MenuButton,
    MenuButtonDefault,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import CommandHandler

from domain.roles import Action, Role
from domain.unit_names import unit_label
from handlers.access import guarded
from handlers.context import ChiboContext
from handlers.dialog import FLOWS
from handlers.flows.common import meeting_units
from messages.dashboard_text import wlabel
from messages.render import label, render, role_title
from services.actors import Actor

log = logging.getLogger(__name__)

# The command menu, in the order /help lists it; each entry names the action it needs.
COMMANDS: tuple[tuple[str, Action], ...] = (
    ("status", Action.STATUS),
    ("schedule", Action.SCHEDULE),
    ("record", Action.RECORD),
    ("rate", Action.RATE),
    ("report", Action.REPORT),
    ("history", Action.HISTORY),
    ("directives", Action.DIRECTIVES),
    ("directive", Action.ISSUE_DIRECTIVE),
    ("clustermeeting", Action.CLUSTER_MEETING),
    ("survey", Action.SURVEY),
    ("admission", Action.ADMISSION),
    ("digest", Action.DIGEST),
    ("overdue", Action.OVERDUE),
    ("unit", Action.UNIT_LOOKUP),
    ("cluster", Action.UNIT_LOOKUP),
    ("grade", Action.GRADE),
    ("subscribe", Action.SUBSCRIBE),
    ("away", Action.AWAY),
    ("people", Action.MANAGE_ROLES),
    ("role", Action.MANAGE_ROLES),
    ("whoami", Action.WHOAMI),
    ("help", Action.HELP),
)
# bot_data keys, filled by handlers.register from the registered handlers.
PROVIDED = "commands"
IN_GROUPS = "group_commands"


def command_names(
    actor: Actor,
    provided: set[str],
    *,
    in_group: bool = False,
    group_commands: frozenset[str] = frozenset(),
) -> list[str]:
    """The commands the actor may use here: allowed by their roles, provided by this
    build, with a unit they apply to, and (in a group chat) answered in groups."""
    return [
        name
        for name, action in COMMANDS
        if actor.may(action)
        and name in provided
        and _has_units_for(actor, name)
        and (not in_group or name in group_commands)
    ]


def help_text(context: ChiboContext, *, in_group: bool = False) -> str:
    names = command_names(
        context.require_actor(),
        context.bot_data.get(PROVIDED, set()),
        in_group=in_group,
        group_commands=context.bot_data.get(IN_GROUPS, frozenset()),
    )
    commands = [
        {"command": name, "description": label(f"command.{name}", context.locale)} for name in names
    ]
    return render("help", context.locale, commands=commands, in_group=in_group)


def _has_units_for(actor: Actor, command: str) -> bool:
    """A flow command is listed only if the actor keeps a unit it applies to.

    A sub-cell's secretary may not /report (sub-cells report to their base
    committee); an admin acts for any unit by code.
    """
    flow = FLOWS.get(command)
    if flow is None or Role.ADMIN in actor.roles:
        return True
    return bool(meeting_units(actor, flow.action, flow.unit_kinds))


async def publish_menu(context: ChiboContext, chat_id: int, actor: Actor) -> None:
    """The "/" menu of this private chat: exactly the commands of the person's roles.

    Set at onboarding (every redeemed invite, i.e. every role change) and refreshed
    by /start and /help. A failure is logged: the menu is a convenience.
    """
    names = command_names(actor, context.bot_data.get(PROVIDED, set()))
    commands = [BotCommand(name, label(f"command.{name}", context.locale)) for name in names]
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        log.warning("could not set the command menu of chat %s: %s", chat_id, error)
    await _publish_menu_button(context, chat_id, actor)


async def _publish_menu_button(context: ChiboContext, chat_id: int, actor: Actor) -> None:
    """The button beside the message box: the dashboard (Mini App) for those who may
    see a digest (leaders, cluster officers, admins), Telegram's default for others
    (so a person who lost the role loses the button at their next /start or /help).
    Only when the app has an HTTPS address."""
    url = context.deps.settings.dashboard_url
    if url is None:
        return
    button: MenuButton = MenuButtonDefault()
    if actor.may(Action.DIGEST):
        button = MenuButtonWebApp(wlabel("menu.button", context.locale), WebAppInfo(url))
    try:
        await context.bot.set_chat_menu_button(chat_id, button)
    except TelegramError as error:
        log.warning("could not set the menu button of chat %s: %s", chat_id, error)


def _in_group(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE


async def show_help(update: Update, context: ChiboContext) -> None:
    assert update.effective_message is not None and update.effective_chat is not None
    in_group = _in_group(update)
    await update.effective_message.reply_html(help_text(context, in_group=in_group))
    if not in_group:
        await publish_menu(context, update.effective_chat.id, context.require_actor())


async def whoami(update: Update, context: ChiboContext) -> None:
    assert update.effective_message is not None
    actor = context.require_actor()
    scopes = [
        {
            "role_name": role_title(s.role.value, s.unit_kind.value, context.locale),
            "unit_name": unit_label(s.named, with_code=True),
        }
        for s in actor.scopes
    ]
    await update.effective_message.reply_html(
        render("whoami", context.locale, name=actor.full_name, scopes=scopes)
    )


def handlers() -> list[CommandHandler]:
    return [
        CommandHandler("help", guarded(Action.HELP, show_help, private_only=False)),
        CommandHandler("whoami", guarded(Action.WHOAMI, whoami, private_only=False)),
    ]
