"""Small words that must be right: report titles, the quarter line, "or choose below".

Through the real Application (process_update), on Thursday 26/11/2026 unless moved.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.text_vi import fold
from services.clock import ManualClock
from tests.auxil.cast import SECRETARY, SECRETARY_NTM
from tests.auxil.updates import BotHarness, button, texts

REPORTER = SECRETARY_NTM  # NTM, a base cell: it sends periodic reports to the bloc

pytestmark = pytest.mark.usefixtures("people")


def repeats_a_word(text: str) -> bool:
    """ "Báo cáo quý Quý III", "6 tháng 6 tháng", "năm Năm 2026": a word or pair said twice."""
    words = fold(text).split()
    for n in (1, 2):
        for i in range(len(words) - 2 * n + 1):
            if words[i : i + n] == words[i + n : i + 2 * n]:
                return True
    return False


async def test_report_titles_say_the_period_once(bot: BotHarness) -> None:
    calls = await bot.send(REPORTER, "/report")
    labels = [label for c in calls for label, _ in c.buttons if label.startswith("Báo cáo")]
    assert [label.split(" — ")[0] for label in labels] == [
        "Báo cáo sơ kết 6 tháng đầu năm 2026",
        "Báo cáo quý III/2026",
        "Báo cáo tổng kết năm 2026",
        "Báo cáo tháng 11/2026",
        "Báo cáo quý IV/2026",
        "Báo cáo tháng 12/2026",
    ]
    assert not any(repeats_a_word(label) for label in labels)
    status = texts(await bot.send(REPORTER, "/status"))
    assert "• Báo cáo tổng kết năm 2026 — hạn 15/11/2026" in status
    assert not any(repeats_a_word(line) for line in status.splitlines())
    calls = await bot.send(REPORTER, "/report")
    calls = await bot.press(REPORTER, button(calls, "Báo cáo quý IV/2026"))
    calls = await bot.press(REPORTER, button(calls, "Đã gửi"))
    assert "Đã xác nhận gửi báo cáo quý IV/2026 ngày 26/11/2026" in texts(calls)


async def test_the_quarter_line_on_the_first_day_of_its_last_month(
    bot: BotHarness, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # 01/12, 09:00
    text = texts(await bot.send(SECRETARY, "/status"))
    assert "<b>Quý IV/2026</b> (từ 01/10/2026 đến hôm nay, 3 tháng kể cả tháng này)" in text
    assert "đã qua" not in text


async def test_or_choose_below_only_when_there_is_a_button_to_choose(bot: BotHarness) -> None:
    async def place_prompt() -> list:
        calls = await bot.send(SECRETARY, "/schedule")
        calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
        calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
        return await bot.send(SECRETARY, "15/12 14h")

    calls = await place_prompt()  # the first time: no previous place, only "✖ Hủy"
    assert "hoặc chọn bên dưới" not in texts(calls)
    assert [label for c in calls for label, _ in c.buttons] == ["✖ Hủy"]
    calls = await bot.send(SECRETARY, "Hội trường")
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    calls = await bot.press(SECRETARY, button(calls, "Đổi lịch"))
    calls = await bot.send(SECRETARY, "16/12 14h")
    assert "hoặc chọn bên dưới" in texts(calls)  # now there is "Như lần trước: Hội trường"
    assert "Như lần trước: Hội trường" in [label for c in calls for label, _ in c.buttons]
