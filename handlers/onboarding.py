"""Onboarding: `/start <code>` (the invite link), or a stranger typing the code.

Only a stranger's text is read as a code (handlers.access hands strangers to
`stranger_text`): a bound user's typing, like a place inside a dialog, always goes
to the dialog, and a bound user sends a further invite with `/start CODE`.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CommandHandler, filters

from domain import invite_codes
from domain.unit_names import unit_label
from handlers.access import public
from handlers.account import help_text, publish_menu
from handlers.context import ChiboContext
from messages.render import render, role_title
from services.actors import load_actor
from services.invites import Outcome, TelegramUser, Throttle, redeem


async def start(update: Update, context: ChiboContext) -> None:
    if context.args:
        await _redeem(update, context, " ".join(context.args))
        return
    await _greet(update, context)


async def stranger_text(update: Update, context: ChiboContext) -> None:
    """A private text from someone the bot does not know: an invite code, or a refusal."""
    message = update.effective_message
    assert message is not None
    if message.text is not None and invite_codes.looks_like_code(message.text):
        await _redeem(update, context, message.text)
        return
    await message.reply_html(render("stranger", context.locale))


async def _greet(update: Update, context: ChiboContext) -> None:
    assert update.effective_user is not None and update.effective_message is not None
    actor = await context.find_actor(update.effective_user.id)
    if actor is None:
        await update.effective_message.reply_html(render("stranger", context.locale))
        return
    context.actor = actor
    await update.effective_message.reply_html(help_text(context))
    await publish_menu(context, update.effective_user.id, actor)


async def _redeem(update: Update, context: ChiboContext, text: str) -> None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    settings = context.deps.settings
    result = await context.run(
        redeem,
        context.deps.db,
        TelegramUser(user.id, user.full_name, user.username, user.language_code),
        text,
        now=context.deps.clock.now(),
        throttle=Throttle(
            settings.invite_max_failures,
            timedelta(minutes=settings.invite_failure_window_minutes),
        ),
    )
    locale = context.locale
    if result.outcome in (Outcome.BOUND, Outcome.ALREADY_BOUND):
        context.deps.actors.forget(user.id)  # the new role counts from this message on
        actor = await context.run(load_actor, context.deps.db, user.id)
        assert actor is not None and result.role is not None
        # The role just bound (or bound before); one since moved away falls back to any.
        scope = next(
            (s for s in actor.scopes if (s.role, s.unit_code) == (result.role, result.unit_code)),
            actor.scopes[0],
        )
        await message.reply_html(
            render(
                "welcome",
                locale,
                name=user.full_name,
                role_name=role_title(scope.role.value, scope.unit_kind.value, locale),
                unit_name=unit_label(scope.named, with_code=True),
                already=result.outcome == Outcome.ALREADY_BOUND,
            )
        )
        await publish_menu(context, user.id, actor)  # a new role: a new menu
        return
    await message.reply_html(
        render(
            "invite_refused",
            locale,
            outcome=result.outcome.value,
            retry_after=result.retry_after,
            attempts_left=result.attempts_left,
        )
    )


def handlers() -> list[CommandHandler]:
    return [CommandHandler("start", public(start), filters=filters.ChatType.PRIVATE)]
