"""Who from the higher committee attended is chosen from the bloc's committee members;
a committee meeting counts cấp ủy viên and leaves the unit's Party member count alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.app import build_application
from bot.settings import Settings
from bot.transport import LocalTransport
from domain.policy import CommitteeMember, default_policy
from services.clock import ManualClock
from services.deps import Deps
from storage.db import Database
from storage.models import MeetingRecord, Unit
from tests.auxil.cast import SECRETARY_TNMT, SECRETARY_TNMT_01
from tests.auxil.updates import BotHarness, button, texts

pytestmark = pytest.mark.usefixtures("small_bloc")
MEMBERS = (
    CommitteeMember("NVA", "Nguyễn Văn An", "Phó Bí thư Đảng ủy Khối"),
    CommitteeMember("NTH", "Nguyễn Thị Hoa", "Ủy viên Ban Thường vụ"),
    CommitteeMember("TVB", "Trần Văn Bình", "Ủy viên Ban Chấp hành"),
)


@pytest.fixture
async def listed_bot(
    settings: Settings, db: Database, clock: ManualClock
) -> AsyncIterator[BotHarness]:
    """The bot with a policy that lists the bloc's committee members."""
    policy = replace(default_policy(), committee_members=MEMBERS)
    transport = LocalTransport()
    app = build_application(
        Deps(settings, db, clock, policy), request=transport, rate_limited=False
    )
    async with app:
        yield BotHarness(app, transport)


def record_of(db: Database, unit: str) -> MeetingRecord:
    with db.transaction() as s:
        row = s.scalar(select(MeetingRecord).where(MeetingRecord.unit_code == unit))
        assert row is not None
        s.expunge(row)
        return row


async def to_higher_step(bot: BotHarness) -> list:  # type: ignore[type-arg]
    calls = await bot.send(SECRETARY_TNMT_01, "/record")
    calls = await bot.press(SECRETARY_TNMT_01, button(calls, "thường kỳ 11/2026"))
    calls = await bot.press(SECRETARY_TNMT_01, button(calls, "Có"))
    calls = await bot.send(SECRETARY_TNMT_01, "5/11")
    calls = await bot.press(SECRETARY_TNMT_01, button(calls, "120 phút"))
    calls = await bot.press(SECRETARY_TNMT_01, button(calls, "Giữ nguyên: 10"))
    return await bot.send(SECRETARY_TNMT_01, "đủ")


async def test_the_attendee_is_chosen_from_the_committee(
    listed_bot: BotHarness, db: Database
) -> None:
    calls = await to_higher_step(listed_bot)
    assert "Chọn đồng chí trong danh sách" in texts(calls)
    labels = [label for c in calls for label, _ in c.buttons]
    assert "Nguyễn Văn An (Phó Bí thư Đảng ủy Khối)" in labels and "Không có" in labels
    calls = await listed_bot.press(SECRETARY_TNMT_01, button(calls, "Nguyễn Văn An"))
    calls = await listed_bot.press(SECRETARY_TNMT_01, button(calls, "Có"))  # minutes taken
    assert "Cấp ủy cấp trên dự: Nguyễn Văn An (Phó Bí thư Đảng ủy Khối)" in texts(calls)
    await listed_bot.press(SECRETARY_TNMT_01, button(calls, "Xác nhận"))
    row = record_of(db, "TNMT-01")
    assert (row.higher_attendee_code, row.higher_attendee) == (
        "NVA",
        "Nguyễn Văn An (Phó Bí thư Đảng ủy Khối)",
    )


async def test_a_typed_name_is_found_in_the_list_or_refused(
    listed_bot: BotHarness, db: Database
) -> None:
    await to_higher_step(listed_bot)
    reply = texts(await listed_bot.send(SECRETARY_TNMT_01, "Nguyễn"))  # two of them
    assert "Không tìm thấy đúng một đồng chí" in reply and "Nguyễn Văn An" in reply
    reply = texts(await listed_bot.send(SECRETARY_TNMT_01, "Ông Hải ở Sở"))
    assert "Vui lòng chọn trong danh sách" in reply
    calls = await listed_bot.send(SECRETARY_TNMT_01, "tran van binh")  # no diacritics
    assert "biên bản" in texts(calls)
    calls = await listed_bot.press(SECRETARY_TNMT_01, button(calls, "Có"))
    await listed_bot.press(SECRETARY_TNMT_01, button(calls, "Xác nhận"))
    assert record_of(db, "TNMT-01").higher_attendee_code == "TVB"


async def test_a_committee_meeting_counts_committee_members(bot: BotHarness, db: Database) -> None:
    """TNMT is a base committee: its monthly meeting is the committee's (cấp ủy)."""
    with db.transaction() as s:
        unit = s.get(Unit, "TNMT")
        assert unit is not None
        unit.members = 120  # the Party members of the whole đảng bộ
    calls = await bot.send(SECRETARY_TNMT, "/record")
    calls = await bot.press(SECRETARY_TNMT, button(calls, "cấp ủy 11/2026"))
    calls = await bot.press(SECRETARY_TNMT, button(calls, "Có"))
    calls = await bot.send(SECRETARY_TNMT, "5/11")
    calls = await bot.press(SECRETARY_TNMT, button(calls, "90 phút"))
    asked = texts(calls)
    assert "tổng số cấp ủy viên" in asked and "120" not in asked
    calls = await bot.send(SECRETARY_TNMT, "9")
    assert "bao nhiêu cấp ủy viên dự" in texts(calls)
    calls = await bot.send(SECRETARY_TNMT, "8")
    assert "1 cấp ủy viên vắng" in texts(calls)
    calls = await bot.press(SECRETARY_TNMT, button(calls, "1"))
    calls = await bot.press(SECRETARY_TNMT, button(calls, "Không có"))
    calls = await bot.press(SECRETARY_TNMT, button(calls, "Có"))
    assert "Dự: 8/9 cấp ủy viên" in texts(calls)
    await bot.press(SECRETARY_TNMT, button(calls, "Xác nhận"))
    with db.transaction() as s:
        unit = s.get(Unit, "TNMT")
        assert unit is not None and unit.members == 120
    assert record_of(db, "TNMT").total_members == 9
    # Next time the committee's size is offered, not the đảng bộ's members.
    calls = await bot.send(SECRETARY_TNMT, "/record")
    calls = await bot.press(SECRETARY_TNMT, button(calls, "cấp ủy 11/2026"))
    calls = await bot.press(SECRETARY_TNMT, button(calls, "Có"))
    calls = await bot.send(SECRETARY_TNMT, "6/11")
    calls = await bot.press(SECRETARY_TNMT, button(calls, "90 phút"))
    assert "cấp ủy có <b>9</b> cấp ủy viên" in texts(calls)
    assert button(calls, "Giữ nguyên: 9")
