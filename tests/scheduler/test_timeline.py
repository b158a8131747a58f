"""The right reminders at the right local times: a clock walks through days, the jobs run.

The walks are logic over the same SQL as the rest of tests/scheduler, so the longer
ones run on SQLite only (`sqlite_only`); PostgreSQL runs the December walk.

Units and people: VPUBND-01 and VPUBND-02 are sub-cells of VPUBND (cluster C2),
NTM is a base cell in cluster C3 (it sends periodic reports). Every test settles
the months it does not look at, so only the duties under test are due.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from domain.periods import Month
from domain.policy import DEFAULT_POLICY_FILE, Policy, default_policy
from domain.roles import Role
from services import ledger
from services.clock import ManualClock
from storage.db import Database
from storage.models import MeetingRecord, QualityRating
from tests.auxil.cast import DEPUTY, OFFICER_C1, OFFICER_C2, SECRETARY, SECRETARY_NTM
from tests.scheduler.helpers import (
    Sim,
    add_person,
    local,
    record,
    register,
    settle_month,
    submit_all_reports,
)

BINH, CUONG, DUNG = SECRETARY.id, SECRETARY_NTM.id, DEPUTY.id


def days(sent: list[Any]) -> list[str]:
    return [s.when for s in sent]


@pytest.fixture
def binh(db: Database, clock: ManualClock, demo_org: None) -> int:
    return add_person(db, BINH, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now())


async def test_registration_reminders_around_the_end_of_december(
    sim: Sim, db: Database, clock: ManualClock, binh: int
) -> None:
    settle_month(db, "2026-12", now=clock.now())
    clock.set(local("2026-12-21 12:00"))
    await sim.run_until(local("2026-12-30 09:00"))
    mine = sim.bot.to(BINH)
    # Due 25/12: 3 and 1 days before, on the day, then every 2 days; always at 08:00.
    assert days(mine) == [
        "2026-12-22 08:00",
        "2026-12-24 08:00",
        "2026-12-25 08:00",
        "2026-12-27 08:00",
        "2026-12-29 08:00",
    ]
    assert "tháng 01/2027: hạn 25/12/2026 (còn 3 ngày)" in mine[0].text
    assert "(còn 1 ngày)" in mine[1].text
    assert "hôm nay là hạn cuối" in mine[2].text
    assert "quá hạn 2 ngày" in mine[3].text
    assert ("📅 Đăng ký lịch 01/2027", "open:schedule:VPUBND-01:2027-01") in mine[0].buttons
    assert mine[0].buttons[-1][1].startswith("snooze:")
    # Registered on the 30th: nothing more on the 31st.
    register(db, "VPUBND-01", "2027-01", local("2027-01-08 14:00"), now=clock.now())
    await sim.run_until(local("2026-12-31 23:30"))
    assert len(sim.bot.to(BINH)) == 5
    assert sim.bot.sent == mine  # nobody else is bound


def _policy(**changes: Any) -> Policy:
    from importlib import resources

    raw = yaml.safe_load(
        resources.files("domain").joinpath(DEFAULT_POLICY_FILE).read_text(encoding="utf-8")
    )
    for path, value in changes.items():
        node = raw
        *parents, leaf = path.split("__")
        for p in parents:
            node = node[p]
        node[leaf] = value
    return Policy.from_dict(raw)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2027, ["02-25", "02-27", "02-28", "03-02"]),  # not a leap year: due 28/02
        (2028, ["02-26", "02-28", "02-29", "03-02"]),  # leap year: due 29/02
    ],
)
async def test_february_deadlines_on_the_last_day(
    sqlite_only: None,
    db: Database,
    clock: ManualClock,
    demo_org: None,
    year: int,
    expected: list[str],
) -> None:
    """Registration and the monthly report due on "day 31" fall on the last day of February."""
    policy = _policy(
        registration__due_day=31,
        report_types__monthly__due_day=31,
    )
    sim = Sim(db, clock, policy)
    add_person(db, CUONG, "Lê Văn Cường", Role.SECRETARY, "NTM", now=clock.now())
    settle_month(db, f"{year}-02", now=clock.now())
    submit_all_reports(db, "annual", str(year - 1), date(year - 1, 11, 15), clock.now())
    submit_all_reports(db, "monthly", f"{year}-01", date(year, 1, 31), clock.now())
    clock.set(local(f"{year}-02-23 12:00"))
    await sim.run_until(local(f"{year}-03-02 12:00"))
    sent = sim.bot.to(CUONG)
    assert days(sent) == [f"{year}-{d} 08:00" for d in expected]
    last_day = f"{expected[2][3:]}/02/{year}"
    for number, message in enumerate(sent):
        assert f"Đăng ký lịch sinh hoạt tháng 03/{year}: hạn {last_day}" in message.text
        # Reports are reminded 3 days before (not 1): every message but the second.
        report = f"Báo cáo tháng 02/{year}: hạn {last_day}"
        assert (report in message.text) == (number != 1), message.text
    assert "hôm nay là hạn cuối" in sent[2].text


async def test_meeting_day_before_and_morning_of_then_bounded_record_nudges(
    sqlite_only: None, sim: Sim, db: Database, clock: ManualClock, binh: int
) -> None:
    settle_month(db, "2026-12", now=clock.now(), skip=("VPUBND-01",))
    register(db, "VPUBND-01", "2026-12", local("2026-12-05 14:00"), now=clock.now())
    clock.set(local("2026-12-03 12:00"))
    await sim.run_until(local("2026-12-12 23:00"))
    sent = sim.bot.to(BINH)
    assert days(sent) == [
        "2026-12-04 16:00",  # the day before
        "2026-12-05 07:00",  # the morning of
        "2026-12-06 08:00",  # record nudges: 1 day after, then every 2 days, 3 at most
        "2026-12-08 08:00",
        "2026-12-10 08:00",
    ]
    assert "ngày mai, 14:00 05/12/2026, tại Hội trường" in sent[0].text
    assert "hôm nay, 14:00 05/12/2026" in sent[1].text
    assert "Chưa ghi nhận kết quả buổi sinh hoạt chi bộ thường kỳ tháng 12/2026" in sent[2].text
    assert ("📝 Ghi nhận SH thường kỳ 12/2026", "open:record:VPUBND-01:regular:2026-12") in sent[
        2
    ].buttons


async def test_rating_nudges_after_the_record_then_silence_once_rated(
    sim: Sim, db: Database, clock: ManualClock, binh: int
) -> None:
    settle_month(db, "2026-12", now=clock.now(), skip=("VPUBND-01",))
    register(db, "VPUBND-01", "2026-12", local("2026-12-05 14:00"), now=clock.now())
    clock.set(local("2026-12-05 20:00"))
    record(db, "VPUBND-01", "2026-12", now=clock.now(), held_on=date(2026, 12, 5))
    await sim.run_until(local("2026-12-08 12:00"))
    sent = sim.bot.to(BINH)
    assert days(sent) == ["2026-12-06 08:00", "2026-12-08 08:00"]
    assert "Chưa tự đánh giá chất lượng buổi sinh hoạt chi bộ thường kỳ tháng 12/2026" in (
        sent[0].text
    )
    assert any(b[1] == "open:rate:VPUBND-01:regular:2026-12" for b in sent[0].buttons)
    with db.transaction() as s:
        row = s.scalar(select(MeetingRecord).where(MeetingRecord.unit_code == "VPUBND-01"))
        assert row is not None
        s.add(
            QualityRating(record_id=row.id, answers={}, score=80, level="kha", rated_at=clock.now())
        )
        s.flush()
        ledger.refresh_month(s, default_policy(), clock.now(), "VPUBND-01", Month(2026, 12))
    await sim.run_until(local("2026-12-12 12:00"))
    assert len(sim.bot.to(BINH)) == 2  # rated: no third nudge on the 10th


async def test_one_consolidated_message_for_a_secretary_of_two_cells(
    sim: Sim, db: Database, clock: ManualClock, binh: int
) -> None:
    add_person(db, BINH, "Trần Thị Bình", Role.SECRETARY, "VPUBND-02", now=clock.now())
    settle_month(db, "2026-12", now=clock.now())
    clock.set(local("2026-12-21 12:00"))
    await sim.run_until(local("2026-12-22 12:00"))
    (message,) = sim.bot.to(BINH)
    assert "(VPUBND-01)" in message.text and "(VPUBND-02)" in message.text
    assert [b[1] for b in message.buttons[:2]] == [
        "open:schedule:VPUBND-01:2027-01",
        "open:schedule:VPUBND-02:2027-01",
    ]
    assert message.buttons[0][0].endswith("— VPUBND-01")


async def test_away_secretary_is_replaced_by_the_deputy_until_she_is_back(
    sqlite_only: None, sim: Sim, db: Database, clock: ManualClock, binh: int
) -> None:
    settle_month(db, "2026-12", now=clock.now())
    from services.actors import load_actor
    from services.reminders import set_away

    actor = load_actor(db, BINH)
    assert actor is not None
    set_away(db, actor, date(2026, 12, 24), now=clock.now())
    add_person(db, DUNG, "Phạm Thị Dung", Role.DEPUTY, "VPUBND-01", now=clock.now())
    clock.set(local("2026-12-21 12:00"))
    await sim.run_until(local("2026-12-25 12:00"))
    assert days(sim.bot.to(DUNG)) == ["2026-12-22 08:00", "2026-12-24 08:00"]
    assert "Nhắc thay đồng chí Trần Thị Bình (vắng đến 24/12/2026)" in sim.bot.to(DUNG)[0].text
    assert days(sim.bot.to(BINH)) == ["2026-12-25 08:00"]


async def test_escalation_is_one_list_per_cluster_officer(
    sqlite_only: None, sim: Sim, db: Database, clock: ManualClock, binh: int
) -> None:
    giang = OFFICER_C2.id
    add_person(db, giang, "Vũ Thị Giang", Role.CLUSTER_OFFICER, "C2", now=clock.now())
    add_person(db, OFFICER_C1.id, "Hoàng Văn Em", Role.CLUSTER_OFFICER, "C1", now=clock.now())
    settle_month(db, "2026-12", now=clock.now())
    for report_type, period, due in (
        ("monthly", "2026-12", date(2026, 12, 20)),
        ("quarterly", "2026-Q4", date(2026, 12, 15)),
        ("annual", "2026", date(2026, 11, 15)),
    ):
        submit_all_reports(db, report_type, period, due, clock.now())
    register(db, "VPUBND-02", "2027-01", local("2027-01-08 14:00"), now=clock.now())
    clock.set(local("2026-12-26 12:00"))
    await sim.run_until(local("2026-12-29 23:00"))
    to_giang = sim.bot.to(giang)
    # 3 days after the 25/12 deadline, and not again until 7 days later.
    assert days(to_giang) == ["2026-12-28 08:00"]
    text = to_giang[0].text
    assert "Đơn vị quá hạn từ 3 ngày trở lên (43)" in text  # 44 units in C2, one registered
    # Namesakes are told apart by their committee (domain.unit_names).
    assert (
        "Chi bộ Văn phòng — Đảng bộ cơ quan Sở Giao thông vận tải (GTVT-01): "
        "chưa đăng ký lịch tháng 01/2027 (quá hạn 3 ngày)"
    ) in text
    assert "(VPUBND-02)" not in text  # registered: not listed
    assert "… và 23 đơn vị khác: xem /overdue." in text  # cut to fit one Telegram message
    assert len(text) <= 4096
    # The officer of cluster 1 gets the units of cluster 1 only, in one message too.
    to_em = sim.bot.to(OFFICER_C1.id)
    assert days(to_em) == ["2026-12-28 08:00"]
    assert "VPUBND" not in to_em[0].text


async def test_cancelled_meeting_gets_no_meeting_reminder_but_a_call_to_register_anew(
    sqlite_only: None, sim: Sim, db: Database, clock: ManualClock, binh: int
) -> None:
    settle_month(db, "2026-12", now=clock.now(), skip=("VPUBND-01",))
    clock.set(local("2026-12-02 10:00"))
    register(
        db, "VPUBND-01", "2026-12", local("2026-12-05 14:00"), now=clock.now(), status="cancelled"
    )
    await sim.run_until(local("2026-12-07 00:00"))
    sent = sim.bot.to(BINH)
    # The day after the cancellation, and again two days later: never "tomorrow"/"today".
    assert days(sent) == ["2026-12-03 08:00", "2026-12-05 08:00"]
    assert all("ngày mai" not in m.text and "hôm nay" not in m.text for m in sent)
    assert "đã hủy: vui lòng đăng ký ngày mới" in sent[0].text
    assert any(b[1] == "open:schedule:VPUBND-01:2026-12" for b in sent[0].buttons)
