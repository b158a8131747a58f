"""Schedule registration through the real Application, step by step, with buttons and text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from domain.policy import default_policy
from services.clock import ManualClock
from storage.db import Database
from storage.models import AuditEntry, MeetingSchedule, StandingSchedule
from tests.auxil.cast import LEADER, SECRETARY, SECRETARY_NTM, SECRETARY_VPUBND
from tests.auxil.updates import BotHarness, button, texts

pytestmark = pytest.mark.usefixtures("people")


def schedules(db: Database) -> list[MeetingSchedule]:
    with db.transaction() as s:
        return list(s.scalars(select(MeetingSchedule).order_by(MeetingSchedule.month)))


async def register_december(bot: BotHarness, place: str = "Phòng họp tầng 2") -> list:
    calls = await bot.send(SECRETARY, "/schedule")
    assert "tháng nào" in texts(calls)
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    assert "Đăng ký lịch sinh hoạt tháng 12/2026" in texts(calls)
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    assert "ngày giờ" in texts(calls)
    calls = await bot.send(SECRETARY, "5/12 14:00")
    assert "địa điểm" in texts(calls)
    return await bot.send(SECRETARY, place)


async def test_register_with_recurrence_fills_next_month(bot: BotHarness, db: Database) -> None:
    calls = await register_december(bot)
    calls = await bot.press(SECRETARY, button(calls, "ngày 5 hằng tháng"))
    summary = texts(calls)
    assert "14:00 05/12/2026" in summary and "Phòng họp tầng 2" in summary
    calls = await bot.press(SECRETARY, button(calls, "Xác nhận"))
    assert "Đã đăng ký lịch sinh hoạt chi bộ thường kỳ tháng 12/2026: 14:00 05/12/2026" in texts(
        calls
    )
    rows = schedules(db)
    assert [(r.month, r.source) for r in rows] == [("2026-12", "manual"), ("2027-01", "recurrence")]
    assert rows[0].planned_at == datetime(2026, 12, 5, 7, 0, tzinfo=UTC)
    assert rows[1].planned_at == datetime(2027, 1, 5, 7, 0, tzinfo=UTC)
    with db.transaction() as s:
        standing = s.scalars(select(StandingSchedule)).one()
        assert (standing.rule, standing.local_time) == ("day:5", "14:00")
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.entity == "meeting_schedule")
            )
            == 2
        )


async def test_confirm_pressed_twice_saves_once_and_says_so(bot: BotHarness, db: Database) -> None:
    calls = await register_december(bot)
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    confirm = button(calls, "Xác nhận")
    await bot.press(SECRETARY, confirm)
    again = await bot.press(SECRETARY, confirm)
    assert "đã cũ hoặc đã được bấm" in texts(again)
    assert len(schedules(db)) == 1


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("31/12/2026 25:00", "giờ"),
        ("30/02 14:00", "không tồn tại"),
        ("5/1/2027 14:00", "không thuộc tháng 12/2026"),
        ("hôm nào đó 14h", "Chưa hiểu"),
    ],
)
async def test_bad_dates_are_explained_and_change_nothing(
    bot: BotHarness, db: Database, typed: str, error: str
) -> None:
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    reply = texts(await bot.send(SECRETARY, typed))
    assert error in reply
    assert "ngày giờ" in reply  # asked again
    assert schedules(db) == []


async def test_past_time_this_month_is_refused(bot: BotHarness, db: Database) -> None:
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 11/2026"))
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    reply = texts(await bot.send(SECRETARY, "20/11 14:00"))
    assert "đã qua" in reply
    assert schedules(db) == []


async def test_weekday_phrase_is_understood(bot: BotHarness, db: Database) -> None:
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    await bot.send(SECRETARY, "thứ 3 tuần đầu 14h")
    calls = await bot.send(SECRETARY, "Hội trường")
    button(calls, "Lặp lại: thứ Ba tuần đầu tiên hằng tháng")  # offered, derived from 01/12
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    # The first Tuesday of December 2026 is the 1st.
    assert schedules(db)[0].planned_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


async def test_reschedule_needs_a_reason_and_is_audited(bot: BotHarness, db: Database) -> None:
    calls = await register_december(bot)
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))

    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    assert "đã đăng ký 14:00 05/12" in " ".join(b for c in calls for b, _ in c.buttons)
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    calls = await bot.press(SECRETARY, button(calls, "Đổi lịch"))
    await bot.send(SECRETARY, "8/12 8h")
    calls = await bot.send(SECRETARY, "Phòng họp tầng 2")
    assert "lý do đổi lịch" in texts(calls)
    calls = await bot.send(SECRETARY, "Trùng lịch họp cơ quan")
    calls = await bot.press(SECRETARY, button(calls, "Xác nhận"))
    assert "Đã đổi lịch" in texts(calls)
    row = schedules(db)[0]
    assert row.planned_at == datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
    assert row.cancel_reason == "Trùng lịch họp cơ quan"
    with db.transaction() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "reschedule")).one()
        assert entry.old_value is not None and entry.new_value is not None
        assert entry.old_value["planned_at"] != entry.new_value["planned_at"]


async def test_cancel_with_reason(bot: BotHarness, db: Database) -> None:
    calls = await register_december(bot)
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    calls = await bot.press(SECRETARY, button(calls, "Hủy lịch"))
    assert [label for c in calls for label, _ in c.buttons][-1] == "↩️ Giữ nguyên lịch"
    calls = await bot.send(SECRETARY, "Đơn vị đi công tác")
    # Nothing is cancelled until the cancellation itself is confirmed.
    assert "Hủy lịch sinh hoạt?" in texts(calls) and "14:00 05/12/2026" in texts(calls)
    assert [label for c in calls for label, _ in c.buttons] == [
        "🚫 Hủy lịch này",
        "↩️ Giữ nguyên lịch",
    ]
    assert schedules(db)[0].status == "planned"
    calls = await bot.press(SECRETARY, button(calls, "Hủy lịch này"))
    assert "Đã hủy lịch" in texts(calls)
    assert schedules(db)[0].status == "cancelled"
    assert schedules(db)[0].status == "cancelled"


async def test_leaving_at_the_cancel_confirmation_keeps_the_meeting(
    bot: BotHarness, db: Database
) -> None:
    calls = await register_december(bot)
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    calls = await bot.press(SECRETARY, button(calls, "Hủy lịch"))
    calls = await bot.send(SECRETARY, "Đi công tác")
    calls = await bot.press(SECRETARY, button(calls, "Giữ nguyên lịch"))
    assert "Đã thoát. Không có gì thay đổi." in texts(calls)
    assert schedules(db)[0].status == "planned"


async def test_cancel_button_leaves_nothing(bot: BotHarness, db: Database) -> None:
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Hủy"))
    assert "Đã thoát. Không có gì thay đổi." in texts(calls)
    assert "chưa hiểu" in texts(await bot.send(SECRETARY, "5/12 14:00"))
    assert schedules(db) == []


async def test_committee_secretary_registers_committee_meeting(bot: BotHarness) -> None:
    calls = await bot.send(SECRETARY_VPUBND, "/schedule")
    calls = await bot.press(SECRETARY_VPUBND, button(calls, "Tháng 12/2026"))
    labels = [b for c in calls for b, _ in c.buttons]
    assert any("cấp ủy" in b for b in labels)
    assert not any("thường kỳ" in b for b in labels)


async def test_leader_cannot_register(bot: BotHarness) -> None:
    assert "không dùng được chức năng này" in texts(await bot.send(LEADER, "/schedule"))


async def test_button_for_another_units_schedule_is_refused(bot: BotHarness, db: Database) -> None:
    calls = await bot.press(SECRETARY_NTM, "open:schedule:VPUBND-01:2026-12")
    assert "không thuộc phạm vi" in texts(calls)
    own = await bot.press(SECRETARY_NTM, "open:schedule:NTM:2026-12")
    assert "Đăng ký lịch sinh hoạt tháng 12/2026" in texts(own)


async def test_forged_dialog_button_is_stale(bot: BotHarness, db: Database) -> None:
    await bot.send(SECRETARY, "/schedule")
    assert "đã cũ" in texts(await bot.press(SECRETARY, "d:deadbeef:0"))


async def test_dialog_survives_a_restart(
    bot: BotHarness, db: Database, clock: ManualClock, settings
) -> None:  # type: ignore[no-untyped-def]
    from bot.app import build_application
    from bot.transport import LocalTransport
    from services.deps import Deps
    from tests.auxil.updates import BotHarness as Harness

    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    await bot.press(SECRETARY, button(calls, "thường kỳ"))
    await bot.app.shutdown()

    transport = LocalTransport()
    fresh = build_application(Deps(settings, db, clock), request=transport, rate_limited=False)
    async with fresh:
        again = Harness(fresh, transport)
        assert "địa điểm" in texts(await again.send(SECRETARY, "5/12 14:00"))
    await bot.app.initialize()


async def test_standing_rule_fills_later_months_but_not_a_cancelled_one(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    from domain.periods import Month
    from services.schedules import fill_from_standing

    calls = await register_december(bot)
    calls = await bot.press(SECRETARY, button(calls, "ngày 5 hằng tháng"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    assert fill_from_standing(db, Month(2027, 2), now=clock.now(), policy=default_policy()) == 1
    assert fill_from_standing(db, Month(2027, 2), now=clock.now(), policy=default_policy()) == 0
    feb = [r for r in schedules(db) if r.month == "2027-02"]
    assert [(r.source, r.planned_at) for r in feb] == [
        ("recurrence", datetime(2027, 2, 5, 7, 0, tzinfo=UTC))
    ]
    with db.transaction() as s:
        s.execute(
            MeetingSchedule.__table__.update()
            .where(MeetingSchedule.month == "2027-02")
            .values(status="cancelled")
        )
    assert fill_from_standing(db, Month(2027, 2), now=clock.now(), policy=default_policy()) == 0
