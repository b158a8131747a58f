"""Meeting record and quality self-rating through the real Application."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from domain.edit_window import ClosedPeriodError
from domain.meeting_kinds import MeetingKind
from domain.meeting_record import RecordInput
from domain.periods import Month
from domain.policy import default_policy
from services import meeting_records
from services.actors import load_actor
from services.clock import ManualClock
from storage.db import Database
from storage.models import AuditEntry, MeetingRecord, QualityRating, Unit
from tests.auxil.cast import SECRETARY, SECRETARY_NTM
from tests.auxil.updates import BotHarness, User, button, texts

pytestmark = pytest.mark.usefixtures("people")


def records(db: Database) -> list[MeetingRecord]:
    with db.transaction() as s:
        return list(s.scalars(select(MeetingRecord)))


async def open_november_regular(bot: BotHarness) -> list:
    calls = await bot.send(SECRETARY, "/record")
    assert "(chưa ghi nhận)" in " ".join(b for c in calls for b, _ in c.buttons)
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ 11/2026"))
    assert "có được tổ chức không" in texts(calls)
    return calls


async def record_held(bot: BotHarness, present: str = "10") -> list:
    calls = await open_november_regular(bot)
    calls = await bot.press(SECRETARY, button(calls, "Có"))
    assert "ngày" in texts(calls)
    calls = await bot.send(SECRETARY, "5/11")
    calls = await bot.press(SECRETARY, button(calls, "120 phút"))
    calls = await bot.press(SECRETARY, button(calls, "Giữ nguyên: 11"))
    calls = await bot.send(SECRETARY, present)
    if present != "11":
        calls = await bot.press(SECRETARY, button(calls, "1"))
    calls = await bot.send(SECRETARY, "Đ/c Nguyễn Văn A, Ủy viên Ban Thường vụ")
    calls = await bot.press(SECRETARY, button(calls, "Có"))
    return calls


async def test_record_a_held_meeting(bot: BotHarness, db: Database) -> None:
    calls = await record_held(bot)
    summary = texts(calls)
    assert "Dự: 10/11 đảng viên (90,9%), vắng có lý do: 1" in summary
    assert "Ngày: 05/11/2026" in summary and "120 phút" in summary
    calls = await bot.press(SECRETARY, button(calls, "Xác nhận"))
    assert "Đã ghi nhận sinh hoạt chi bộ thường kỳ tháng 11/2026" in texts(calls)
    assert button(calls, "Đánh giá") == "open:rate:VPUBND-01:regular:2026-11"
    (row,) = records(db)
    assert (row.held, row.held_on, row.duration_minutes) == (True, date(2026, 11, 5), 120)
    assert (row.present, row.total_members, row.excused_absent) == (10, 11, 1)
    assert row.higher_attendee == "Đ/c Nguyễn Văn A, Ủy viên Ban Thường vụ"
    assert row.minutes_taken is True
    with db.transaction() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.entity == "meeting_record")).one()


@pytest.mark.parametrize(
    ("step_inputs", "typed", "error"),
    [
        (0, "5/10", "không thuộc tháng 11/2026"),
        (0, "30/11", "chưa tới"),
        (0, "31/11", "không tồn tại"),
        (1, "mười", "Thời lượng chưa đúng"),
        (1, "2000", "từ 1 đến 1440"),
        (2, "0", "từ 1 đến 10000"),
        (3, "12", "từ 0 đến 11"),
        (3, "-1", "số nguyên"),
    ],
)
async def test_bad_record_inputs_are_explained_and_write_nothing(
    bot: BotHarness, db: Database, step_inputs: int, typed: str, error: str
) -> None:
    calls = await open_november_regular(bot)
    await bot.press(SECRETARY, button(calls, "Có"))
    good = ["5/11", "120", "11"][:step_inputs]
    for answer in good:
        await bot.send(SECRETARY, answer)
    reply = texts(await bot.send(SECRETARY, typed))
    assert error in reply
    assert records(db) == []


async def test_excused_absences_cannot_exceed_absences(bot: BotHarness, db: Database) -> None:
    calls = await open_november_regular(bot)
    await bot.press(SECRETARY, button(calls, "Có"))
    for answer in ("5/11", "120", "11", "10"):
        await bot.send(SECRETARY, answer)
    assert "từ 0 đến 1" in texts(await bot.send(SECRETARY, "2"))


async def test_meeting_not_held_with_reason(bot: BotHarness, db: Database) -> None:
    calls = await open_november_regular(bot)
    calls = await bot.press(SECRETARY, button(calls, "Không"))
    calls = await bot.send(SECRETARY, "Đơn vị tập trung phòng chống lụt bão")
    calls = await bot.press(SECRETARY, button(calls, "Có lý do chính đáng"))
    assert "Không tổ chức — có lý do: Đơn vị tập trung phòng chống lụt bão" in texts(calls)
    calls = await bot.press(SECRETARY, button(calls, "Xác nhận"))
    (row,) = records(db)
    assert (row.held, row.not_held_excused) == (False, True)
    assert not any("Đánh giá" in b for c in calls for b, _ in c.buttons)


async def test_changed_member_count_updates_the_unit(bot: BotHarness, db: Database) -> None:
    calls = await open_november_regular(bot)
    await bot.press(SECRETARY, button(calls, "Có"))
    for answer in ("5/11", "90", "13", "13", "-"):
        calls = await bot.send(SECRETARY, answer)
    calls = await bot.press(SECRETARY, button(calls, "Có"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    with db.transaction() as s:
        unit = s.get(Unit, "VPUBND-01")
        assert unit is not None and unit.members == 13
        updates = select(AuditEntry).where(
            AuditEntry.entity == "unit", AuditEntry.action == "update"
        )
        change = s.scalars(updates).one()
        assert (change.old_value, change.new_value) == ({"members": 11}, {"members": 13})


async def test_rate_after_record_with_attendance_prefilled_and_cap(
    bot: BotHarness, db: Database
) -> None:
    calls = await record_held(bot)
    calls = await bot.press(SECRETARY, button(calls, "Xác nhận"))
    calls = await bot.press(SECRETARY, button(calls, "Đánh giá"))
    assert "Tỷ lệ dự: 10/11 (90,9%) → 18/20 điểm" in texts(calls)
    assert "Tiêu chí 1/8" in texts(calls)
    calls = await bot.send(SECRETARY, "11")
    assert "từ 0 đến 10" in texts(calls) and "Tiêu chí 1/8" in texts(calls)
    for criterion in default_policy().rubric.answerable_criteria:
        calls = await bot.press(SECRETARY, button(calls, str(criterion.max_points)))
    review = texts(calls)
    assert "Tổng điểm: <b>98/100</b> — xếp loại <b>Khá</b>" in review
    calls = await bot.press(SECRETARY, button(calls, "Xác nhận"))
    assert "Đã lưu tự đánh giá" in texts(calls)
    with db.transaction() as s:
        rating = s.scalars(select(QualityRating)).one()
        assert (rating.score, rating.level) == (98, "kha")
        assert rating.answers["phat_bieu_thao_luan"] == 15


async def test_full_attendance_and_full_marks_is_tot(bot: BotHarness, db: Database) -> None:
    calls = await record_held(bot, present="11")
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    calls = await bot.send(SECRETARY, "/rate")
    calls = await bot.press(SECRETARY, button(calls, "chưa đánh giá"))
    for criterion in default_policy().rubric.answerable_criteria:
        calls = await bot.send(SECRETARY, str(criterion.max_points))
    assert "<b>100/100</b> — xếp loại <b>Tốt</b>" in texts(calls)


async def test_rate_with_nothing_recorded(bot: BotHarness) -> None:
    assert "Chưa có buổi sinh hoạt nào đã tổ chức" in texts(await bot.send(SECRETARY, "/rate"))


async def test_rate_button_of_another_unit_is_refused(bot: BotHarness, db: Database) -> None:
    calls = await record_held(bot)
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    reply = texts(await bot.press(SECRETARY_NTM, "open:rate:VPUBND-01:regular:2026-11"))
    assert "không thuộc phạm vi" in reply


async def test_button_for_a_closed_month_is_expired(bot: BotHarness) -> None:
    reply = texts(await bot.press(SECRETARY, "open:record:VPUBND-01:regular:2026-09"))
    assert "không còn hiệu lực" in reply
    reply = texts(await bot.press(SECRETARY, "open:record:VPUBND-01:committee:2026-11"))
    assert "không còn hiệu lực" in reply


def test_closed_month_refuses_secretary_edits(db: Database, clock: ManualClock) -> None:
    actor = load_actor(db, SECRETARY.id)
    assert actor is not None
    record = RecordInput(
        held=True,
        held_on=date(2026, 11, 5),
        duration_minutes=90,
        present=9,
        total_members=11,
        excused_absent=2,
        minutes_taken=True,
    )
    clock.advance(timedelta(days=10))  # 6 December: November closed on the 5th
    with pytest.raises(ClosedPeriodError, match="đã khóa sổ từ ngày 05/12/2026"):
        meeting_records.record_meeting(
            db,
            actor,
            "VPUBND-01",
            MeetingKind.REGULAR,
            Month(2026, 11),
            record,
            now=clock.now(),
            policy=default_policy(),
        )
    assert records(db) == []


async def test_only_an_admin_corrects_a_closed_month(
    bot: BotHarness, db: Database, clock: ManualClock, admin: User
) -> None:
    clock.advance(timedelta(days=14))  # 10 December: November closed on the 5th
    calls = await bot.send(SECRETARY, "/record")
    assert not any("11/2026" in b for c in calls for b, _ in c.buttons)
    assert "MÃ_ĐƠN_VỊ" in texts(await bot.send(admin, "/record"))
    calls = await bot.send(admin, "/record VPUBND-01")
    calls = await bot.press(admin, button(calls, "thường kỳ 11/2026"))
    calls = await bot.press(admin, button(calls, "Không"))
    calls = await bot.send(admin, "Bổ sung theo văn bản giải trình")
    calls = await bot.press(admin, button(calls, "Có lý do"))
    calls = await bot.press(admin, button(calls, "Xác nhận"))
    assert "Đã ghi nhận" in texts(calls)
    (row,) = records(db)
    assert (row.month, row.held, row.recorded_by is not None) == ("2026-11", False, True)


async def test_admin_cannot_act_for_an_unknown_unit(bot: BotHarness, admin: User) -> None:
    assert "không thuộc phạm vi" in texts(await bot.send(admin, "/record KHONGCO"))
