"""Leadership: /digest, /overdue, /unit, /cluster and /subscribe.

Thin: parse, call services.digest, render with messages.digest_text, reply.
Everything is scoped to the actor: a leader sees the bloc, a cluster officer
their cluster; the files go with the digest as Telegram documents.
"""

from __future__ import annotations

import html
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update, WebAppInfo
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from bot.access import guarded
from bot.context import ChiboContext, Deps
from domain import digest as rules
from domain.localtime import local_date
from domain.org import UnitKind
from domain.roles import Action
from messages.dashboard_text import app_link, wlabel
from messages.digest_text import digest_summary, listed_units, overdue_text, unit_text
from messages.render import render
from services import digest as service
from services.actors import Actor, Scope, ScopeLost
from services.digest_files import digest_chart_png, digest_docx, digest_xlsx, file_stem
from services.gc_pause import without_gc
from services.org import unit_labels

MAX_MATCHES = 10


def _top_scopes(actor: Actor, action: Action) -> list[Scope]:
    """The actor's scopes for `action`, without those nested inside another."""
    return list(actor.top_scopes(action))


def _today(context: ChiboContext):  # type: ignore[no-untyped-def]
    return local_date(context.deps.clock.now())


def _digest_and_names(
    deps: Deps, scope_code: str, today: date
) -> tuple[rules.Digest, dict[str, str]]:
    digest = service.build_digest(deps.db, scope_code, today, deps.policy)
    names = unit_labels(deps.db, listed_units(digest), scope_path=digest.scope.path)
    return digest, names


async def _build(context: ChiboContext, scope_code: str) -> tuple[rules.Digest, dict[str, str]]:
    """The digest and how to name its units, computed in a worker thread: a big bloc
    takes seconds of CPU, and the event loop must keep answering everyone else."""
    return await context.run(
        without_gc(_digest_and_names), context.deps, scope_code, _today(context)
    )


async def _send_digest(
    update: Update, context: ChiboContext, digest: rules.Digest, names: dict[str, str]
) -> None:
    """The summary, then the XLSX and the chart its last line promises."""
    message = update.effective_message
    assert message is not None
    locale = context.locale
    # Rendering a big bloc's texts is CPU work too: off the event loop, like the files.
    summary = await context.run(without_gc(digest_summary), digest, locale, names=names)
    await message.reply_html(summary, reply_markup=_dashboard_button(update, context, digest))
    stem = file_stem(digest)
    xlsx = await context.run(without_gc(digest_xlsx), digest, locale)
    await message.reply_document(
        InputFile(xlsx, filename=f"{stem}.xlsx"),
        caption=render("digest_file_caption", locale, kind="xlsx", scope_name=digest.scope.name),
    )
    png = await context.run(without_gc(digest_chart_png), digest, locale)
    await message.reply_photo(
        InputFile(png, filename=f"{stem}.png"),
        caption=render("digest_chart_caption", locale, scope_name=digest.scope.name, at=digest.at),
    )


def _dashboard_button(
    update: Update, context: ChiboContext, digest: rules.Digest
) -> InlineKeyboardMarkup | None:
    """ "Mở bảng theo dõi" under the summary, opening the Mini App on the same scope.
    Telegram allows such buttons in private chats only, and over HTTPS only."""
    url = context.deps.settings.dashboard_url
    chat = update.effective_chat
    if url is None or chat is None or chat.type != ChatType.PRIVATE:
        return None
    link = WebAppInfo(app_link(url, digest.scope.code))
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(wlabel("button.open", context.locale), web_app=link)]]
    )


async def digest_command(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    want_docx = bool(context.args) and context.args[0].lower() in ("docx", "thongbao", "tb")
    issuer = await context.run(service.root_name, context.deps.db)
    for scope in _top_scopes(actor, Action.DIGEST):
        digest, names = await _build(context, scope.unit_code)
        if want_docx:
            docx = await context.run(without_gc(digest_docx), digest, context.locale, issuer=issuer)
            await message.reply_document(
                InputFile(
                    docx,
                    filename=f"thong-bao-{file_stem(digest)}.docx",
                ),
                caption=render(
                    "digest_file_caption", context.locale, kind="docx", scope_name=digest.scope.name
                ),
            )
        else:
            await _send_digest(update, context, digest, names)


async def overdue_command(update: Update, context: ChiboContext) -> None:
    message = update.effective_message
    assert message is not None
    actor = context.require_actor()
    for scope in _top_scopes(actor, Action.OVERDUE):
        digest, names = await _build(context, scope.unit_code)
        await message.reply_html(await context.run(overdue_text, digest, context.locale, names))


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
            digest, row = service.unit_status(deps.db, unit.code, today, deps.policy)
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
    digest, names = await _build(context, cluster.code)
    await _send_digest(update, context, digest, names)


async def subscribe_command(update: Update, context: ChiboContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    actor = context.require_actor()
    if chat.type == ChatType.PRIVATE:
        await message.reply_html(render("digest_subscribe_private", context.locale))
        return
    now = context.deps.clock.now()
    label = f"tg:{actor.telegram_user_id}"
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


def handlers() -> list[CommandHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("digest", guarded(Action.DIGEST, digest_command, private_only=False)),
        CommandHandler("overdue", guarded(Action.OVERDUE, overdue_command, private_only=False)),
        CommandHandler("unit", guarded(Action.UNIT_LOOKUP, unit_command, private_only=False)),
        CommandHandler("cluster", guarded(Action.UNIT_LOOKUP, cluster_command, private_only=False)),
        CommandHandler(
            "subscribe", guarded(Action.SUBSCRIBE, subscribe_command, private_only=False)
        ),
    ]
