"""Restarts and downtime: nothing planned twice, what fell due sent once, stale items dropped."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from domain.policy import Policy, default_policy
from domain.reminder_timing import reminder_slots
from domain.roles import Role
from scheduler.planner import _fold_days, compute_plan, plan_reminders, run_key
from services.clock import ManualClock
from storage.db import Database
from storage.models import PlannerRun
from storage.outbox import enqueue
from tests.auxil.cast import SECRETARY
from tests.scheduler.helpers import Sim, add_person, local, outbox, register, settle_month

BINH = SECRETARY.id


def setup_binh(db: Database, clock: ManualClock) -> None:
    add_person(db, BINH, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now())
    settle_month(db, "2026-12", now=clock.now(), skip=("VPUBND-01",))


async def test_planning_again_adds_nothing(
    sim: Sim, db: Database, clock: ManualClock, policy: Policy
) -> None:
    setup_binh(db, clock)
    register(db, "VPUBND-01", "2026-12", local("2026-12-10 14:00"), now=clock.now())
    clock.set(local("2026-12-22 08:30"))
    assert sim.plan() == 1
    assert sim.plan() == 0  # the run is recorded: the next ticks skip the slot
    # A second instance that missed the run record (or a preview) plans the same keys.
    with db.transaction() as session:
        again = compute_plan(session, clock.now(), policy, respect_runs=False)
        assert enqueue(session, [m.outgoing for m in again.messages], now=clock.now()) == 0
    other = Database(db.url)
    try:
        assert plan_reminders(other, clock.now(), policy) == 0
    finally:
        other.dispose()
    (row,) = outbox(db)
    assert row.dedup_key == "rem:1:2026-12-22:0800" and row.reason == "reminder"
    assert row.period == "2026-12-22T0800"
    with db.transaction() as session:
        keys = set(session.scalars(select(PlannerRun.key)))
    assert keys == {"reminders:0700:2026-12-22", "reminders:0800:2026-12-22"}


async def test_after_downtime_stale_meeting_reminders_are_dropped_and_the_rest_sent_once(
    sim: Sim, db: Database, clock: ManualClock
) -> None:
    setup_binh(db, clock)
    register(db, "VPUBND-01", "2026-12", local("2026-12-23 08:00"), now=clock.now())
    clock.set(local("2026-12-22 08:00"))
    sim.plan()  # the 08:00 deadline reminder is planned …
    clock.set(local("2026-12-22 16:00"))
    sim.plan()  # … and the 16:00 "meeting tomorrow" one; then the process dies unsent.
    assert [r.status for r in outbox(db)] == ["pending", "pending"]

    clock.set(local("2026-12-23 09:00"))  # back the next morning, after the meeting began
    await sim.tick()
    registration, meeting, today_row = outbox(db)
    assert meeting.status == "dropped"  # "tomorrow" went stale at the start of quiet hours
    assert registration.status == "superseded"  # its items travel in today's message
    assert today_row.status == "sent"
    (today,) = sim.bot.take()  # no "meeting today": it started at 08:00
    assert today.when == "2026-12-23 09:00"
    assert "Đăng ký lịch sinh hoạt tháng 01/2027" in today.text
    assert "(còn 2 ngày)" in today.text  # the state of now, not of the missed day
    assert "hôm nay" not in today.text
    await sim.run_until(local("2026-12-23 23:00"))
    assert sim.bot.take() == []


async def test_what_fell_due_while_down_is_sent_once_when_back(
    sim: Sim, db: Database, clock: ManualClock
) -> None:
    setup_binh(db, clock)
    register(db, "VPUBND-01", "2026-12", local("2026-12-10 14:00"), now=clock.now())
    clock.set(local("2026-12-21 12:00"))
    await sim.run_until(local("2026-12-23 12:00"))
    assert [s.when for s in sim.bot.take()] == ["2026-12-22 08:00"]
    # Down from the 23rd at noon until the 26th at 10:00: the T-1 (24th) and due-day
    # (25th) reminders were missed; the 26th is not a reminder day of its own.
    sim.jump(local("2026-12-26 10:00"))
    await sim.run_until(local("2026-12-27 12:00"))
    sent = sim.bot.take()
    assert [s.when for s in sent] == ["2026-12-26 10:00", "2026-12-27 08:00"]
    assert "quá hạn 1 ngày" in sent[0].text and "quá hạn 2 ngày" in sent[1].text


async def test_downtime_ending_in_quiet_hours_waits_for_the_morning(
    sim: Sim, db: Database, clock: ManualClock
) -> None:
    setup_binh(db, clock)
    register(db, "VPUBND-01", "2026-12", local("2026-12-10 14:00"), now=clock.now())
    clock.set(local("2026-12-22 12:00"))
    await sim.run_until(local("2026-12-24 07:30"))
    assert [s.when for s in sim.bot.take()] == ["2026-12-22 12:00"]  # the first run
    sim.jump(local("2026-12-24 22:30"))  # down all day: the 08:00 reminder of the 24th
    await sim.run_until(local("2026-12-25 06:00"))
    assert sim.bot.take() == []  # nothing in the night
    await sim.run_until(local("2026-12-25 12:00"))
    (sent,) = sim.bot.take()  # the 24th's (T-1) folded into the 25th's (due day): once
    assert sent.when == "2026-12-25 08:00" and "hôm nay là hạn cuối" in sent.text


def test_fold_days_cover_missed_runs_within_the_catch_up_window() -> None:
    slot = reminder_slots(default_policy().reminders)[1]
    assert slot.deadlines and slot.name == "0800"
    today = date(2026, 12, 26)
    lookback = [date(2026, 12, 23), date(2026, 12, 24), date(2026, 12, 25)]
    ran = {run_key(slot, date(2026, 12, 23))}
    assert _fold_days(slot, today, lookback, ran) == [*lookback[1:], today]
    assert _fold_days(slot, today, lookback, set()) == [*lookback, today]  # 22/12 is too old
    every_day = {run_key(slot, d) for d in lookback}
    assert _fold_days(slot, today, lookback, every_day) == [today]
    meetings = reminder_slots(default_policy().reminders)[0]
    assert _fold_days(meetings, today, lookback, set()) == [today]  # never caught up
