"""Leadership: /digest, /overdue, /unit, /cluster and /subscribe.

Thin: parse, call services.digest, render with messages.digest_text, reply.
Everything is scoped to the actor: a leader sees the bloc, a cluster officer
their cluster; the files go with the digest as Telegram documents.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update, WebAppInfo
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from domain import notice
from domain.errors import UserInputError
from domain.localtime import local_date
from domain.notice import NoticeHeader
from domain.org import UnitKind
from domain.roles import Action
from domain.rollup import parse_rollup_period
from handlers.access import guarded
from handlers.context import ChiboContext
from messages.dashboard_text import app_link, wlabel
from messages.digest_text import listed_units
from messages.render import render
from messages.rollup_files import file_stem as rollup_stem
from messages.rollup_files import rollup_docx, rollup_xlsx
from messages.rollup_text import listed_units as rollup_listed
from messages.rollup_text import rollup_summary
from messages.unit_text import unit_text
from services import digest as service
from services import rollup
from services.actors import Actor, Scope, ScopeLost
from services.digest_job import DigestOutput, digest_job
from services.digest_job import build as build_digest_job
from services.gc_pause import without_gc
from services.org import unit_labels

MAX_MATCHES = 10


def _top_scopes(actor: Actor, action: Action) -> list[Scope]:
    """The actor's scopes for `action`, without those nested inside another."""
    return list(actor.top_scopes(action))


def _today(context: ChiboContext):
    return local_date(context.deps.clock.now())


async def _build(
    context: ChiboContext,
    scope_code: str,
    *,
    texts: tuple[str, ...] = ("summary",),
    files: tuple[str, ...] = (),
    notice: NoticeHeader | None = None,
) -> DigestOutput:
    """The digest with its texts and files, off the event loop: in the renderer child
    under `chibo run` (a big bloc is seconds of CPU and tens of MB), else in a worker."""
    deps = context.deps
    job = digest_job(
        deps.db,
        deps.policy,
        scope_code,
        _today(context),
        (context.locale,),
        texts=texts,
        files=files,
        notice=notice,
    )
    return await context.run(build_digest_job, deps.db, job)


async def _send_digest(update: Update, context: ChiboContext, scope_code: str) -> None:
    """The summary, then the XLSX and the chart its last line promises."""
    message = update.effective_message
    assert message is not None
    locale = context.locale
    out = await _build(context, scope_code, files=("xlsx", "png"))
    await message.reply_html(
        out.texts[(locale, "summary")],
        reply_markup=_dashboard_button(update, context, scope_code),
    )
    await message.reply_document(
        InputFile(out.files[(locale, "xlsx")], filename=f"{out.stem}.xlsx"),
        caption=render("digest_file_caption", locale, kind="xlsx", scope_name=out.scope_name),
    )
    await message.reply_photo(
        InputFile(out.files[(locale, "png")], filename=f"{out.stem}.png"),
        caption=render("digest_chart_caption", locale, scope_name=out.scope_name, at=out.at),
    )


DOCX_WORDS = ("docx", "thongbao", "tb")


def _notice(context: ChiboContext, number: str | None) -> tuple[NoticeHeader, list[str]]:
    """The notice's header from the policy file, and what it leaves blank (said beside it)."""
    header = notice.header(context.deps.policy.notice, _today(context), number=number)
    return header, [what for what, _ in notice.missing(header, number_required=True)]


def _dashboard_button(
    update: Update, context: ChiboContext, scope_code: str
) -> InlineKeyboardMarkup | None:
    """ "Mở bảng theo dõi" under the summary, opening the Mini App on the same scope.
    Telegram allows such buttons in private chats only, and over HTTPS only."""
    url = context.deps.settings.dashboard_url
    chat = update.effective_chat
    if url is None or chat is None or chat.type != ChatType.PRIVATE:
        return None
    link = WebAppInfo(app_link(url, scope_code))
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(wlabel("button.open", context.locale), web_app=link)]]
    )


async def digest_command(update: Update, context: ChiboContext) -> None:
    """/digest; /digest docx [số]: the notice; /digest 6t | năm | quý | 2026-H1: a roll-up."""
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    args = list(context.args or [])
    if args and args[0].lower() not in DOCX_WORDS:
        await rollup_command(update, context, args)
        return
    want_docx = bool(args)
    try:
        header, missing = _notice(context, args[1] if len(args) > 1 else None)
    except UserInputError as error:
        await message.reply_html(html.escape(str(error)))
        return
    for scope in _top_scopes(actor, Action.DIGEST):
        if not want_docx:
            await _send_digest(update, context, scope.unit_code)
            continue
        out = await _build(context, scope.unit_code, texts=(), files=("docx",), notice=header)
        await message.reply_document(
            InputFile(out.files[(context.locale, "docx")], filename=f"thong-bao-{out.stem}.docx"),
            caption=render(
                "digest_file_caption",
                context.locale,
                kind="docx",
                scope_name=out.scope_name,
                missing=missing,
            ),
        )


async def rollup_command(update: Update, context: ChiboContext, args: list[str]) -> None:
    """/digest 6t (this half-year), /digest năm, /digest quý, /digest 2026-H1 [số]."""
    message = update.effective_message
    assert message is not None
    # A last number after the period is the notice's: "/digest năm 45", "/digest 2026 45".
    number = args[-1] if len(args) > 1 and args[-1].isdigit() else None
    try:
        period = parse_rollup_period(" ".join(args[:-1] if number else args), _today(context))
        header, missing = _notice(context, number)
    except UserInputError as error:
        await message.reply_html(html.escape(str(error)))
        return
    deps, locale = context.deps, context.locale
    for scope in _top_scopes(context.require_actor(), Action.DIGEST):

        def make(code: str = scope.unit_code) -> tuple[str, bytes, bytes, str]:
            found = rollup.build_rollup(deps.db, code, period, _today(context), deps.policy)
            names = unit_labels(deps.db, rollup_listed(found), scope_path=found.scope.path)
            return (
                rollup_summary(found, locale, names=names),
                rollup_xlsx(found, locale, names),
                rollup_docx(found, header, locale, names),
                rollup_stem(found),
            )

        text, xlsx, docx, stem = await context.run(without_gc(make))
        await message.reply_html(text)
        await message.reply_document(
            InputFile(xlsx, filename=f"{stem}.xlsx"),
            caption=render(
                "digest_file_caption",
                locale,
                kind="rollup",
                scope_name=scope.unit_label,
                missing=[],
            ),
        )
        await message.reply_document(
            InputFile(docx, filename=f"thong-bao-{stem}.docx"),
            caption=render(
                "digest_file_caption",
                locale,
                kind="docx",
                scope_name=scope.unit_label,
                missing=missing,
            ),
        )


async def overdue_command(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    for scope in _top_scopes(actor, Action.OVERDUE):
        out = await _build(context, scope.unit_code, texts=("overdue",))
        await message.reply_html(out.texts[(context.locale, "overdue")])


async def unit_command(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    query = " ".join(context.args or []).strip()
    if not query:
        await message.reply_html(render("digest_unit_usage", context.locale))
        return
    paths = tuple(s.unit_path for s in actor.scopes_for(Action.UNIT_LOOKUP))
    deps, today = context.deps, _today(context)

    def look_up() -> tuple[list[service.FoundUnit], int, str | None]:
        found, total = service.search_units(deps.db, query, paths, limit=MAX_MATCHES)
        exact = [u for u in found if u.code.casefold() == query.casefold()]
        if len(found) == 1 or exact:
            unit = exact[0] if exact else found[0]
            digest, row = service.unit_in_digest(deps.db, unit.code, today, deps.policy)
            names = unit_labels(deps.db, listed_units(digest), scope_path="/", with_code=False)
            return found, total, unit_text(digest, row, deps.policy, context.locale, names)
        return found, total, None

    found, total, one = await context.run(look_up)
    if one is not None:
        await message.reply_html(one)
        return
    # Namesakes in the list get their parent: ten "Chi bộ Văn phòng" are ten different cells.
    names = await context.run(unit_labels, deps.db, [u.code for u in found], with_code=False)
    await message.reply_html(
        render(
            "digest_unit_matches",
            context.locale,
            query=query,
            units=[{"code": u.code, "name": names.get(u.code, u.name)} for u in found],
            total=total,
            more=max(0, total - len(found)),
        )
    )


async def cluster_command(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    query = " ".join(context.args or []).strip()
    allowed = actor.scopes_for(Action.UNIT_LOOKUP)
    if not query:
        await message.reply_html(render("digest_cluster_usage", context.locale))
        return
    cluster = await context.run(service.find_cluster, context.deps.db, query)
    if cluster is None:
        await message.reply_html(render("digest_cluster_unknown", context.locale, query=query))
        return
    if not any(cluster.path.startswith(s.unit_path) for s in allowed):
        own = [s.unit_label for s in allowed if s.unit_kind == UnitKind.CLUSTER]
        await message.reply_html(
            render("digest_cluster_refused", context.locale, cluster=cluster.name, own=own)
        )
        return
    await _send_digest(update, context, cluster.code)


async def subscribe_command(update: Update, context: ChiboContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    actor = context.require_actor()
    if chat.type == ChatType.PRIVATE:
        await message.reply_html(render("digest_subscribe_private", context.locale))
        return
    now = context.deps.clock.now()
    label = actor.audit_label
    if context.args and context.args[0].lower() in ("off", "tat", "tắt", "huy", "hủy"):
        removed = await context.run(
            service.unsubscribe_chat,
            context.deps.db,
            chat_id=chat.id,
            person_id=actor.person_id,
            actor=label,
            now=now,
        )
        await message.reply_html(render("digest_unsubscribed", context.locale, removed=removed))
        return
    scope = _top_scopes(actor, Action.SUBSCRIBE)[0]
    try:
        changed = await context.run(
            service.subscribe_chat,
            context.deps.db,
            chat_id=chat.id,
            title=chat.title,
            unit_code=scope.unit_code,
            person_id=actor.person_id,
            actor=label,
            now=now,
        )
    except ScopeLost as error:
        await message.reply_html(html.escape(str(error)))
        return
    rule = context.deps.policy.reminders.weekly_digest
    await message.reply_html(
        render(
            "digest_subscribed",
            context.locale,
            changed=changed,
            scope_name=scope.unit_label,
            weekday=rule.weekday,
            at=rule.at.strftime("%H:%M"),
        )
    )


def handlers() -> list[CommandHandler]:
    return [
        CommandHandler("digest", guarded(Action.DIGEST, digest_command, private_only=False)),
        CommandHandler("overdue", guarded(Action.OVERDUE, overdue_command, private_only=False)),
        CommandHandler("unit", guarded(Action.UNIT_LOOKUP, unit_command, private_only=False)),
        CommandHandler("cluster", guarded(Action.UNIT_LOOKUP, cluster_command, private_only=False)),
        CommandHandler(
            "subscribe", guarded(Action.SUBSCRIBE, subscribe_command, private_only=False)
        ),
    ]
