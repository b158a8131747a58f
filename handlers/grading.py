"""/grade: the year-end preview of the actor's scope, with the XLSX of every organisation."""

from __future__ import annotations

from datetime import date

from telegram import InputFile, Update
from telegram.ext import CommandHandler

from domain.localtime import local_date
from domain.roles import Action
from handlers.access import guarded
from handlers.context import ChiboContext
from handlers.scopes import widest
from messages.grade_text import preview_text
from messages.render import render
from messages.year_files import preview_xlsx
from services import grading


async def grade_command(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    deps, locale = context.deps, context.locale
    now = deps.clock.now()
    today = local_date(now)
    opens = date(today.year, deps.policy.grading.preview_from_month, 1)
    if today < opens:
        await message.reply_html(
            render("grade", locale, view="not_yet", year=today.year, opens_on=opens)
        )
        return
    for scope in widest(actor.scopes_for(Action.GRADE)):
        preview = await context.run(
            grading.preview, deps.db, scope.unit_code, today.year, now=now, policy=deps.policy
        )
        await message.reply_html(preview_text(preview, locale))
        data = await context.run(preview_xlsx, preview, locale)
        await message.reply_document(
            InputFile(data, filename=f"xep-loai-{scope.unit_code}-{today.year}.xlsx"),
            caption=render(
                "grade_file_caption", locale, year=today.year, scope_name=scope.unit_label
            ),
        )


def handlers() -> list[CommandHandler]:
    return [CommandHandler("grade", guarded(Action.GRADE, grade_command, private_only=False))]
