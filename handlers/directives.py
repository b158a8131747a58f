"""/directive (issue one), /directives (how far they are) and /clustermeeting (the officer's).

Thin: parse, start a dialog (handlers.flows.directive, handlers.flows.cluster) or
call services.directives in the unit of work, render, reply.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from domain.roles import Action, Role
from domain.text_vi import ascii_int
from handlers import dialog
from handlers.access import guarded, refuse
from handlers.context import ChiboContext
from handlers.flows import common
from handlers.flows.cluster import ClusterMeetingFlow, ClusterMeetingStep, officer_clusters
from handlers.flows.directive import IssueDirectiveFlow, IssueDirectiveStep
from messages.flow_links import directive_link
from messages.render import label, render
from services import directives as service
from services.actors import Actor, admin_scope
from services.deps import Deps

OVERSIGHT = frozenset({Role.LEADER, Role.ADMIN, Role.CLUSTER_OFFICER})
MAX_BUTTONS = 6


async def issue_command(update: Update, context: ChiboContext) -> None:
    await dialog.start(update, context, IssueDirectiveFlow, {}, IssueDirectiveStep.TITLE)


def _oversight_paths(actor: Actor) -> list[str]:
    return [s.unit_path for s in actor.scopes_for(Action.DIRECTIVES) if s.role in OVERSIGHT]


async def directives_command(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    deps, locale = context.deps, context.locale
    wanted = ascii_int(context.args[0]) if context.args else None
    paths = _oversight_paths(actor)
    units = common.meeting_units(actor, Action.CONFIRM_DIRECTIVE)
    if context.args and wanted is None:
        await message.reply_html(render("directives", locale, view="usage"))
        return
    if wanted is not None:
        found = await context.run(service.detail, deps.db, wanted, paths)
        if found is None:
            await message.reply_html(render("directives", locale, view="unknown", number=wanted))
            return
        info, rows = found
        await message.reply_html(
            render("directives", locale, view="detail", directive=info, units=rows)
        )
        return

    def read() -> tuple[list[service.rows.Progress], list[dict[str, Any]]]:
        overview = service.overview(deps.db, paths) if paths else []
        own = [
            {
                "code": u.unit_code,
                "name": u.unit_label,
                "directives": service.open_for_unit(deps.db, u.unit_code),
            }
            for u in units
        ]
        return overview, own

    overview, own = await context.run(read)
    buttons = [
        [
            InlineKeyboardButton(
                label("button.directive_done_for", locale, title=x.title[:40]),
                callback_data=directive_link(u["code"], x.id),
            )
        ]
        for u in own
        for x in u["directives"]
    ][:MAX_BUTTONS]
    await message.reply_html(
        render(
            "directives", locale, view="list", oversight=bool(paths), overview=overview, own=own
        ),
        reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
    )


async def cluster_meeting_command(update: Update, context: ChiboContext) -> None:
    actor = context.require_actor()
    outcome = await context.run(
        _begin_cluster,
        context.deps,
        actor,
        context.locale,
        context.args[0].upper() if context.args else None,
    )
    if isinstance(outcome, dialog.Reply):
        await dialog.send(update, outcome)
    else:
        await refuse(update, outcome)


def _begin_cluster(deps: Deps, actor: Actor, locale: str, code: str | None) -> dialog.Reply | str:
    step = dialog.Step(actor, deps, deps.clock.now(), locale)
    clusters = officer_clusters(step)
    if code is not None:
        chosen = [(c, n) for c, n in clusters if c == code]
        acting = admin_scope(deps.db, actor, code)
        if not chosen and acting is not None and acting.unit_kind == "cluster":
            chosen = [(acting.unit_code, acting.unit_label)]
        if not chosen:
            return render("unit_out_of_scope", locale)
        clusters = chosen
    if not clusters:
        return render("cluster_meeting", locale, step="no_cluster")
    if len(clusters) > 1:
        return dialog.begin(deps, actor, locale, ClusterMeetingFlow, {}, ClusterMeetingStep.CLUSTER)
    cluster, name = clusters[0]
    return dialog.begin(
        deps,
        actor,
        locale,
        ClusterMeetingFlow,
        {"cluster": cluster, "cluster_name": name},
        ClusterMeetingStep.MENU,
    )


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("directive", guarded(Action.ISSUE_DIRECTIVE, issue_command)),
        CommandHandler("directives", guarded(Action.DIRECTIVES, directives_command)),
        CommandHandler("clustermeeting", guarded(Action.CLUSTER_MEETING, cluster_meeting_command)),
    ]
