"""Where the dashboard opens from: a "Mở bảng theo dõi" button under /digest and under the
weekly digest, and the menu button of leaders and cluster officers. Only with an HTTPS
address (Telegram opens Mini Apps over HTTPS only), and only in private chats (Telegram
refuses web_app buttons elsewhere)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import build_application
from bot.settings import Settings
from bot.transport import LocalTransport
from domain.policy import default_policy
from scheduler.dispatcher import Dispatcher
from services.clock import ManualClock
from services.deps import Deps
from services.digest_delivery import plan_weekly_digests
from storage.db import Database
from storage.models import OutboxMessage
from tests.auxil.cast import LEADER, OFFICER_C1, SECRETARY
from tests.auxil.updates import BotHarness

APP_URL = "https://chibo.example.org/app/"
MONDAY = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 07:30 in Hà Nội, the weekly moment


async def harness(db_url: str, db: Database, clock: ManualClock, **settings: str) -> BotHarness:
    config = Settings(_env_file=None, database_url=db_url, **settings)  # type: ignore[call-arg]
    transport = LocalTransport()
    app = build_application(Deps(config, db, clock), request=transport, rate_limited=False)
    await app.initialize()
    return BotHarness(app, transport)


@pytest.fixture
async def with_app(db_url: str, db: Database, clock: ManualClock) -> AsyncIterator[BotHarness]:
    bot = await harness(db_url, db, clock, web_app_url=APP_URL)
    yield bot
    await bot.app.shutdown()


@pytest.fixture
async def without_app(db_url: str, db: Database, clock: ManualClock) -> AsyncIterator[BotHarness]:
    bot = await harness(db_url, db, clock)
    yield bot
    await bot.app.shutdown()


def web_app_buttons(calls: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    found = []
    for call in calls:
        markup = call.params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            found += [(b["text"], b["web_app"]["url"]) for b in row if "web_app" in b]
    return found


async def test_digest_in_a_private_chat_has_the_button_on_its_scope(with_app: BotHarness) -> None:
    calls = await with_app.send(LEADER, "/digest")
    assert web_app_buttons(calls) == [("Mở bảng theo dõi", f"{APP_URL}?scope=DUK")]
    calls = await with_app.send(OFFICER_C1, "/cluster 1")
    assert web_app_buttons(calls) == [("Mở bảng theo dõi", f"{APP_URL}?scope=C1")]


async def test_no_button_in_a_group_or_without_an_https_address(
    with_app: BotHarness, without_app: BotHarness
) -> None:
    group = await with_app.send(LEADER, "/digest", chat_id=-100123, chat_type="group")
    assert group and web_app_buttons(group) == []
    plain = await without_app.send(LEADER, "/digest")
    assert plain and web_app_buttons(plain) == []


def test_an_address_is_https_or_none() -> None:
    def url(**values: str) -> str | None:
        return Settings(_env_file=None, **values).dashboard_url  # type: ignore[call-arg]

    assert url() is None
    assert url(web_app_url="http://plain.example.org/app/") is None
    assert url(webhook_url="https://bot.example.org/telegram") == "https://bot.example.org/app/"
    assert url(webhook_url="https://a.org/t", web_app_url=APP_URL) == APP_URL


async def test_the_menu_button_follows_the_roles(with_app: BotHarness) -> None:
    def menu_buttons(calls: list) -> list[dict]:  # type: ignore[type-arg]
        return [
            json.loads(c.params["menu_button"])
            if isinstance(c.params["menu_button"], str)
            else c.params["menu_button"]
            for c in calls
            if c.method == "setChatMenuButton"
        ]

    [leader] = menu_buttons(await with_app.send(LEADER, "/help"))
    assert leader == {"type": "web_app", "text": "Bảng theo dõi", "web_app": {"url": APP_URL}}
    [secretary] = menu_buttons(await with_app.send(SECRETARY, "/help"))
    assert secretary == {"type": "default"}


async def test_no_menu_button_call_without_an_address(without_app: BotHarness) -> None:
    calls = await without_app.send(LEADER, "/help")
    assert calls and not [c for c in calls if c.method == "setChatMenuButton"]


@pytest.mark.parametrize("url", [APP_URL, None])
async def test_the_weekly_digest_carries_the_button_when_there_is_an_address(
    db: Database, clock: ManualClock, without_app: BotHarness, url: str | None
) -> None:
    policy = default_policy()
    assert plan_weekly_digests(db, MONDAY, policy) > 0
    with db.transaction() as s:
        summary = s.scalar(
            select(OutboxMessage).where(OutboxMessage.dedup_key == f"digest:{LEADER.id}:2026-W49")
        )
    assert summary is not None
    assert summary.buttons == [[{"text": "Mở bảng theo dõi", "web_app": "dashboard"}]]
    clock.set(MONDAY)
    dispatcher = Dispatcher(db, without_app.app.bot, clock, policy, dashboard_url=url)
    while (await dispatcher.dispatch_once()).claimed:
        pass
    sent = [c for c in without_app.transport.calls if c.chat_id == LEADER.id]
    text = next(c for c in sent if c.method == "sendMessage")
    assert web_app_buttons([text]) == ([("Mở bảng theo dõi", APP_URL)] if url else [])
    assert "reply_markup" not in text.params or url
