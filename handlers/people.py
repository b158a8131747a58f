"""/people and /role: an admin lists people, takes a role away or moves it, in the bot.

`/people [UNIT]` lists who holds which role (with the id `/role` needs);
`/role revoke ID ROLE UNIT` and `/role move ID ROLE FROM TO` change one assignment
within the admin's own subtree, audited like the CLI's `chibo role`. The person's
cached actor is forgotten at once, so the change counts from their next message.
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CommandHandler

from domain.roles import Action, Role
from handlers.access import guarded
from handlers.context import ChiboContext
from messages.render import label, render, role_title
from services import people

MAX_LISTED = 60


async def people_command(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    unit = context.args[0].upper() if context.args else None
    try:
        found = await context.run(
            people.list_people, context.deps.db, unit, within=_within(context)
        )
    except people.PeopleError as error:
        await message.reply_html(html.escape(str(error)))
        return
    rows = [
        {
            "id": p.id,
            "name": p.full_name,
            "roles": [
                f"{role_title(h.role.value, h.unit_kind or '', context.locale)} {h.unit_code}"
                for h in p.roles
            ],
        }
        for p in found
    ]
    await message.reply_html(
        render(
            "people",
            context.locale,
            people=rows[:MAX_LISTED],
            more=max(0, len(rows) - MAX_LISTED),
        )
    )


async def role_command(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    args = context.args or []
    verb = args[0].lower() if args else ""
    shape = {"revoke": 4, "move": 5}.get(verb)
    if shape is None or len(args) != shape or not args[1].isascii() or not args[1].isdigit():
        await message.reply_html(render("role_usage", context.locale))
        return
    try:
        role = Role(args[2].lower())
    except ValueError:
        await message.reply_html(render("role_usage", context.locale))
        return
    units = [a.upper() for a in args[3:]]
    common = {
        "person_id": int(args[1]),
        "role": role,
        "now": context.deps.clock.now(),
        "actor": actor.audit_label,
        "actor_person_id": actor.person_id,
        "within": _within(context),
    }
    if int(args[1]) == actor.person_id and role == Role.ADMIN:
        # An admin cannot lock themselves out from the bot; the office's CLI can.
        await message.reply_html(render("role_changed", context.locale, change=None))
        return
    try:
        if verb == "revoke":
            change = await context.run(
                people.revoke_role, context.deps.db, unit_code=units[0], **common
            )
        else:
            change = await context.run(
                people.move_role,
                context.deps.db,
                from_unit=units[0],
                to_unit=units[1],
                **common,
            )
    except people.PeopleError as error:
        await message.reply_html(html.escape(str(error)))
        return
    context.deps.actors.forget(change.telegram_user_id)
    await message.reply_html(
        render(
            "role_changed",
            context.locale,
            change=change,
            role_name=label(f"role.{change.role.value}", context.locale),
        )
    )


def _within(context: ChiboContext) -> tuple[str, ...]:
    return tuple(s.unit_path for s in context.require_actor().scopes_for(Action.MANAGE_ROLES))


def handlers() -> list[CommandHandler]:
    return [
        CommandHandler("people", guarded(Action.MANAGE_ROLES, people_command)),
        CommandHandler("role", guarded(Action.MANAGE_ROLES, role_command)),
    ]
