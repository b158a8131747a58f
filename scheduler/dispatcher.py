"""Sends what is due in the outbox, through the (rate-limited) bot, and marks it.

One module on purpose: a pass, the sending of one row and the handling of each
Telegram error are one state machine over a leased row (its queries are in
storage/outbox.py); split, each part would have to know the others' invariants.

One pass (`dispatch_once`):

1. pending rows whose `expires_at` has passed are marked `dropped` (stale: the
   meeting has started, the day is over);
2. a small batch of due rows (pending, `not_before` ≤ now, not expired, no live
   lease) is claimed with a lease: on PostgreSQL `SELECT … FOR UPDATE SKIP
   LOCKED`, on SQLite one guarded UPDATE (SQLite has a single writer, so the
   UPDATE is the lock). A worker that dies leaves the lease to expire, and the
   row is claimed again;
3. each row, one at a time: the lease is renewed and `attempts` counted (in a
   short transaction that also checks the row is still ours and pending), the
   message is sent, and the row is marked in its own short transaction.

Errors: RetryAfter waits the time Telegram asks and tries again (a few times,
then the row waits in the outbox); NetworkError/TimedOut keep the row pending
with an exponential back-off and end the pass; Forbidden (the user blocked the
bot) marks the row failed and the person unreachable; BadRequest is logged and
the row failed; a group upgraded to a supergroup gets its new chat id. Nothing
raises out of a pass for one bad row, and the runner catches the rest: the loop
never dies.

Delivery guarantee: at least once, with at most one duplicate per crash — a
crash after Telegram accepted a message but before its row was marked `sent`
sends that one message again once the lease expires. Rows are sent one at a
time per worker, so only one message can be in that window. During quiet hours
nothing is sent; due rows wait for the morning (unless they expire first).
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, WebAppInfo
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from domain.policy import Policy
from domain.reminder_timing import in_quiet_hours
from messages.reminder_text import SNOOZE_PLACEHOLDER
from messages.telegram_text import CAPTION_LIMIT, fits
from services.clock import Clock
from services.digest_delivery import DASHBOARD
from services.digest_recipients import DIGEST_REASON, still_entitled
from services.metrics import OUTBOX_RESULTS
from storage import attachments, outbox
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_OTHER_ERRORS = 5  # unexpected errors before a row is given up
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_MAX = timedelta(minutes=10)
# Expired rows are never claimed (`storage.outbox.claim` leaves them out); marking them `dropped` is
# bookkeeping that scans the pending rows, so it runs at most this often, not on
# every pass: once per pass of 20 it made a 100,000-row send-out quadratic (bench/).
DROP_EVERY = timedelta(seconds=30)

Sleep = Callable[[float], Awaitable[Any]]


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    retried: int = 0  # left pending for a later pass (network, flood control)

    def __iadd__(self, other: DispatchStats) -> DispatchStats:
        for name in ("claimed", "sent", "failed", "dropped", "retried"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


class _StopPass(Exception):
    """The network is down: stop this pass, keep the rest of the batch for later."""


class Dispatcher:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        policy: Policy,
        *,
        worker_id: str | None = None,
        batch_size: int = 20,
        lease: timedelta = timedelta(minutes=5),
        sleep: Sleep = asyncio.sleep,
        retry_after_tries: int = 3,
        respect_quiet_hours: bool = True,
        dashboard_url: str | None = None,
    ) -> None:
        self.db = db
        self.bot = bot
        self.clock = clock
        self.policy = policy
        self.worker_id = (worker_id or f"{os.getpid()}-{uuid.uuid4().hex[:8]}")[:40]
        self.batch_size = batch_size
        self.lease = lease
        self.sleep = sleep
        self.retry_after_tries = retry_after_tries
        self.respect_quiet_hours = respect_quiet_hours
        self.dashboard_url = dashboard_url  # the Mini App's address, for its buttons
        self._dropped_at: datetime | None = None

    # -- one pass ---------------------------------------------------------------------

    async def dispatch_once(self) -> DispatchStats:
        stats = DispatchStats()
        now = self.clock.now()
        quiet = self.respect_quiet_hours and in_quiet_hours(now, self.policy.reminders.quiet_hours)
        # Every database step runs in a worker thread: a busy SQLite (another process
        # holding the write lock) must stall this loop, not every chat's updates.
        dropped, token, rows = await asyncio.to_thread(self._begin_pass, now, quiet)
        stats.dropped += dropped
        stats.claimed = len(rows)
        if not rows:
            _count(stats)
            return stats
        try:
            for row in rows:
                await self._deliver(row, token, stats)
        except _StopPass:
            pass
        finally:
            await asyncio.to_thread(self._release, token, [row.id for row in rows])
            _count(stats)
        return stats

    def _begin_pass(self, now: datetime, quiet: bool) -> tuple[int, str, list[OutboxMessage]]:
        dropped = 0
        with self.db.transaction() as session:
            last = self._dropped_at
            if last is None or not last <= now < last + DROP_EVERY:
                dropped = outbox.drop_expired(session, now)
                self._dropped_at = now
            if quiet:
                return dropped, "", []
            token = f"{self.worker_id}:{uuid.uuid4().hex[:12]}"
            rows = outbox.claim(session, token, now, now + self.lease, self.batch_size)
        return dropped, token, rows

    def _release(self, token: str, ids: list[int]) -> None:
        """Give back what this pass claimed but did not finish."""
        with self.db.transaction() as session:
            outbox.release(session, token, ids)

    # -- one message ------------------------------------------------------------------

    def _take(self, row: OutboxMessage, token: str) -> bool:
        """Renew the lease and count the attempt; False if the row is no longer ours, or
        is a digest its chat may no longer receive (then it is dropped)."""
        now = self.clock.now()
        with self.db.transaction() as session:
            if row.reason == DIGEST_REASON and not still_entitled(
                session, row.chat_id, row.person_id
            ):
                log.info("outbox %s: chat %s no longer gets the digest", row.id, row.chat_id)
                outbox.drop_claimed(
                    session,
                    row.id,
                    token,
                    "the recipient no longer holds the role for this digest",
                )
                return False
            taken = outbox.renew(session, row.id, token, now + self.lease)
        if taken:
            row.attempts = (row.attempts or 0) + 1
        return taken

    async def _deliver(self, row: OutboxMessage, token: str, stats: DispatchStats) -> None:
        if not await asyncio.to_thread(self._take, row, token):
            return
        tries = 0
        while True:
            try:
                await self._send(row)
            except RetryAfter as error:
                wait = _retry_after_seconds(error)
                tries += 1
                if tries <= self.retry_after_tries:
                    log.warning("flood control: waiting %.0f s (outbox %s)", wait, row.id)
                    await self.sleep(wait)
                    if not await asyncio.to_thread(self._take, row, token):
                        return
                    continue
                await asyncio.to_thread(
                    self._retry_later, row, f"RetryAfter {wait:.0f}s", timedelta(seconds=wait)
                )
                stats.retried += 1
                return
            except Forbidden as error:
                log.info("outbox %s: chat %s blocked the bot (%s)", row.id, row.chat_id, error)
                await asyncio.to_thread(self._finish, row, "failed", error, unreachable=True)
                stats.failed += 1
            except ChatMigrated as error:
                log.info("outbox %s: chat %s moved to %s", row.id, row.chat_id, error.new_chat_id)
                await asyncio.to_thread(self._migrate, row, int(error.new_chat_id))
                stats.retried += 1
            except BadRequest as error:  # before NetworkError: BadRequest subclasses it
                log.warning("outbox %s: Telegram refused the message: %s", row.id, error)
                await asyncio.to_thread(self._finish, row, "failed", error)
                stats.failed += 1
            except NetworkError as error:
                log.warning("outbox %s: network error, will retry: %s", row.id, error)
                await asyncio.to_thread(self._retry_later, row, error, _backoff(row.attempts))
                stats.retried += 1
                raise _StopPass from error
            except InvalidToken as error:
                log.error("the bot token is not valid; nothing can be sent: %s", error)
                await asyncio.to_thread(self._retry_later, row, error, BACKOFF_MAX)
                stats.retried += 1
                raise _StopPass from error
            except Exception as error:  # a bug or an odd reply: never let it kill the loop
                if isinstance(error, TelegramError):
                    log.warning("outbox %s: %s", row.id, error)
                else:
                    log.exception("outbox %s: unexpected error while sending", row.id)
                if row.attempts >= MAX_OTHER_ERRORS:
                    await asyncio.to_thread(self._finish, row, "failed", error)
                    stats.failed += 1
                else:
                    await asyncio.to_thread(self._retry_later, row, error, _backoff(row.attempts))
                    stats.retried += 1
            else:
                await asyncio.to_thread(self._finish, row, "sent", None)
                stats.sent += 1
            return

    async def _send(self, row: OutboxMessage) -> None:
        markup = _markup(row, self.dashboard_url)
        if row.attachment_ref is not None:
            kept = await asyncio.to_thread(self._kept_file, row.attachment_ref)
            if kept is not None:
                await self._send_kept(row, *kept, markup)
                return
        if row.attachment is None:
            await self.bot.send_message(
                row.chat_id,
                row.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                disable_web_page_preview=True,
            )
            return
        document = InputFile(row.attachment, filename=row.attachment_name or "tep")
        if (row.attachment_name or "").lower().endswith(PHOTO_SUFFIXES) and fits(
            row.text, CAPTION_LIMIT
        ):
            # A chart is a photo, shown in the chat, as on demand (not a file to open).
            await self.bot.send_photo(
                row.chat_id,
                document,
                caption=row.text or None,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
            return
        if fits(row.text, CAPTION_LIMIT):
            await self.bot.send_document(
                row.chat_id,
                document,
                caption=row.text or None,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
            return
        await self.bot.send_message(
            row.chat_id, row.text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
        )
        await self.bot.send_document(row.chat_id, document, reply_markup=markup)

    def _kept_file(self, ref: str) -> tuple[str | bytes, str] | None:
        with self.db.transaction() as session:
            return attachments.resolve(session, ref)

    async def _send_kept(
        self,
        row: OutboxMessage,
        content: str | bytes,
        name: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        """A file kept elsewhere (a directive's document): by Telegram's id once it has one;
        the first upload's id is remembered, so the bytes travel once."""
        document: str | InputFile = (
            content if isinstance(content, str) else InputFile(content, filename=name)
        )
        caption = row.text if fits(row.text, CAPTION_LIMIT) else None
        if caption is None:
            await self.bot.send_message(
                row.chat_id, row.text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
            )
        sent = await self.bot.send_document(
            row.chat_id, document, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
        )
        if isinstance(content, bytes) and sent.document is not None:
            file_id = sent.document.file_id
            await asyncio.to_thread(self._remember_file, row.attachment_ref or "", file_id)

    def _remember_file(self, ref: str, file_id: str) -> None:
        with self.db.transaction() as session:
            attachments.remember(session, ref, file_id)

    # -- marking ----------------------------------------------------------------------

    def _finish(
        self, row: OutboxMessage, status: str, error: Exception | None, *, unreachable: bool = False
    ) -> None:
        now = self.clock.now()
        with self.db.transaction() as session:
            outbox.finish(session, row.id, status, now=now, last_error=_error_text(error))
            if unreachable:
                outbox.mark_unreachable(session, row.person_id, row.chat_id, now)
            elif status == "sent" and row.chat_id > 0:
                # A delivered message proves the person reads the bot again.
                outbox.mark_reachable(session, row.person_id, row.chat_id)

    def _retry_later(self, row: OutboxMessage, error: Exception | str, delay: timedelta) -> None:
        with self.db.transaction() as session:
            outbox.back_to_pending(
                session,
                row.id,
                not_before=self.clock.now() + delay,
                last_error=_error_text(error),
            )

    def _migrate(self, row: OutboxMessage, new_chat_id: int) -> None:
        with self.db.transaction() as session:
            outbox.move_chat(session, row.id, new_chat_id)


def _markup(row: OutboxMessage, dashboard_url: str | None) -> InlineKeyboardMarkup | None:
    if not row.buttons:
        return None
    keyboard = []
    for line in row.buttons:
        buttons = []
        for b in line:
            if b.get("web_app") == DASHBOARD:
                if dashboard_url:  # no address configured: the button is left out
                    buttons.append(
                        InlineKeyboardButton(b["text"], web_app=WebAppInfo(dashboard_url))
                    )
            elif b.get("url"):
                buttons.append(InlineKeyboardButton(b["text"], url=b["url"]))
            else:
                data = str(b.get("callback_data", "")).replace(SNOOZE_PLACEHOLDER, str(row.id))
                buttons.append(InlineKeyboardButton(b["text"], callback_data=data))
        if buttons:
            keyboard.append(buttons)
    return InlineKeyboardMarkup(keyboard) if keyboard else None


def _count(stats: DispatchStats) -> None:
    for result in ("sent", "failed", "dropped", "retried"):
        if amount := getattr(stats, result):
            OUTBOX_RESULTS.labels(result).inc(amount)


def _backoff(attempts: int) -> timedelta:
    exponent = max(0, min(attempts - 1, 10))
    return min(BACKOFF_BASE * (2**exponent), BACKOFF_MAX)


def _retry_after_seconds(error: RetryAfter) -> float:
    # python-telegram-bot 22 warns that `retry_after` becomes a timedelta; take either.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _error_text(error: Exception | str | None) -> str | None:
    if error is None:
        return None
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return text[:500]
