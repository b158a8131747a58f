"""The bot understands what a secretary types, and its own examples work when typed back.

Through the real Application (process_update), on Thursday 26/11/2026 09:00.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from services.clock import ManualClock
from storage.db import Database
from storage.models import MeetingRecord, MeetingSchedule
from tests.auxil.cast import SECRETARY
from tests.auxil.updates import BotHarness, button, texts

pytestmark = pytest.mark.usefixtures("people")

_CODE = re.compile(r"<code>(.+?)</code>")
_HINT = re.compile(r"[Vv]í dụ: (.+?)\.(?:\n|$)")


def code_examples(text: str) -> list[str]:
    return _CODE.findall(text)


def hint_examples(text: str) -> list[str]:
    m = _HINT.search(text)
    return m[1].split(" hoặc ") if m else []


def schedules(db: Database) -> list[MeetingSchedule]:
    with db.transaction() as s:
        return list(s.scalars(select(MeetingSchedule)))


async def open_when(bot: BotHarness, month: str = "Tháng 12/2026") -> str:
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, month))
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    assert "ngày giờ" in texts(calls)
    return texts(calls)


async def test_every_example_in_the_schedule_prompt_is_accepted(bot: BotHarness) -> None:
    examples = code_examples(await open_when(bot))
    assert examples == ["15/12 14h30", "thứ 3 tuần sau 8h"]
    for example in examples:
        await open_when(bot)
        assert "địa điểm" in texts(await bot.send(SECRETARY, example)), example


async def test_a_january_flow_gives_january_examples(bot: BotHarness, clock: ManualClock) -> None:
    clock.set(datetime(2026, 12, 26, 2, 0, tzinfo=UTC))
    prompt = await open_when(bot, "Tháng 01/2027")
    examples = code_examples(prompt)
    assert examples and all(e.split()[0].endswith("/1") or "tuần" in e for e in examples)
    reply = texts(await bot.send(SECRETARY, "5/2 14h"))
    assert "không thuộc tháng 01/2027" in reply
    for example in hint_examples(reply):
        assert "/12" not in example
        await open_when(bot, "Tháng 01/2027")
        assert "địa điểm" in texts(await bot.send(SECRETARY, example)), example


@pytest.mark.parametrize("typed", ["abc", "thứ 9 14h", "14h30", "31/12/2026 25:00", "3/11 8h"])
async def test_every_example_in_an_error_is_accepted_and_none_echoes_the_input(
    bot: BotHarness, typed: str
) -> None:
    await open_when(bot)
    reply = texts(await bot.send(SECRETARY, typed))
    examples = hint_examples(reply)
    assert examples, reply
    assert all(not e.startswith(typed) for e in examples)
    for example in examples:
        await open_when(bot)
        assert "địa điểm" in texts(await bot.send(SECRETARY, example)), example


async def test_weekday_of_next_week_then_only_the_hour_is_asked(
    bot: BotHarness, db: Database
) -> None:
    await open_when(bot)
    calls = await bot.send(SECRETARY, "thứ 3 tuần sau")
    assert "mấy giờ</b> thứ Ba 01/12/2026" in texts(calls)
    times = [label for c in calls for label, _ in c.buttons]
    assert times[:3] == ["14h30", "8h", "9h30"]
    assert "địa điểm" in texts(await bot.send(SECRETARY, "14h30"))
    calls = await bot.send(SECRETARY, "Hội trường")
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    assert "14:30 01/12/2026" in texts(calls)
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    assert schedules(db)[0].planned_at == datetime(2026, 12, 1, 7, 30, tzinfo=UTC)


async def test_morning_of_a_day_asks_the_hour_and_a_bare_number_is_an_hour(
    bot: BotHarness, db: Database
) -> None:
    await open_when(bot)
    calls = await bot.send(SECRETARY, "sáng 15/12")
    assert "mấy giờ</b> sáng thứ Ba 15/12/2026" in texts(calls)
    assert [label for c in calls for label, _ in c.buttons][:3] == ["8h", "7h30", "9h30"]
    reply = texts(await bot.send(SECRETARY, "14h"))  # 14:00 is not in the morning
    assert "buổi sáng không có 14 giờ" in reply
    assert hint_examples(reply) == ["8h", "7h30"]  # its examples are mornings of that day
    calls = await bot.send(SECRETARY, "8")
    assert "địa điểm" in texts(calls)
    calls = await bot.send(SECRETARY, "Hội trường")
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    assert schedules(db)[0].planned_at == datetime(2026, 12, 15, 1, 0, tzinfo=UTC)


async def test_a_new_day_and_time_at_the_hour_question_is_taken(
    bot: BotHarness, db: Database
) -> None:
    await open_when(bot)
    await bot.send(SECRETARY, "chiều 15/12")
    assert "địa điểm" in texts(await bot.send(SECRETARY, "16/12 8h"))  # changed their mind
    calls = await bot.send(SECRETARY, "Hội trường")
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    assert schedules(db)[0].planned_at == datetime(2026, 12, 16, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "planned"),
    [
        ("T3 tuần sau 14h", datetime(2026, 12, 1, 7, 0, tzinfo=UTC)),
        ("chủ nhật tuần sau 8h", datetime(2026, 12, 6, 1, 0, tzinfo=UTC)),
        ("15/12 lúc 14 giờ", datetime(2026, 12, 15, 7, 0, tzinfo=UTC)),
        ("15/12 14g30", datetime(2026, 12, 15, 7, 30, tzinfo=UTC)),
        ("15/12 2 giờ chiều", datetime(2026, 12, 15, 7, 0, tzinfo=UTC)),
        ("thu 6 tuan cuoi 8h", datetime(2026, 12, 25, 1, 0, tzinfo=UTC)),
    ],
)
async def test_natural_dates_register_the_right_moment(
    bot: BotHarness, db: Database, typed: str, planned: datetime
) -> None:
    await open_when(bot)
    assert "địa điểm" in texts(await bot.send(SECRETARY, typed))
    calls = await bot.send(SECRETARY, "Hội trường")
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    assert schedules(db)[0].planned_at == planned


async def test_this_saturday_and_tomorrow_in_this_months_flow(
    bot: BotHarness, db: Database
) -> None:
    await open_when(bot, "Tháng 11/2026")
    assert "địa điểm" in texts(await bot.send(SECRETARY, "thứ bảy này 8h"))
    await open_when(bot, "Tháng 11/2026")
    calls = await bot.send(SECRETARY, "mai 8h")
    assert "địa điểm" in texts(calls)
    calls = await bot.send(SECRETARY, "Hội trường")
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    assert schedules(db)[0].planned_at == datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


# --- record: the day it was held, numbers ---------------------------------------------


def records(db: Database) -> list[MeetingRecord]:
    with db.transaction() as s:
        return list(s.scalars(select(MeetingRecord)))


async def open_record_date(bot: BotHarness) -> str:
    calls = await bot.send(SECRETARY, "/record")
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ 11/2026"))
    calls = await bot.press(SECRETARY, button(calls, "Có"))
    return texts(calls)


async def test_every_example_in_the_record_date_prompt_is_accepted(bot: BotHarness) -> None:
    prompt = await open_record_date(bot)
    assert "hoặc chọn bên dưới" not in prompt  # nothing was registered: no button to choose
    examples = code_examples(prompt)
    assert examples == ["24/11", "hôm qua"]
    for example in examples:
        await open_record_date(bot)
        assert "bao lâu" in texts(await bot.send(SECRETARY, example)), example
    reply = texts(await bot.send(SECRETARY, "mai"))  # now at the duration step: not a duration
    assert "Thời lượng chưa đúng" in reply


async def test_record_with_words_people_type(bot: BotHarness, db: Database) -> None:
    await open_record_date(bot)
    await bot.send(SECRETARY, "hôm qua")
    await bot.send(SECRETARY, "1 tiếng rưỡi")
    calls = await bot.send(SECRETARY, "11 người")
    assert "ví dụ: <code>10</code> hoặc <code>10/11</code>" in texts(calls)
    calls = await bot.send(SECRETARY, "vắng 2")
    assert "2 đảng viên vắng" in texts(calls)
    await bot.send(SECRETARY, "cả 2")
    await bot.send(SECRETARY, "Không có")
    calls = await bot.send(SECRETARY, "có")
    summary = texts(calls)
    assert "Ngày: 25/11/2026" in summary and "Thời lượng: 90 phút" in summary
    assert "Dự: 9/11 đảng viên (81,8%), vắng có lý do: 2" in summary
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    (row,) = records(db)
    assert (row.held_on, row.duration_minutes) == (date(2026, 11, 25), 90)
    assert (row.present, row.total_members, row.excused_absent) == (9, 11, 2)


@pytest.mark.parametrize(
    ("present", "expected"),
    [("đủ", (11, 11, 0)), ("du", (11, 11, 0)), ("10/11", (10, 11, 1)), ("10 đ/c", (10, 11, 1))],
)
async def test_attendance_as_typed(
    bot: BotHarness, db: Database, present: str, expected: tuple[int, int, int]
) -> None:
    await open_record_date(bot)
    await bot.send(SECRETARY, "20/11")
    await bot.send(SECRETARY, "1h30p")
    await bot.send(SECRETARY, "11")
    calls = await bot.send(SECRETARY, present)
    if expected[0] < expected[1]:
        calls = await bot.send(SECRETARY, "1")
    assert "cấp ủy cấp trên" in texts(calls)  # "đủ" skips the excused-absence question
    await bot.send(SECRETARY, "Không có")
    calls = await bot.send(SECRETARY, "có")
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    (row,) = records(db)
    assert (row.present, row.total_members, row.excused_absent) == expected
    assert row.duration_minutes == 90
