"""`/survey`: a cell's secretary gets the link to post and, once the survey has closed
with enough answers, the results; officers and leaders get their scope's view, and
`/survey CODE` one cell's. (Members answer in `handlers.survey`.)"""

from __future__ import annotations

from datetime import date

from telegram import (
    Message,
    Update,
)
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.localtime import local_date
from domain.org import CELL_KINDS, UnitKind
from domain.roles import Action, Role
from domain.survey import format_score
from domain.survey_results import CellSurvey, SurveyRef, SurveySection
from handlers.access import guarded
from handlers.context import ChiboContext
from handlers.flows.common import meeting_units
from handlers.scopes import widest
from messages.render import render
from messages.telegram_text import alert
from services import surveys
from services.actors import Actor, Scope
from services.deps import Deps
from services.survey_delivery import LINK_PREFIX


async def survey_command(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    code = context.args[0].upper() if context.args else None
    cells = meeting_units(actor, Action.SURVEY, CELL_KINDS)
    overseen = _overseen(actor)
    if code is not None:
        mine = [c for c in cells if c.unit_code == code]
        if mine:
            await _own_cell(message, context, mine[0])
            return
        await _other_cell(message, context, code, overseen)
        return
    for cell in cells:
        await _own_cell(message, context, cell)
    for scope in overseen:
        await _scope(message, context, scope)
    if not cells and not overseen:
        await message.reply_html(render("survey_results", context.locale, view="no_cells"))


def _overseen(actor: Actor) -> list[Scope]:
    """Scopes whose cells' results the actor sees: officers and leaders their subtree,
    a base committee's secretary or deputy its sub-cells."""
    return widest(
        s
        for s in actor.scopes_for(Action.SURVEY)
        if s.role not in (Role.SECRETARY, Role.DEPUTY) or s.unit_kind == UnitKind.BASE_COMMITTEE
    )


async def _own_cell(message: Message, context: ChiboContext, cell: Scope) -> None:
    """The secretary's view: the link to post (while open) and where the cell stands."""
    deps, locale = context.deps, context.locale
    now = deps.clock.now()
    survey = await context.run(
        surveys.survey_of, deps.db, cell.unit_code, now=now, policy=deps.policy
    )
    today = local_date(now)
    if survey is None:
        await message.reply_html(
            render(
                "survey_results",
                locale,
                view="none",
                unit_name=cell.unit_label,
                next_opens=_next_opening(deps, today),
            )
        )
        return
    if survey.is_open(today):
        await message.reply_html(_link_text(context, survey, cell.unit_label))
    found = await context.run(
        surveys.cell_surveys,
        deps.db,
        scope_path=cell.unit_path,
        quarter=survey.quarter,
        today=today,
        policy=deps.policy,
        unit_code=cell.unit_code,
    )
    await message.reply_html(_cell_text(found[0], today, deps, locale, cell.unit_label))


def _next_opening(deps: Deps, today: date) -> date:
    quarter = deps.policy.survey.latest_quarter(today).next()
    return deps.policy.survey.window(quarter)[0]


def _link_text(context: ChiboContext, survey: SurveyRef, unit_name: str) -> str:
    link = f"https://t.me/{context.bot.username}?start={survey.link_argument}"
    return render(
        "survey_link",
        context.locale,
        unit_name=unit_name,
        quarter=str(survey.quarter),
        questions=len(survey.questions),
        closes_on=survey.closes_on,
        link=link,
    )


def _cell_text(cell: CellSurvey, today: date, deps: Deps, locale: str, unit_name: str) -> str:
    result = cell.result
    return render(
        "survey_results",
        locale,
        view="cell",
        unit_name=unit_name,
        quarter=str(cell.survey.quarter),
        responses=cell.responses,
        members=cell.members,
        rate=cell.response_rate,
        is_open=cell.survey.is_open(today),
        closes_on=cell.survey.closes_on,
        min_responses=deps.policy.survey.min_responses,
        result=None
        if result is None
        else {
            "overall": format_score(result.overall),
            "questions": [
                {"text": q.text_vi, "average": format_score(a)}
                for q, a in zip(cell.survey.questions, result.averages, strict=True)
            ],
            "comments": list(result.comments),
        },
        below=cell.below_members(deps.policy),
    )


async def _other_cell(
    message: Message, context: ChiboContext, code: str, overseen: list[Scope]
) -> None:
    deps = context.deps
    today = local_date(deps.clock.now())
    for scope in overseen:
        found = await context.run(_latest_of_cell, deps, scope.unit_path, code, today)
        if found:
            name = found[0].unit.name
            await message.reply_html(_cell_text(found[0], today, deps, context.locale, name))
            return
    await message.reply_html(render("survey_results", context.locale, view="unknown", code=code))


def _latest_of_cell(deps: Deps, scope_path: str, code: str, today: date) -> list[CellSurvey]:
    """The cell's latest survey, if the cell lies under `scope_path`."""
    quarter = surveys.latest_opened(deps.db, scope_path, today)
    if quarter is None:
        return []
    return surveys.cell_surveys(
        deps.db,
        scope_path=scope_path,
        quarter=quarter,
        today=today,
        policy=deps.policy,
        unit_code=code,
    )


async def _scope(message: Message, context: ChiboContext, scope: Scope) -> None:
    deps = context.deps
    today = local_date(deps.clock.now())
    found = await context.run(surveys.section, deps.db, scope.unit_path, today, deps.policy)
    await message.reply_html(scope_text(found, scope.unit_label, today, deps, context.locale))


def scope_text(
    found: SurveySection | None, scope_name: str, today: date, deps: Deps, locale: str
) -> str:
    if found is None:
        return render(
            "survey_results",
            locale,
            view="scope_none",
            scope_name=scope_name,
            next_opens=_next_opening(deps, today),
        )
    return render(
        "survey_results",
        locale,
        view="scope",
        scope_name=scope_name,
        section=found,
        quarter=str(found.quarter),
        is_open=not found.closed,
        averages=[
            {"text": q.text_vi, "average": format_score(a)}
            for q, a in zip(found.questions, found.averages or (), strict=False)
        ],
        overall=format_score(found.overall) if found.overall is not None else None,
        below=[c.unit.name for c in found.below_members],
        too_few=len(found.too_few),
    )


async def link_button(update: Update, context: ChiboContext) -> None:
    """The notice's button: the link to post in the cell's group."""
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.removeprefix(LINK_PREFIX)
    cells = meeting_units(context.require_actor(), Action.SURVEY, CELL_KINDS)
    cell = next((c for c in cells if c.unit_code == code), None)
    if cell is None:
        await query.answer(alert(render("unit_out_of_scope", context.locale)), show_alert=True)
        return
    await query.answer()
    message = query.message
    if isinstance(message, Message):
        await _own_cell(message, context, cell)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("survey", guarded(Action.SURVEY, survey_command)),
        CallbackQueryHandler(guarded(Action.SURVEY, link_button), pattern=f"^{LINK_PREFIX}"),
    ]
