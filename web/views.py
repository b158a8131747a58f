"""The Mini App's views: check who asks, read through `services.dashboard`, render.

Each view answers an HTML fragment that the page puts in place (`web/static/app.js`);
the same check runs for every one (`_view`): signed launch data, a role that may use
the view (`domain.roles`, as the bot's commands), a unit inside that role's scope.
Anything else gets a short sentence and nothing of the data; a unit that does not
exist and one outside the scope get the same answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain import notice
from domain.heatmap import Measure
from domain.localtime import local_date
from domain.org import MEETING_KINDS
from domain.roles import Action
from messages.dashboard_text import todo_lines, wlabel
from messages.digest_labels import dlabel
from messages.render import render as render_text
from services import dashboard, dashboard_week
from services.actors import Actor
from services.dashboard import OutOfScope
from services.digest_job import build as build_digest_job
from services.digest_job import digest_job
from services.gc_pause import without_gc
from services.metrics import WEB_REQUESTS
from web.auth import Refused, authenticate
from web.charts import Series, line_chart
from web.deps import WebDeps
from web.pages import asset_version, render

log = logging.getLogger(__name__)
T = TypeVar("T")

PRIVATE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
MAX_QUERY = 200  # characters of a typed search


class Ask:
    """One request's context for a view body: who, in which language, and how to run
    blocking work off the event loop."""

    def __init__(self, request: Request, deps: WebDeps, actor: Actor) -> None:
        self.request = request
        self.deps = deps
        self.actor = actor
        self.locale = actor.locale or deps.locale

    def arg(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)[:MAX_QUERY].strip()

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.deps.threads, partial(fn, *args, **kwargs))


Body = Callable[[Ask], Awaitable[str]]


def _view(name: str, action: Action, body: Body) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        deps: WebDeps = request.app.state.deps
        locale, status = deps.locale, 200
        try:
            actor = await authenticate(request, deps)
            locale = actor.locale or deps.locale
            if not actor.may(action):
                raise Refused(403, "refused.not_allowed")
            html = await body(Ask(request, deps, actor))
        except Refused as refusal:
            status, html = refusal.status, _message(locale, refusal.text_key)
        except OutOfScope:
            status, html = 404, _message(locale, "refused.out_of_scope")
        except Exception:
            log.exception("mini app: the %s view failed", name)
            status, html = 500, _message(locale, "refused.error")
        WEB_REQUESTS.labels(name, str(status)).inc()
        return HTMLResponse(html, status_code=status, headers=PRIVATE)

    endpoint.__name__ = f"{name}_view"
    return endpoint


def _message(locale: str, key: str) -> str:
    return render("message", locale, text=wlabel(key, locale))


# ---------------------------------------------------------------------------
# The page


async def shell(request: Request) -> Response:
    deps: WebDeps = request.app.state.deps
    html = render("shell", deps.locale, version=asset_version())
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


# ---------------------------------------------------------------------------
# Views


def _header(ask: Ask, scope: Any, tab: str, action: Action = Action.DIGEST) -> dict[str, Any]:
    """What the header of every view shows: where we are, the way up, the tabs."""
    trail = dashboard.trail(ask.deps.db, ask.actor, action, scope)
    return {
        "scope": scope,
        "trail": trail,
        "tab": tab,
        "top": [s.unit_code for s in ask.actor.top_scopes(Action.DIGEST)],
    }


async def _home(ask: Ask) -> str:
    """The first view: the heat map of the person's scope (or the choice of scopes)."""
    top = ask.actor.top_scopes(Action.DIGEST)
    if len(top) > 1 and not ask.arg("scope"):
        return render("scopes", ask.locale, scopes=top)
    return await _map(ask)


async def _map(ask: Ask) -> str:
    measure = _measure(ask.arg("measure"))
    by_failed = ask.arg("sort") == "failed"

    def build() -> str:
        scope = dashboard.scope_for(ask.deps.db, ask.actor, Action.DIGEST, ask.arg("scope"))
        heat = dashboard.heat_map(
            ask.deps.db, scope, measure, ask.deps.clock.now(), ask.deps.policy, by_failed=by_failed
        )
        return render(
            "map",
            ask.locale,
            heat=heat,
            measures=list(Measure),
            **_header(ask, scope, "map"),
        )

    return await ask.run(build)


async def _chronic(ask: Ask) -> str:
    measure = _measure(ask.arg("measure"))

    def build() -> str:
        scope = dashboard.scope_for(ask.deps.db, ask.actor, Action.DIGEST, ask.arg("scope"))
        units = dashboard.chronic(
            ask.deps.db, scope, measure, ask.deps.clock.now(), ask.deps.policy
        )
        return render("chronic", ask.locale, units=units, scope=scope, measure=measure)

    return await ask.run(build)


async def _unit(ask: Ask) -> str:
    def build() -> str:
        unit = dashboard.scope_for(ask.deps.db, ask.actor, Action.UNIT_LOOKUP, ask.arg("code"))
        if unit.kind not in MEETING_KINDS:
            raise OutOfScope(unit.code)  # a cluster or the bloc: its heat map, not a cell
        year = dashboard.unit_year(ask.deps.db, unit, ask.deps.clock.now(), ask.deps.policy)
        return render(
            "unit",
            ask.locale,
            year=year,
            overdue=todo_lines(year.status.overdue, ask.locale),
            soon=todo_lines(year.status.soon, ask.locale),
            **_header(ask, unit, "unit", Action.UNIT_LOOKUP),
        )

    return await ask.run(build)


async def _week(ask: Ask) -> str:
    def build() -> str:
        scope = dashboard.scope_for(ask.deps.db, ask.actor, Action.DIGEST, ask.arg("scope"))
        week = dashboard_week.week(ask.deps.db, scope, ask.deps.clock.now(), ask.deps.policy)
        return render(
            "week",
            ask.locale,
            week=week,
            d_=week.digest,
            chart=_trend_chart(week.digest, ask.locale),
            **_header(ask, scope, "week"),
        )

    return await ask.run(without_gc(build))


async def _lists(ask: Ask) -> str:
    chosen = ask.arg("list")
    list_kind = chosen if chosen in dashboard_week.LIST_KINDS else None
    within, text = ask.arg("within"), ask.arg("q")

    def build() -> str:
        scope = dashboard.scope_for(ask.deps.db, ask.actor, Action.DIGEST, ask.arg("scope"))
        week = dashboard_week.week(
            ask.deps.db,
            scope,
            ask.deps.clock.now(),
            ask.deps.policy,
            list_kind=list_kind,
            within=within or None,
            text=text,
        )
        return render(
            "lists",
            ask.locale,
            week=week,
            list_kinds=dashboard_week.LIST_KINDS,
            titles=LIST_TITLES,
            cap=LIST_CAP,
            chosen=list_kind or "",
            within=within,
            q=text,
            meeting_kinds=MEETING_KINDS,
            **_header(ask, scope, "lists"),
        )

    return await ask.run(without_gc(build))


async def _files(ask: Ask) -> str:
    def build() -> str:
        scope = dashboard.scope_for(ask.deps.db, ask.actor, Action.DIGEST, ask.arg("scope"))
        return render("files", ask.locale, **_header(ask, scope, "files"))

    return await ask.run(build)


# The digest's own names for its lists (the XLSX sheets).
LIST_TITLES = {
    "not_registered": "sheet.not_registered",
    "registered_late": "sheet.registered_late",
    "reports": "sheet.reports",
    "meetings_not_held": "sheet.meetings",
    "implausible_ratings": "sheet.ratings",
    "attendance_below_target": "sheet.attendance",
    "thematic_missing": "sheet.thematic",
    "unreachable": "sheet.unreachable",
}
# Items per list while every list is shown: a phone page stays small; one list shows all.
LIST_CAP = 20
FILE_KINDS = ("xlsx", "docx")


async def _send(ask: Ask) -> str:
    """The digest's XLSX or its formal notice (DOCX), sent into the person's chat with
    the bot: a Mini App cannot save a file on every phone, a chat message can."""
    kind = ask.arg("kind")
    if kind not in FILE_KINDS:
        raise Refused(400, "refused.bad_request")

    def build() -> tuple[str, bytes, str]:
        scope = dashboard.scope_for(ask.deps.db, ask.actor, Action.DIGEST, ask.arg("scope"))
        today = local_date(ask.deps.clock.now())
        header = notice.header(ask.deps.policy.notice, today)
        job = digest_job(
            ask.deps.db,
            ask.deps.policy,
            scope.code,
            today,
            (ask.locale,),
            texts=(),
            files=(kind,),
            notice=header,
        )
        out = build_digest_job(ask.deps.db, job)
        # The caption /digest gives the same file.
        blank = notice.missing(header, number_required=True) if kind == "docx" else []
        missing = [what for what, _ in blank]
        caption = render_text(
            "digest_file_caption", ask.locale, kind=kind, scope_name=out.scope_name, missing=missing
        )
        name = f"{out.stem}.xlsx" if kind == "xlsx" else f"thong-bao-{out.stem}.docx"
        return name, out.files[(ask.locale, kind)], caption

    name, data, caption = await ask.run(build)
    try:
        await ask.deps.send_document(ask.actor.telegram_user_id, name, data, caption)
    except Exception:
        log.warning("mini app: could not send %s to %s", name, ask.actor.person_id, exc_info=True)
        return _message(ask.locale, "files.not_sent")
    return _message(ask.locale, f"files.sent.{kind}")


def _measure(text: str) -> Measure:
    try:
        return Measure(text)
    except ValueError:
        return Measure.ALL


def _trend_chart(digest: Any, locale: str) -> str:
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    labels = [p.at.strftime("%d/%m") for p in digest.trend]
    series = [
        Series(
            dlabel("chart.registered", locale),
            [share(p.totals.registered, p.totals.registration_expected) for p in digest.trend],
        ),
        Series(
            dlabel("chart.held", locale),
            [share(p.totals.meetings_held, p.totals.meetings_expected) for p in digest.trend],
        ),
        Series(
            dlabel("chart.reports", locale),
            [share(p.totals.reports_on_time, p.totals.reports_expected) for p in digest.trend],
        ),
    ]
    return line_chart(labels, series, dlabel("chart.trend_title", locale))


VIEWS: dict[str, tuple[Action, Body]] = {
    "home": (Action.DIGEST, _home),
    "map": (Action.DIGEST, _map),
    "chronic": (Action.DIGEST, _chronic),
    "unit": (Action.UNIT_LOOKUP, _unit),
    "week": (Action.DIGEST, _week),
    "lists": (Action.DIGEST, _lists),
    "files": (Action.DIGEST, _files),
}
SEND = _view("send", Action.DIGEST, _send)


def endpoints() -> dict[str, Callable[[Request], Awaitable[Response]]]:
    return {name: _view(name, action, body) for name, (action, body) in VIEWS.items()}
