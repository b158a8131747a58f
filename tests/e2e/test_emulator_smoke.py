"""The emulator works with python-telegram-bot v22 itself (no Chi bộ bot code involved).

Each test builds a small PTB Application pointed at the emulator, runs it in-process (what
``run_polling`` does, minus the signal handling), and plays the user through the client.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from .emulator_client import BotApiClient, BotProcess

pytestmark = pytest.mark.slow

USER = 1001
GROUP = -100200


def builder(bot_api: BotApiClient) -> ApplicationBuilder:
    return (
        Application.builder()
        .token(bot_api.bot_token)
        .base_url(bot_api.base_url)
        .base_file_url(bot_api.base_file_url)
    )


@asynccontextmanager
async def running(application: Application) -> AsyncIterator[Application]:
    """Like ``application.run_polling()``, inside the test's event loop."""
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


async def test_start_button_edit(bot_api: BotApiClient) -> None:
    seen: dict[str, object] = {}

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        seen["date"] = update.message.date
        seen["args"] = context.args
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Có mặt", callback_data="present")],
                [InlineKeyboardButton("Vắng", callback_data="absent")],
            ]
        )
        await update.message.reply_html(
            f"Chào <b>{update.effective_user.first_name}</b>! Điểm danh:", reply_markup=keyboard
        )

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Đã ghi nhận")
        edited = await query.edit_message_text(f"Đã chọn: {query.data}")
        seen["edited"] = edited

    app = builder(bot_api).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button))

    async with running(app):
        assert app.bot.username == "ChiBoBot"
        assert app.bot.id == bot_api.bot_id
        bot_api.send_text(USER, USER, "/start invite42", first_name="Lan")
        [reply] = await bot_api.wait_for_bot_messages_async(USER, lambda m: "Điểm danh" in m.text)
        assert reply.text == "Chào Lan! Điểm danh:"  # HTML stripped as the user sees it
        assert reply.raw_text == "Chào <b>Lan</b>! Điểm danh:"
        assert reply.button_texts == ["Có mặt", "Vắng"]

        bot_api.press_button(USER, reply, reply.callback_data("Vắng"))
        [edit] = await bot_api.wait_for_bot_messages_async(USER, lambda m: m.edited)
        assert edit.message_id == reply.message_id
        assert edit.text == "Đã chọn: absent"
        assert edit.reply_markup is None  # editMessageText without a keyboard drops it

    assert seen["args"] == ["invite42"]
    date = seen["date"]
    assert isinstance(date, datetime)
    assert abs(date - datetime.now(UTC)) < timedelta(minutes=1)  # seconds, not milliseconds
    assert isinstance(seen["edited"], Message)
    assert [a["text"] for a in bot_api.callback_answers()] == ["Đã ghi nhận"]
    # The keyboard is gone now: pressing a stale button is refused, as Telegram's UI would.
    with pytest.raises(RuntimeError, match="no button"):
        bot_api.press_button(USER, reply, "present")
    assert bot_api.unsupported_calls() == []


async def test_rate_limited_send_is_retried(bot_api: BotApiClient) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"echo: {update.message.text}")

    app = builder(bot_api).rate_limiter(AIORateLimiter(max_retries=2)).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    bot_api.rate_limit("sendMessage", count=1, retry_after=1)

    async with running(app):
        started = time.monotonic()
        bot_api.send_text(USER, USER, "xin chào")
        [reply] = await bot_api.wait_for_bot_messages_async(USER, timeout=5)
        elapsed = time.monotonic() - started

    assert reply.text == "echo: xin chào"
    assert elapsed >= 1.0  # waited retry_after before the second try
    assert len(bot_api.calls("sendMessage")) == 2
    assert [(f["method"], f["status"]) for f in bot_api.faults_hit()] == [("sendMessage", 429)]


async def test_blocked_user_surfaces_as_forbidden(bot_api: BotApiClient) -> None:
    bot_api.block_chat(USER)
    async with builder(bot_api).build() as app:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await app.bot.send_message(USER, "Nhắc lịch sinh hoạt")
        await app.bot.send_message(GROUP, "others still get it")  # only that chat is blocked
        bot_api.unblock_chat(USER)
        await app.bot.send_message(USER, "unblocked")
    texts = [m.text for m in bot_api.wait_for_bot_messages(USER, timeout=1)]
    assert texts == ["unblocked"]


async def test_server_error_and_hang(bot_api: BotApiClient) -> None:
    bot_api.server_error("sendMessage", status=502)
    bot_api.hang("sendMessage", seconds=5)
    async with builder(bot_api).read_timeout(0.5).build() as app:
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await app.bot.send_message(USER, "a")
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await app.bot.send_message(USER, "b")
        assert time.monotonic() - started < 2
        await app.bot.send_message(USER, "c")  # faults used up
    assert [m["text"] for m in bot_api.bot_messages(USER)] == ["c"]


async def test_documents_both_ways_and_html_errors(bot_api: BotApiClient) -> None:
    async with builder(bot_api).build() as app:
        csv = "Họ tên,Điểm\nLan,9\n".encode()
        await app.bot.send_document(GROUP, csv, filename="bao-cao.csv", caption="Báo cáo quý")
        [doc] = bot_api.wait_for_bot_messages(GROUP, timeout=1)
        assert doc.text == "Báo cáo quý"
        assert doc.document is not None and doc.document["file_name"] == "bao-cao.csv"
        assert bot_api.download_file(doc.document["file_id"]) == csv

        _, file_id = bot_api.send_document(USER, USER, b"x;y", "import.csv", mime_type="text/csv")
        telegram_file = await app.bot.get_file(file_id)
        assert bytes(await telegram_file.download_as_bytearray()) == b"x;y"

        with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
            await app.bot.send_message(USER, "Tổ 1 <br> Tổ 2", parse_mode="HTML")
        sent = await app.bot.send_message(USER, "same")
        with pytest.raises(BadRequest, match="Message is not modified"):
            await sent.edit_text("same")


async def test_long_polling_is_honest(bot_api: BotApiClient) -> None:
    url = f"{bot_api.base_url}{bot_api.bot_token}/getUpdates"
    async with httpx.AsyncClient(timeout=5) as http:
        started = time.monotonic()
        empty = (await http.post(url, data={"timeout": "0.3"})).json()
        assert empty == {"ok": True, "result": []}
        assert time.monotonic() - started >= 0.3  # waited instead of spinning

        bot_api.send_text(USER, USER, "one")
        first = (await http.post(url, data={"timeout": "1"})).json()["result"]
        again = (await http.post(url, data={"timeout": "0"})).json()["result"]
        assert [u["update_id"] for u in again] == [u["update_id"] for u in first]  # unconfirmed
        confirmed = (await http.post(url, data={"offset": first[-1]["update_id"] + 1})).json()
        assert confirmed["result"] == []

    async with builder(bot_api).build() as app:  # two pollers: the older one gets 409
        older = asyncio.create_task(app.bot.get_updates(timeout=2))
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient(timeout=5) as http:
            assert (await http.post(url, data={"timeout": "0"})).status_code == 200
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await older


BOT_SCRIPT = """
import os
from telegram.ext import Application, CommandHandler

async def start(update, context):
    await update.message.reply_text("pong from a subprocess")

app = (
    Application.builder()
    .token(os.environ["TELEGRAM_BOT_TOKEN"])
    .base_url(os.environ["BOT_API_BASE_URL"])
    .build()
)
app.add_handler(CommandHandler("start", start))
print("polling", flush=True)
app.run_polling(poll_interval=0, timeout=1, drop_pending_updates=True)
"""


def test_bot_as_subprocess(bot_api: BotApiClient) -> None:
    """The shape of the `chibo run` tests: env in, user messages, sync waits, SIGTERM out."""
    with BotProcess([sys.executable, "-c", BOT_SCRIPT], bot_api.bot_env()) as bot:
        bot_api.wait_until_polling()
        bot_api.send_text(USER, USER, "/start")
        try:
            [reply] = bot_api.wait_for_bot_messages(USER, timeout=8)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nbot output:\n{bot.output()}") from None
        assert reply.text == "pong from a subprocess"
    assert bot.returncode == 0, bot.output()
