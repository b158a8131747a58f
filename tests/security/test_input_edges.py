"""Odd but possible input is answered politely and never raises: Unicode digits, numbers of
30 digits, buttons under inline messages, replies that count emoji the way Telegram does
(UTF-16 code units), and a stranger pressing a button."""

from __future__ import annotations

from typing import Any

import pytest

from bot.limits import MAX_TEXT_CHARS
from messages.telegram_text import utf16_len
from storage.db import Database
from tests.auxil.cast import Persona
from tests.auxil.telegram_checks import all_problems
from tests.auxil.updates import BotHarness, callback, texts
from tests.auxil.writes import BOOKKEEPING_TABLES, WriteLog

THIRTY_DIGITS = "9" * 30
EMOJI = "😀"  # one character, two UTF-16 code units


def inline_press(user: Any, data: str) -> dict[str, Any]:
    """A button under a message sent via inline mode: Telegram sends no `message` then."""
    query = callback(user, data)
    del query["message"]
    query["inline_message_id"] = "AAAAAgAAAA"
    return query


def old_press(user: Any, data: str) -> dict[str, Any]:
    """A button under a message Telegram no longer shows the bot (date 0, no content)."""
    query = callback(user, data)
    query["message"] = {"message_id": 7, "date": 0, "chat": query["message"]["chat"]}
    return query


BUTTONS = [
    "snooze:²",
    "snooze:٣",
    f"snooze:{THIRTY_DIGITS}",
    "snooze:-1",
    "d:abcdef12:²",
    f"d:abcdef12:{THIRTY_DIGITS}",
    "open:schedule:VPUBND-01:2026-1²",
    "open:record:VPUBND-01:regular:٢٠٢٦-١١",
    f"open:report:NOICHINH:monthly:{THIRTY_DIGITS}",
    f"open:schedule:VPUBND-01:{THIRTY_DIGITS}-12",
    "open:schedule:VPUBND-01:2026-12",
    "unknown:²",
]


@pytest.mark.parametrize("data", BUTTONS)
@pytest.mark.parametrize("who", ["secretary_a", "secretary_base", "leader", "stranger"])
async def test_strange_button_data_is_answered_and_changes_nothing(
    bot: BotHarness,
    cast: dict[str, Persona],
    writes: WriteLog,
    errors: list[BaseException],
    data: str,
    who: str,
) -> None:
    calls = await bot.press(cast[who].user, data)
    assert errors == []
    assert any(c.method == "answerCallbackQuery" for c in calls), "the spinner never stops"
    assert not all_problems(calls)
    assert writes.tables() <= BOOKKEEPING_TABLES, writes.writes


@pytest.mark.parametrize("data", ["open:schedule:VPUBND-01:2026-12", "snooze:1", "d:abc:0", "x"])
@pytest.mark.parametrize("who", ["secretary_a", "stranger"])
async def test_buttons_under_inline_messages_are_answered_politely(
    bot: BotHarness,
    cast: dict[str, Persona],
    writes: WriteLog,
    errors: list[BaseException],
    data: str,
    who: str,
) -> None:
    calls = await bot.deliver(callback_query=inline_press(cast[who].user, data))
    assert errors == []
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answer.params.get("show_alert") and "không dùng được ở đây" in answer.text
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert writes.tables() <= BOOKKEEPING_TABLES


@pytest.mark.parametrize("data", ["open:schedule:VPUBND-01:2026-12", "snooze:1", "d:abc:0", "x"])
async def test_buttons_under_messages_too_old_to_read_still_work(
    bot: BotHarness, cast: dict[str, Persona], errors: list[BaseException], data: str
) -> None:
    calls = await bot.deliver(callback_query=old_press(cast["secretary_a"].user, data))
    assert errors == []
    assert any(c.method == "answerCallbackQuery" for c in calls)
    assert not all_problems(calls)
    if data.startswith("open:"):
        assert "Đăng ký lịch" in texts(calls)


async def test_a_stranger_pressing_a_button_reads_plain_text_not_tags(
    bot: BotHarness, cast: dict[str, Persona]
) -> None:
    for data in ("open:schedule:VPUBND-01:2026-12", "snooze:1", "d:abc:0"):
        calls = await bot.press(cast["stranger"].user, data)
        [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
        assert "<" not in answer.text and "&" not in answer.text, answer.text
        assert "chưa được mời" in answer.text
        assert utf16_len(answer.text) <= 200


@pytest.mark.parametrize("who", ["stranger", "secretary_a", "leader"])
@pytest.mark.parametrize(
    "text",
    [
        EMOJI * 1999,
        "/unit " + EMOJI * 1990,
        "/cluster " + EMOJI * 1990,
        "/away " + EMOJI * 1990,
        "/start " + EMOJI * 1990,
        EMOJI * (MAX_TEXT_CHARS // 2),
    ],
)
async def test_replies_stay_within_telegrams_limits_counted_in_utf16(
    bot: BotHarness,
    cast: dict[str, Persona],
    errors: list[BaseException],
    who: str,
    text: str,
) -> None:
    calls = await bot.send(cast[who].user, text)
    assert calls and errors == []
    assert not all_problems(calls)


async def test_emoji_typed_inside_a_dialog_are_measured_like_telegram(
    bot: BotHarness, cast: dict[str, Persona], errors: list[BaseException]
) -> None:
    user = cast["secretary_a"].user
    await bot.send(user, "/schedule")
    calls = await bot.send(user, EMOJI * 1999)
    assert "quá dài" in texts(calls)
    calls = await bot.send(user, EMOJI * (MAX_TEXT_CHARS // 2))
    assert errors == [] and not all_problems(calls)


@pytest.mark.parametrize(
    "answers",
    [
        ["/record", THIRTY_DIGITS],
        ["/schedule", f"{THIRTY_DIGITS}/12 14:00"],
        ["/away", f"{THIRTY_DIGITS}/12"],
        ["/away ²/12"],
        ["/record VPUBND-01²"],
    ],
)
async def test_huge_and_unicode_numbers_typed_are_explained(
    bot: BotHarness,
    cast: dict[str, Persona],
    db: Database,
    writes: WriteLog,
    errors: list[BaseException],
    answers: list[str],
) -> None:
    user = cast["secretary_a"].user
    for text in answers:
        calls = await bot.send(user, text)
        assert not all_problems(calls)
    assert errors == []


def test_the_digest_counts_emoji_names_like_telegram(db: Database) -> None:
    """Every unit named with emoji (two UTF-16 units each): the summary still fits."""
    from datetime import date

    from sqlalchemy import update

    from domain.policy import default_policy
    from messages.digest_text import digest_summary
    from services.digest import build_digest
    from storage.models import Unit
    from tests.auxil.telegram_checks import html_problems, visible_length

    with db.transaction() as s:
        s.execute(update(Unit).values(name=EMOJI * 150))
    text = digest_summary(build_digest(db, "DUK", date(2026, 11, 30), default_policy()))
    assert len(text) <= 4096 < utf16_len(EMOJI * 150 * 14)
    assert visible_length(text, "HTML") <= 4096
    assert html_problems(text) == []
