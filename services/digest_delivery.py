"""Planning the weekly digest: one outbox row per recipient and ISO week.

The scheduler calls `plan_weekly_digests` on its tick; the dispatcher sends the
rows. Nothing here sends. Once the policy's weekly moment (default Monday 07:30
local) has come, every leader (their unit's subtree, normally the bloc), every
cluster officer (their cluster) and every subscribed group chat gets:

- `digest:{chat_id}:{iso_week}`: the chat summary (HTML);
- `digest-xlsx:{chat_id}:{iso_week}`: the XLSX detail, with its caption;
- `digest-chart:{chat_id}:{iso_week}`: the PNG chart, sent as a photo with its caption
  (as /digest sends them on demand).

The dedup keys make planning idempotent: a second call in the same week, a
restart or a second instance inserts nothing new; chats already planned are
skipped before any digest is computed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.localtime import at_local, to_local
from domain.policy import Policy
from messages.dashboard_text import wlabel
from messages.render import render
from services import digest_job as digest_jobs
from services.digest import ScopeNotFound
from services.digest_job import DigestOutput, digest_job
from services.digest_recipients import (
    DIGEST_REASON,
    RECIPIENT_ROLES,
)
from storage import digest_queries, outbox
from storage import digest_recipient_queries as recipient_rows
from storage.db import Database
from storage.outbox import Outgoing, enqueue

log = logging.getLogger(__name__)

REASON = DIGEST_REASON
# After a downtime the week's digest is still planned within a day of its moment;
# later it is not: a restart mid-week must not render every scope's files on its
# first tick (cold start, memory), and a digest days late is stale anyway.
CATCH_UP = timedelta(days=1)


def digest_moment(policy: Policy, now: datetime) -> datetime:
    """This ISO week's digest moment, local time (it may still be ahead of `now`)."""
    rule = policy.reminders.weekly_digest
    local_now = to_local(now)
    monday = local_now.date() - timedelta(days=local_now.weekday())
    return at_local(monday + timedelta(days=rule.weekday), rule.at)


def iso_week(moment: datetime) -> str:
    year, week, _ = to_local(moment).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    scope_code: str
    scope_path: str
    person_id: int | None
    locale: str | None


def recipients(db: Database) -> list[Recipient]:
    """Leaders, cluster officers and subscribed chats; one entry per chat, its widest scope.

    People Telegram reported as unreachable (they blocked the bot) are skipped.
    """
    found: dict[int, Recipient] = {}

    def offer(candidate: Recipient) -> None:
        current = found.get(candidate.chat_id)
        if current is None or len(candidate.scope_path) < len(current.scope_path):
            found[candidate.chat_id] = candidate

    with db.transaction() as session:
        people = recipient_rows.reachable_holders(session, RECIPIENT_ROLES)
        chats = recipient_rows.live_subscriptions(session)
    for chat_id, person_id, locale, code, path in people:
        offer(Recipient(chat_id, code, path, person_id, locale))
    for chat_id, code, path in chats:
        offer(Recipient(chat_id, code, path, None, None))
    return sorted(found.values(), key=lambda r: r.chat_id)


def _planned_chats(db: Database, week: str) -> set[int]:
    with db.transaction() as session:
        return outbox.chats_with(session, REASON, week)


def plan_weekly_digests(db: Database, now: datetime, policy: Policy) -> int:
    """Enqueue this week's digests once their moment has come; returns the rows added."""
    moment = digest_moment(policy, now)
    if not moment <= now < moment + CATCH_UP:
        return 0
    week = iso_week(moment)
    at = moment.date()
    planned = _planned_chats(db, week)
    pending = [r for r in recipients(db) if r.chat_id not in planned]
    if not pending:
        return 0

    # One scope at a time, each in its own transaction: memory holds one digest and
    # its files, not every recipient's (a bloc has one scope per cluster officer).
    # A crash half-way leaves the rest to the next tick (the dedup keys hold); a scope
    # that fails is logged and retried next tick, and never holds back the others.
    by_scope: dict[str, list[Recipient]] = {}
    for r in pending:
        by_scope.setdefault(r.scope_code, []).append(r)
    added = 0
    for scope_code, group in by_scope.items():
        locales = tuple(sorted({r.locale or "vi" for r in group}))
        job = digest_job(db, policy, scope_code, at, locales, files=("xlsx", "png"))
        try:
            out = digest_jobs.build(db, job)
            messages = _messages(out, group, week, moment)
            with db.transaction() as session:
                added += enqueue(session, messages, now=now)
                # The figures as sent: later weeks compare with these, not with a recount.
                digest_queries.freeze_totals(session, scope_code, at, out.totals, now)
        except ScopeNotFound:
            continue
        except Exception:
            log.exception("the weekly digest of %s (%s) was not planned", scope_code, week)
    return added


# A button that opens the dashboard (the Mini App): the dispatcher puts the configured
# address in at send time, or leaves the button out when there is none.
DASHBOARD = "dashboard"


def _dashboard_buttons(r: Recipient, locale: str) -> list[list[dict[str, str]]] | None:
    """Under a person's summary; Telegram allows Mini App buttons in private chats only."""
    if r.person_id is None or r.chat_id <= 0:
        return None
    return [[{"text": wlabel("button.open", locale), "web_app": DASHBOARD}]]


def _messages(
    out: DigestOutput, group: list[Recipient], week: str, moment: datetime
) -> list[Outgoing]:
    """The summary, the XLSX and the chart, for each recipient of one scope."""
    messages: list[Outgoing] = []
    for r in group:
        locale = r.locale or "vi"
        common: dict[str, Any] = {
            "chat_id": r.chat_id,
            "person_id": r.person_id,
            "reason": REASON,
            "period": week,
            "not_before": moment,
            "expires_at": moment + timedelta(days=7),
        }
        messages.append(
            Outgoing(
                dedup_key=f"digest:{r.chat_id}:{week}",
                text=out.texts[(locale, "summary")],
                buttons=_dashboard_buttons(r, locale),
                **common,
            )
        )
        messages.append(
            Outgoing(
                dedup_key=f"digest-xlsx:{r.chat_id}:{week}",
                text=render("digest_file_caption", locale, kind="xlsx", scope_name=out.scope_name),
                attachment_name=f"{out.stem}.xlsx",
                attachment=out.files[(locale, "xlsx")],
                **common,
            )
        )
        messages.append(
            Outgoing(
                dedup_key=f"digest-chart:{r.chat_id}:{week}",
                text=render("digest_chart_caption", locale, scope_name=out.scope_name, at=out.at),
                attachment_name=f"{out.stem}.png",
                attachment=out.files[(locale, "png")],
                **common,
            )
        )
    return messages
