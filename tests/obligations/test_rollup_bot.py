"""/digest 6t, /digest năm: the roll-up in the bot, with its Excel file and its notice."""

from __future__ import annotations

import pytest

from tests.auxil.cast import LEADER, OFFICER_C1, SECRETARY_NTM
from tests.auxil.updates import BotHarness, texts

pytestmark = pytest.mark.usefixtures("small_bloc")


async def test_half_year_and_year_roll_ups(bot: BotHarness) -> None:
    calls = await bot.send(LEADER, "/digest 6t")
    assert "TỔNG HỢP 6 THÁNG CUỐI NĂM 2026" in calls[0].text
    assert "PHỤ LỤC CHI TIẾT" in calls[0].text
    files = [c.params.get("caption", "") for c in calls if c.method == "sendDocument"]
    assert len(files) == 2 and "Sơ kết, tổng kết" in files[0]
    # The shipped policy names nobody: the notice says what it leaves blank.
    assert "Còn để trống: tên đảng bộ tỉnh; tên đảng ủy khối" in files[1]
    assert "số thông báo" in files[1]
    calls = await bot.send(LEADER, "/digest năm 45")
    assert "TỔNG HỢP NĂM 2026" in calls[0].text
    notice = [c for c in calls if c.method == "sendDocument"][1].text
    assert "họ tên người ký: điền tay" in notice


async def test_a_cluster_officer_gets_the_cluster(bot: BotHarness) -> None:
    calls = await bot.send(OFFICER_C1, "/digest quý")
    assert "QUÝ IV/2026" in calls[0].text and "<b>Cụm 1</b>" in calls[0].text


async def test_bad_periods_are_explained(bot: BotHarness) -> None:
    assert "chưa bắt đầu" in texts(await bot.send(LEADER, "/digest 2027"))
    assert "Chưa hiểu kỳ tổng hợp" in texts(await bot.send(LEADER, "/digest tuần"))
    assert "không dùng được chức năng này" in texts(await bot.send(SECRETARY_NTM, "/digest 6t"))
