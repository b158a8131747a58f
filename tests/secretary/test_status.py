"""/status and /history: upcoming meetings, what is overdue, the quarter at a glance."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain import meeting_record
from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from domain.policy import default_policy
from services import meeting_records, schedules
from services.actors import load_actor
from services.clock import ManualClock
from storage.db import Database
from tests.auxil.cast import LEADER, SECRETARY, SECRETARY_NTM
from tests.auxil.updates import BotHarness, texts

pytestmark = pytest.mark.usefixtures("people")


def seed_november(db: Database, clock: ManualClock) -> None:
    actor = load_actor(db, SECRETARY.id)
    assert actor is not None
    policy = default_policy()
    november = Month(2026, 11)
    record = meeting_record.RecordInput(
        held=True,
        held_on=date(2026, 11, 5),
        duration_minutes=120,
        present=9,
        total_members=11,
        excused_absent=2,
        minutes_taken=True,
    )
    meeting_records.record_meeting(
        db,
        actor,
        "VPUBND-01",
        MeetingKind.REGULAR,
        november,
        record,
        now=clock.now(),
        policy=policy,
    )
    schedules.register_schedule(
        db,
        actor,
        schedules.ScheduleRequest(
            "VPUBND-01",
            MeetingKind.REGULAR,
            Month(2026, 12),
            datetime(2026, 12, 5, 7, 0, tzinfo=UTC),
            "Phòng họp tầng 2",
        ),
        now=clock.now(),
        policy=policy,
    )


async def test_status_lists_upcoming_todo_and_quarter(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    seed_november(db, clock)
    calls = await bot.send(SECRETARY, "/status")
    text = texts(calls)
    assert "Chi bộ Văn phòng — Đảng bộ cơ quan Văn phòng UBND tỉnh (VPUBND-01)</b>" in text
    assert "Tình hình ngày 26/11/2026" in text
    assert "Sinh hoạt chi bộ thường kỳ: 14:00 05/12/2026, Phòng họp tầng 2" in text
    assert "Tự đánh giá chất lượng sinh hoạt chi bộ thường kỳ tháng 11/2026" in text
    assert "Quý IV/2026</b> (từ 01/10/2026 đến hôm nay, 2 tháng kể cả tháng này)" in text
    assert "Đã sinh hoạt: 1/2 tháng" in text
    assert "Tỷ lệ dự bình quân: 81,8% (chỉ tiêu 95%) ⚠️" in text
    assert "Sinh hoạt chuyên đề: chưa có" in text
    datas = [d for c in calls for _, d in c.buttons]
    assert "open:rate:VPUBND-01:regular:2026-11" in datas


async def test_overdue_registration_is_shown_with_days(bot: BotHarness, db: Database) -> None:
    text = texts(await bot.send(SECRETARY, "/status"))
    assert "Đăng ký lịch sinh hoạt tháng 12/2026 — hạn 25/11/2026 (<b>quá hạn 1 ngày</b>)" in text


async def test_base_cell_sees_overdue_report(bot: BotHarness) -> None:
    text = texts(await bot.send(SECRETARY_NTM, "/status"))
    assert "Báo cáo tháng 11/2026 — hạn 20/11/2026 (<b>quá hạn 6 ngày</b>)" in text


async def test_history_shows_recent_months(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    seed_november(db, clock)
    text = texts(await bot.send(SECRETARY, "/history"))
    assert "<b>11/2026</b>: chưa đăng ký; đã sinh hoạt, dự 81,8%, chưa đánh giá" in text
    assert "<b>06/2026</b>" in text


async def test_leader_is_pointed_to_the_digest(bot: BotHarness) -> None:
    assert "/digest" in texts(await bot.send(LEADER, "/status"))
