"""The early guard (bot/limits.py): oversized, userless and edited updates stop before any
handler, get at most one polite sentence, and write nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.limits import MAX_FILE_BYTES, MAX_TEXT_CHARS
from domain.roles import Role
from services.clock import ManualClock
from services.invites import create_invite
from storage.db import Database
from tests.auxil.cast import Persona
from tests.auxil.telegram_checks import all_problems
from tests.auxil.updates import BotHarness, User, document, group_chat, message, texts
from tests.auxil.writes import snapshot


def everything(db: Database) -> dict[str, object]:
    return snapshot(db, exclude=frozenset())


@pytest.mark.parametrize("who", ["stranger", "secretary_a", "leader"])
async def test_huge_text_is_refused_politely_without_touching_the_database(
    bot: BotHarness, db: Database, cast: dict[str, Persona], who: str
) -> None:
    before = everything(db)
    for text in ("a" * (MAX_TEXT_CHARS + 1), "/start " + "X" * 5000, "Đ" * 4096):
        calls = await bot.send(cast[who].user, text)
        assert [c.method for c in calls] == ["sendMessage"]
        assert "quá dài" in texts(calls)
        assert not all_problems(calls)
    assert everything(db) == before


async def test_text_at_the_limit_still_reaches_the_handlers(
    bot: BotHarness, cast: dict[str, Persona]
) -> None:
    reply = texts(await bot.send(cast["secretary_a"].user, "x" * MAX_TEXT_CHARS))
    assert "quá dài" not in reply and reply


async def test_nul_character_is_refused(
    bot: BotHarness, db: Database, cast: dict[str, Persona]
) -> None:
    before = everything(db)
    assert "quá dài" in texts(await bot.send(cast["secretary_a"].user, "Phòng\x00họp"))
    assert everything(db) == before


async def test_huge_file_is_refused_politely(
    bot: BotHarness, db: Database, cast: dict[str, Persona]
) -> None:
    user = cast["secretary_a"].user
    before = everything(db)
    calls = await bot.deliver(message=message(user, document=document(MAX_FILE_BYTES + 1)))
    assert "Tệp quá lớn" in texts(calls) and "10 MB" in texts(calls)
    calls = await bot.deliver(
        message=message(user, document=document(100), caption="c" * (MAX_TEXT_CHARS + 1))
    )
    assert "quá dài" in texts(calls)
    assert everything(db) == before


async def test_a_small_file_outside_a_flow_is_declined_and_writes_nothing(
    bot: BotHarness, db: Database, cast: dict[str, Persona]
) -> None:
    before = everything(db)
    for who in ("secretary_a", "leader", "stranger"):
        calls = await bot.deliver(message=message(cast[who].user, document=document(2048)))
        assert len(calls) == 1 and texts(calls), who  # one polite sentence, whoever sends it
    assert everything(db) == before


async def test_updates_without_a_user_or_from_bots_are_ignored_quietly(
    bot: BotHarness, db: Database, cast: dict[str, Persona]
) -> None:
    before = everything(db)
    channel = {"id": -100_555, "type": "channel", "title": "Kênh"}
    post = message(None, text="/start ABCD", chat=channel)
    assert await bot.deliver(channel_post=post) == []
    assert await bot.deliver(edited_channel_post=post) == []
    a_bot = User(6_000_000, "Bot", "Khác")
    bot_message = {**message(a_bot, text="/help", chat=group_chat()), "from": {
        **a_bot.as_dict(), "is_bot": True}}  # fmt: skip
    assert await bot.deliver(message=bot_message) == []
    assert everything(db) == before


async def test_editing_an_old_message_does_nothing(
    bot: BotHarness, db: Database, clock: ManualClock, cast: dict[str, Persona]
) -> None:
    """Editing "/start CODE" or an old answer must not redeem, re-run or move a dialog."""
    created = create_invite(
        db, role=Role.SECRETARY, unit_code="TNMT-02", now=clock.now(), ttl=timedelta(1), actor="t"
    )
    newcomer = User(5100, "Mới", "Đến")
    before = everything(db)
    edited = message(newcomer, text=f"/start {created.code}")
    assert await bot.deliver(edited_message=edited) == []
    edited = message(cast["secretary_a"].user, text="/whoami")
    assert await bot.deliver(edited_message=edited) == []
    assert everything(db) == before


async def test_html_in_names_is_escaped(
    bot: BotHarness, db: Database, clock: ManualClock, demo_org: None
) -> None:
    created = create_invite(
        db, role=Role.SECRETARY, unit_code="TNMT-02", now=clock.now(), ttl=timedelta(1), actor="t"
    )
    mallory = User(5200, "<b>Lan</b> & <script>", '"x" <a href="http://e.vl">')
    calls = await bot.send(mallory, f"/start {created.code}")
    assert not all_problems(calls)
    assert "&lt;b&gt;Lan&lt;/b&gt; &amp; &lt;script&gt;" in texts(calls)
    calls = await bot.send(mallory, "/whoami")
    assert not all_problems(calls)
    assert "&lt;script&gt;" in texts(calls) and "<script>" not in texts(calls)
