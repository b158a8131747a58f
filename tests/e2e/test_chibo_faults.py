"""`chibo run` against a misbehaving Bot API and a busy database: it answers or apologises,
never dies, and the next message works.

One bot process; each fault is injected for the next call to one chat only.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest

from .deployment import Deployment, minutes_to_local_midnight
from .emulator_client import BotApiClient, BotMessage, TelegramEmulator

pytestmark = pytest.mark.slow

SECRETARY, STRANGER = 2001, 2099
TIMEOUT = 10.0
APOLOGY = "đã có lỗi xảy ra"  # messages/templates/vi/error.j2


def ask(
    bot_api: BotApiClient, user: int, text: str, expect: str, timeout: float = TIMEOUT
) -> BotMessage:
    bot_api.send_text(user, user, text)
    [reply] = bot_api.wait_for_bot_messages(
        user, lambda m: expect in (m.text or ""), timeout=timeout, include_edits=False
    )
    return reply


@pytest.fixture(scope="module")
def bot_api(bot_api_server: TelegramEmulator) -> Iterator[BotApiClient]:
    """One client (and one bot token) for the module: the tests share one bot process."""
    client = bot_api_server.client()
    yield client
    client.close()


@pytest.fixture(scope="module")
def running(
    bot_api: BotApiClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    if minutes_to_local_midnight() < 10:
        pytest.skip("runs on real time: not within 10 minutes of midnight in Hà Nội")
    deployment = Deployment(tmp_path_factory.mktemp("faults") / "deploy", bot_api).setup()
    code = deployment.invite("secretary", "VPUBND-01")
    process = deployment.start(deployment.policy("quiet", reminders_due=False))
    try:
        ask(bot_api, SECRETARY, f"/start {code}", "Chào mừng")
        yield deployment
        assert process.running(), f"the bot died:\n{process.output()[-5000:]}"
    finally:
        deployment.stop_all()
    assert process.returncode == 0, process.output()[-3000:]  # SIGTERM: a clean stop


@pytest.fixture(autouse=True)
def no_faults_left(bot_api: BotApiClient) -> Iterator[None]:
    yield
    bot_api.clear_faults()


def test_rate_limited_reply_is_retried_after_retry_after(
    bot_api: BotApiClient, running: Deployment
) -> None:
    bot_api.rate_limit("sendMessage", chat_id=SECRETARY, retry_after=1)
    started = time.monotonic()
    ask(bot_api, SECRETARY, "/help", "Những việc")
    assert time.monotonic() - started >= 1.0
    assert ("sendMessage", 429) in [(f["method"], f["status"]) for f in bot_api.faults_hit()]


def test_server_errors_timeouts_and_a_blocked_chat_do_not_stop_the_bot(
    bot_api: BotApiClient, running: Deployment
) -> None:
    # 502 on the reply: the user is told something went wrong, the next message works.
    bot_api.server_error("sendMessage", chat_id=SECRETARY, status=502)
    ask(bot_api, SECRETARY, "/whoami", APOLOGY)
    ask(bot_api, SECRETARY, "/whoami", "Chi bộ Văn phòng")

    # The Bot API never answers: PTB gives up after its read timeout (5 s), same outcome.
    bot_api.hang("sendMessage", chat_id=SECRETARY, seconds=30)
    ask(bot_api, SECRETARY, "/help", APOLOGY, timeout=15)
    ask(bot_api, SECRETARY, "/help", "Những việc")

    # The user blocked the bot (403): nothing can be delivered, nothing breaks.
    bot_api.block_chat(SECRETARY)
    bot_api.send_text(SECRETARY, SECRETARY, "/help")
    deadline = time.monotonic() + TIMEOUT
    while not [f for f in bot_api.faults_hit() if f["status"] == 403]:
        assert time.monotonic() < deadline, "the bot never tried to answer the blocked user"
        time.sleep(0.05)
    bot_api.unblock_chat(SECRETARY)
    ask(bot_api, SECRETARY, "/help", "Những việc")
    # Another user was never affected.
    ask(bot_api, STRANGER, "xin chào", "chưa được mời")


def test_sqlite_busy_the_bot_waits_for_the_lock_and_answers(
    bot_api: BotApiClient, running: Deployment
) -> None:
    """Another connection (a backup, a CLI import, a second instance) holds the write lock
    for 1.5 s: the bot's writes wait (busy_timeout) instead of failing."""
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        connection = sqlite3.connect(running.db_path, timeout=10, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE units SET members = members WHERE code = 'DUK'")
        locked.set()
        release.wait(5)
        time.sleep(1.5)
        connection.execute("COMMIT")
        connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert locked.wait(5)
    started = time.monotonic()
    release.set()
    # A wrong invite code is a write (the brute-force throttle); a flow start writes its state.
    ask(bot_api, STRANGER, "ABCD-EFGH-JKMN-PQRS", "Mã mời không đúng")
    waited = time.monotonic() - started
    ask(bot_api, SECRETARY, "/schedule", "tháng nào")
    holder.join()
    assert waited >= 1.2, f"answered after {waited:.2f} s: was the database really locked?"
    assert running.query(
        "SELECT count(*) FROM invite_failures WHERE telegram_user_id = ?", STRANGER
    ) == [(1,)]
    assert APOLOGY not in " ".join(m.get("text") or "" for m in bot_api.bot_messages(STRANGER))
