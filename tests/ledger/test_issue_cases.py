"""The four splits found by a new-user run on 01/12/2026, through the real Application.

Each was a place where the secretary and leadership (or the reminders) read a
different "what counts"; each now reads the ledger.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from domain import meeting_record
from domain.localtime import at_local
from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from domain.policy import default_policy
from domain.roles import Role
from services import digest as digest_service
from services import meeting_records, schedules
from services.activity_import import import_activity
from services.actors import load_actor
from services.clock import ManualClock
from storage.db import Database
from tests.auxil.cast import LEADER, SECRETARY, SECRETARY_NTM, SECRETARY_TNMT_01, bind
from tests.auxil.updates import BotHarness, button, texts
from tests.scheduler.helpers import Sim


def morning(day: date) -> datetime:
    return at_local(day, time(9, 0))


@pytest.fixture
def bloc(db: Database, clock: ManualClock, demo_org: None) -> None:
    for user, role, unit in (
        (SECRETARY_TNMT_01, Role.SECRETARY, "TNMT-01"),
        (SECRETARY_NTM, Role.SECRETARY, "NTM"),
        (SECRETARY, Role.SECRETARY, "VPUBND-01"),
        (LEADER, Role.LEADER, "DUK"),
    ):
        bind(db, clock.now(), user, role, unit)


def digest_of(db: Database, day: date) -> dict:  # type: ignore[type-arg]
    return digest_service.build_digest(db, "DUK", day, default_policy()).as_dict()


def overdue_section(text: str) -> str:
    return text.split("<b>Quá hạn</b>", 1)[1].split("\n\n", 1)[0]


@pytest.mark.usefixtures("bloc")
async def test_no_november_record_is_overdue_for_the_secretary_as_for_the_leader(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    """TNMT-01 registered nothing and recorded nothing for November."""
    clock.set(morning(date(2026, 12, 1)))
    overdue = overdue_section(texts(await bot.send(SECRETARY_TNMT_01, "/status")))
    assert "Không có việc nào quá hạn" not in overdue
    assert (
        "Chưa báo cáo kết quả sinh hoạt chi bộ thường kỳ tháng 11/2026 (<b>quá hạn 1 ngày</b>)"
        in overdue
    )
    assert (
        "Đăng ký lịch sinh hoạt tháng 12/2026 — hạn 25/11/2026 (<b>quá hạn 6 ngày</b>)" in overdue
    )
    unit = texts(await bot.send(LEADER, "/unit TNMT-01"))
    assert "tháng 11/2026: Chưa báo cáo kết quả" in unit
    assert "Đăng ký lịch tháng 12/2026: Chưa đăng ký (quá hạn)" in unit
    lists = digest_of(db, date(2026, 12, 1))["lists"]
    assert {"unit": "TNMT-01", "kind": "regular", "status": "unexcused", "recorded": False,
            "reason": None} in lists["meetings_not_held"]  # fmt: skip
    assert any("TNMT-01" in g["units"] for g in lists["not_registered"])


@pytest.mark.usefixtures("bloc")
async def test_reports_overdue_in_status_are_those_report_and_unit_mark(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    """NTM sent its second-quarter report in July and nothing since."""
    csv = "record_type,unit,period,report_type,sent_on\nreport,NTM,2026-Q2,quarterly,10/07/2026\n"
    import_activity(db, csv, now=clock.now(), policy=default_policy())
    clock.set(morning(date(2026, 12, 1)))
    overdue = overdue_section(texts(await bot.send(SECRETARY_NTM, "/status")))
    expected = (
        "Báo cáo sơ kết 6 tháng đầu năm 2026",
        "Báo cáo quý III/2026",
        "Báo cáo tổng kết năm 2026",
        "Báo cáo tháng 11/2026",
    )
    for name in expected:
        assert name in overdue, name
    choices = await bot.send(SECRETARY_NTM, "/report")
    labels = [label for c in choices for label, _ in c.buttons]
    for period in ("sơ kết 6 tháng", "quý III/2026", "tổng kết năm 2026", "tháng 11/2026"):
        (label,) = [x for x in labels if period in x]
        assert label.endswith("(quá hạn)"), label
    await bot.send(SECRETARY_NTM, "hủy")
    unit = texts(await bot.send(LEADER, "/unit NTM"))
    for title in expected:
        line = unit.split(f"• {title}", 1)[1].split("\n")[0]
        assert "Chưa gửi" in line, line
    missing = {
        (r["report_type"], r["period"])
        for r in digest_of(db, date(2026, 12, 1))["lists"]["reports"]
        if r["unit"] == "NTM" and r["status"] == "missing"
    }
    assert missing == {
        ("six_month", "2026-H1"),
        ("quarterly", "2026-Q3"),
        ("annual", "2026"),
        ("monthly", "2026-11"),
    }


@pytest.mark.usefixtures("bloc")
async def test_a_meeting_recorded_early_is_not_reminded(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    """Scheduled for 15/12, held and recorded on 01/12: no "ngày mai" on 14/12, no
    "hôm nay" on 15/12."""
    policy = default_policy()
    actor = load_actor(db, SECRETARY.id)
    assert actor is not None
    request = schedules.ScheduleRequest(
        "VPUBND-01",
        MeetingKind.REGULAR,
        Month(2026, 12),
        at_local(date(2026, 12, 15), time(14, 0)),
        "Phòng họp tầng 2",
    )
    schedules.register_schedule(db, actor, request, now=clock.now(), policy=policy)
    clock.set(at_local(date(2026, 12, 1), time(17, 0)))
    record = meeting_record.RecordInput(
        held=True,
        held_on=date(2026, 12, 1),
        duration_minutes=120,
        present=11,
        total_members=11,
        excused_absent=0,
        minutes_taken=True,
    )
    meeting_records.record_meeting(
        db, actor, "VPUBND-01", MeetingKind.REGULAR, Month(2026, 12), record, now=clock.now(),
        policy=policy,
    )  # fmt: skip
    assert "14:00 15/12/2026" not in texts(await bot.send(SECRETARY, "/status"))
    sim = Sim(db, clock, policy)
    clock.set(at_local(date(2026, 12, 13), time(12, 0)))
    await sim.run_until(
        at_local(
            date(
                2026,
                12,
                15,
            ),
            time(20, 0),
        )
    )
    sent = sim.bot.to(SECRETARY.id)
    assert not [m for m in sent if "ngày mai" in m.text or "hôm nay" in m.text]


@pytest.mark.usefixtures("bloc")
async def test_a_cancelled_meeting_asks_for_a_new_date_in_status_and_reminders(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    await bot.send(SECRETARY, "5/12 14:00")
    calls = await bot.send(SECRETARY, "Phòng họp tầng 2")
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    await bot.press(SECRETARY, button(calls, "Xác nhận"))
    clock.set(morning(date(2026, 12, 2)))
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    calls = await bot.press(SECRETARY, button(calls, "Hủy lịch"))
    calls = await bot.send(SECRETARY, "Trùng đợt công tác của cơ quan")
    calls = await bot.press(SECRETARY, button(calls, "Hủy lịch này"))
    assert "Đã hủy lịch" in texts(calls)

    calls = await bot.send(SECRETARY, "/status")
    text = texts(calls)
    assert "Sinh hoạt chi bộ thường kỳ tháng 12/2026: lịch đã hủy, cần đăng ký ngày mới" in text
    assert "open:schedule:VPUBND-01:2026-12" in [d for c in calls for _, d in c.buttons]

    sim = Sim(db, clock, default_policy())
    await sim.run_until(at_local(date(2026, 12, 3), time(12, 0)))
    (reminder,) = sim.bot.to(SECRETARY.id)
    assert "đã hủy: vui lòng đăng ký ngày mới" in reminder.text
    assert reminder.at == at_local(date(2026, 12, 3), time(8, 0))
