"""The member survey in the chat.

A member (anyone: no invite, no role) opens `t.me/<bot>?start=ks-<token>` in a
private chat and answers with buttons. The buttons carry the answers so far
(`ks:<token>:<digits>`), so nothing about the member is kept while they answer;
the answers are stored, keyed by an HMAC of their Telegram id and the survey, only
when the last one is given. The optional comment is a reply to the bot's prompt,
which quotes the survey's token: again nothing is kept in between.

`/survey` (the link and the results) is `handlers.survey_results`.
"""

from __future__ import annotations

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from domain import survey as rules
from domain.roles import Action
from domain.survey_results import SurveyRef
from handlers.access import respondent
from handlers.context import ChiboContext
from messages.render import label, render
from messages.telegram_text import alert
from services import surveys
from services.deps import Deps
from services.surveys import Answering

ANSWER_PREFIX = "ks:"
# A reply to the bot's comment prompt: the prompt quotes the token after this mark
# (in every locale).
COMMENT_MARK = "🔖"


# ---------------------------------------------------------------------------
# A member answers


def _secret(context: ChiboContext) -> bytes | None:
    key = context.deps.settings.survey_key
    return key.encode() if key else None


async def open_survey(update: Update, context: ChiboContext) -> None:
    """`/start ks-<token>`: the survey's first question (or why it cannot be answered)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    locale = context.deps.settings.locale
    secret = _secret(context)
    if secret is None:
        await message.reply_html(render("survey_answer", locale, step="disabled"))
        return
    token = rules.token_in(" ".join(context.args or []))
    if token is None:
        await message.reply_html(render("survey_answer", locale, step="unknown"))
        return
    deps = context.deps
    opening = await context.run(
        surveys.opening, deps.db, token, user.id, secret=secret, now=deps.clock.now()
    )
    if opening.state != Answering.OPEN or opening.survey is None:
        await message.reply_html(_closed_text(opening.state, opening.survey, locale))
        return
    survey = opening.survey
    await message.reply_html(
        render(
            "survey_answer",
            locale,
            step="intro",
            quarter=str(survey.quarter),
            unit_name=opening.unit_name,
            questions=len(survey.questions),
            closes_on=survey.closes_on,
            previous=list(opening.previous or ()),
            scale=deps.policy.survey.scale,
        )
    )
    text, markup = _question(survey, "", deps, locale)
    await message.reply_html(text, reply_markup=markup)


def _closed_text(state: Answering, survey: SurveyRef | None, locale: str) -> str:
    return render(
        "survey_answer",
        locale,
        step=state.value,
        opens_on=survey.opens_on if survey else None,
        closes_on=survey.closes_on if survey else None,
    )


def _question(
    survey: SurveyRef, answered: str, deps: Deps, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The next question after `answered`, with one button per point of the scale (each
    carrying the answers so far) and a way back."""
    index = len(answered)
    scale = deps.policy.survey.scale
    rows = [
        [
            InlineKeyboardButton(
                f"{value} · {scale[value - 1]}",
                callback_data=f"{ANSWER_PREFIX}{survey.token}:{answered}{value}",
            )
        ]
        for value in rules.SCALE
    ]
    if index:
        rows.append(
            [
                InlineKeyboardButton(
                    label("button.survey_back", locale),
                    callback_data=f"{ANSWER_PREFIX}{survey.token}:{answered[:-1]}",
                )
            ]
        )
    text = render(
        "survey_answer",
        locale,
        step="question",
        number=index + 1,
        questions=len(survey.questions),
        question=survey.questions[index].text_vi,
    )
    return text, InlineKeyboardMarkup(rows)


async def on_answer(update: Update, context: ChiboContext) -> None:
    """A press on a question's button: the next question, or the answers kept."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.data is not None and user is not None
    locale = context.deps.settings.locale
    token, _, digits = query.data.removeprefix(ANSWER_PREFIX).partition(":")
    secret = _secret(context)
    if secret is None:
        await query.answer(alert(render("survey_answer", locale, step="disabled")), show_alert=True)
        return
    deps = context.deps
    opening = await context.run(
        surveys.opening, deps.db, token, user.id, secret=secret, now=deps.clock.now()
    )
    if opening.state != Answering.OPEN or opening.survey is None:
        await query.answer(
            alert(_closed_text(opening.state, opening.survey, locale)), show_alert=True
        )
        return
    survey = opening.survey
    answers = rules.parse_answers(digits, len(survey.questions))
    if answers is None:
        await query.answer(alert(render("dialog_stale", locale)), show_alert=True)
        return
    await query.answer()
    if len(answers) < len(survey.questions):
        text, markup = _question(survey, digits, deps, locale)
        await query.edit_message_text(text, reply_markup=markup)
        return
    saved = await context.run(
        surveys.save_answers,
        deps.db,
        token,
        user.id,
        answers,
        secret=secret,
        now=deps.clock.now(),
    )
    if saved.state != Answering.OPEN:
        await query.edit_message_text(_closed_text(saved.state, saved.survey, locale))
        return
    await query.edit_message_text(
        render(
            "survey_answer",
            locale,
            step="saved",
            changed=saved.changed,
            answers=[
                {"question": q.text_vi, "value": a, "label": deps.policy.survey.scale[a - 1]}
                for q, a in zip(survey.questions, answers, strict=True)
            ],
            closes_on=survey.closes_on,
        )
    )
    message = query.message
    if isinstance(message, Message):
        await message.reply_html(
            render(
                "survey_answer",
                locale,
                step="comment_prompt",
                mark=COMMENT_MARK,
                link_argument=survey.link_argument,
                limit=rules.MAX_COMMENT,
            ),
            reply_markup=ForceReply(
                input_field_placeholder=label("placeholder.survey_comment", locale)
            ),
        )


class _ReplyToCommentPrompt(filters.MessageFilter):
    """A member's reply to the bot's comment prompt (it quotes the survey's token)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return (
            replied is not None
            and replied.from_user is not None
            and replied.from_user.is_bot
            and COMMENT_MARK in (replied.text or "")
            and rules.token_in(replied.text or "") is not None
        )


async def on_comment(update: Update, context: ChiboContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    assert message.reply_to_message is not None
    locale = context.deps.settings.locale
    token = rules.token_in(message.reply_to_message.text or "")
    secret = _secret(context)
    if token is None or secret is None:
        await message.reply_html(render("survey_answer", locale, step="disabled"))
        return
    deps = context.deps
    saved = await context.run(
        surveys.save_comment,
        deps.db,
        token,
        user.id,
        message.text or "",
        secret=secret,
        now=deps.clock.now(),
    )
    if saved.state == Answering.OPEN:
        await message.reply_html(
            render("survey_answer", locale, step="comment_saved", changed=saved.changed)
        )
        return
    await message.reply_html(_closed_text(saved.state, saved.survey, locale))


def handlers() -> list[BaseHandler]:
    """Registered before onboarding: `/start ks-…` is a survey link, never an invite."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(
            "start",
            respondent(Action.ANSWER_SURVEY, open_survey),
            filters=private & filters.Regex(r"(?i)^/start(@\w+)?\s+ks-"),
        ),
        CallbackQueryHandler(
            respondent(Action.ANSWER_SURVEY, on_answer), pattern=f"^{ANSWER_PREFIX}"
        ),
        MessageHandler(
            private & filters.TEXT & ~filters.COMMAND & _ReplyToCommentPrompt(),
            respondent(Action.ANSWER_SURVEY, on_comment),
        ),
    ]
