"""User text shown back in chat is HTML-escaped (replies use Telegram's HTML parse mode)."""

from __future__ import annotations

import pytest

from handlers.dialog import FLOWS
from tests.harness import BotHarness, button, texts
from tests.personas import Persona
from tests.telegram_checks import all_problems


async def test_typed_text_echoed_in_a_validation_hint_is_escaped(
    bot: BotHarness, cast: dict[str, Persona]
) -> None:
    if "schedule" not in FLOWS:
        pytest.skip("schedule flow not registered")
    user = cast["secretary_a"].user
    calls = await bot.send(user, "/schedule")
    calls = await bot.press(user, button(calls, "Tháng 12/2026"))
    calls = await bot.press(user, button(calls, "thường kỳ"))
    assert "ngày giờ" in texts(calls)
    calls = await bot.send(user, "<script>alert(1)</script>")
    assert "&lt;script&gt;" in texts(calls)
    assert not all_problems(calls)


async def test_place_and_theme_with_html_are_escaped_in_the_summary(
    bot: BotHarness, cast: dict[str, Persona]
) -> None:
    if "schedule" not in FLOWS:
        pytest.skip("schedule flow not registered")
    user = cast["secretary_a"].user
    calls = await bot.send(user, "/schedule")
    calls = await bot.press(user, button(calls, "Tháng 12/2026"))
    calls = await bot.press(user, button(calls, "thường kỳ"))
    calls = await bot.send(user, "5/12 14:00")
    calls = await bot.send(user, 'Phòng <b>họp</b> & "hội trường" <a href="http://x.vn">')
    assert not all_problems(calls)
    for step in range(3):  # answer what is asked until the summary shows the place
        if "Kiểm tra lại" in texts(calls):
            break
        labels = [label for c in calls for label, _ in c.buttons]
        choice = next(label for label in labels if "Hủy" not in label)
        calls = await bot.press(user, button(calls, choice))
        assert not all_problems(calls), step
    summary = texts(calls)
    assert "Phòng &lt;b&gt;họp&lt;/b&gt; &amp;" in summary
    assert not all_problems(calls)
