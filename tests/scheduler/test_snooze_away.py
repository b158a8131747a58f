"""The snooze button and /away, through the real Application (harness + LocalTransport)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from domain.roles import Role
from services.clock import ManualClock
from storage.db import Database
from storage.models import AuditEntry, Person
from tests.auxil.cast import LEADER, SECRETARY, SECRETARY_NTM
from tests.auxil.updates import BotHarness, texts
from tests.scheduler.helpers import Sim, add_person, local, outbox, settle_month


def snooze_data(sim: Sim) -> str:
    (message,) = sim.bot.take()
    data = message.buttons[-1][1]
    assert data.startswith("snooze:")
    return data


async def test_snooze_brings_the_reminder_back_once(
    bot: BotHarness, sim: Sim, db: Database, clock: ManualClock
) -> None:
    add_person(db, SECRETARY.id, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now())
    settle_month(db, "2026-12", now=clock.now())
    clock.set(local("2026-12-22 08:00"))
    await sim.tick()
    data = snooze_data(sim)
    clock.set(local("2026-12-22 08:20"))

    reply = texts(await bot.press(SECRETARY, data))
    assert "Đã hẹn: bot sẽ nhắc lại lúc 10:20 22/12/2026." in reply
    original, copy = outbox(db)
    assert copy.dedup_key == original.dedup_key + ":snooze"
    assert copy.not_before == local("2026-12-22 10:20") and copy.text == original.text

    again = texts(await bot.press(SECRETARY, data))  # a second press: nothing new, and it says so
    assert "đã được hẹn nhắc lại lúc 10:20 22/12/2026" in again
    assert len(outbox(db)) == 2

    clock.set(local("2026-12-22 10:00"))
    await sim.dispatch()
    assert sim.bot.take() == []
    clock.set(local("2026-12-22 10:20"))
    await sim.dispatch()
    (back,) = sim.bot.take()
    assert back.chat_id == SECRETARY.id and "tháng 01/2027" in back.text
    assert back.buttons[-1][1] == f"snooze:{copy.id}"  # the copy can be snoozed in turn


async def test_snoozed_into_the_night_comes_back_in_the_morning(
    bot: BotHarness, sim: Sim, db: Database, clock: ManualClock
) -> None:
    add_person(db, SECRETARY.id, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now())
    settle_month(db, "2026-12", now=clock.now())
    clock.set(local("2026-12-22 16:00"))
    await sim.tick()
    data = snooze_data(sim)
    clock.set(local("2026-12-22 20:30"))
    # The reminder would expire at 21:00 (quiet hours): snoozing past that is refused.
    assert "Không hẹn lại được" in texts(await bot.press(SECRETARY, data))


async def test_snooze_of_a_morning_meeting_reminder_into_quiet_hours_is_held_until_7(
    bot: BotHarness, db: Database, clock: ManualClock, sim: Sim
) -> None:
    from storage.outbox import Outgoing, enqueue

    person = add_person(
        db, SECRETARY.id, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now()
    )
    clock.set(local("2026-12-22 20:10"))
    with db.transaction() as s:
        enqueue(
            s,
            [
                Outgoing(
                    dedup_key="digest:x",
                    chat_id=SECRETARY.id,
                    person_id=person,
                    reason="test",
                    period="p",
                    text="Tổng hợp",
                    not_before=clock.now(),
                )
            ],
            now=clock.now(),
        )
    (row,) = outbox(db)
    reply = texts(await bot.press(SECRETARY, f"snooze:{row.id}"))
    # 20:10 + 2 h = 22:10, inside quiet hours (21:00–07:00): held until 07:00.
    assert "nhắc lại lúc 07:00 23/12/2026" in reply
    assert outbox(db)[1].not_before == local("2026-12-23 07:00")


async def test_nobody_can_snooze_someone_elses_reminder(
    bot: BotHarness, sim: Sim, db: Database, clock: ManualClock
) -> None:
    add_person(db, SECRETARY.id, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now())
    add_person(db, SECRETARY_NTM.id, "Lê Văn Cường", Role.SECRETARY, "NTM", now=clock.now())
    settle_month(db, "2026-12", now=clock.now())
    clock.set(local("2026-12-22 08:00"))
    await sim.tick()
    binh_row = next(r for r in outbox(db) if r.chat_id == SECRETARY.id)
    assert "Không tìm thấy tin nhắc này" in texts(
        await bot.press(SECRETARY_NTM, f"snooze:{binh_row.id}")
    )
    assert "Không tìm thấy" in texts(await bot.press(SECRETARY_NTM, "snooze:abc"))
    assert all(not r.dedup_key.endswith(":snooze") for r in outbox(db))


async def test_away_command_sets_shows_and_clears_the_date(
    bot: BotHarness, db: Database, clock: ManualClock, demo_org: None
) -> None:
    person = add_person(
        db, SECRETARY.id, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now()
    )
    clock.set(local("2026-12-20 10:00"))

    def away_until() -> date | None:
        with db.transaction() as s:
            return s.get(Person, person).away_until  # type: ignore[union-attr]

    assert "<code>/away 28/12</code>" in texts(await bot.send(SECRETARY, "/away"))
    reply = texts(await bot.send(SECRETARY, "/away 30/12"))
    assert "vắng đến hết ngày <b>30/12/2026</b>" in reply
    assert away_until() == date(2026, 12, 30)
    assert "đang ở chế độ vắng đến hết ngày <b>30/12/2026</b>" in texts(
        await bot.send(SECRETARY, "/away")
    )
    assert "đã qua" in texts(await bot.send(SECRETARY, "/away 1/12/2026"))  # the past is refused
    assert "xa quá" in texts(await bot.send(SECRETARY, "/away 1/12/2027"))  # at most 180 days
    assert "trở lại" in texts(await bot.send(SECRETARY, "/away off"))
    assert away_until() is None
    with db.transaction() as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "person.away_until")
        ).all()
        assert [(e.old_value, e.new_value) for e in entries] == [
            ({"away_until": None}, {"away_until": "2026-12-30"}),
            ({"away_until": "2026-12-30"}, {"away_until": None}),
        ]


async def test_a_leader_may_not_use_away(
    bot: BotHarness, db: Database, clock: ManualClock, demo_org: None
) -> None:
    add_person(db, LEADER.id, "Nguyễn Quốc Hùng", Role.LEADER, "DUK", now=clock.now())
    reply = texts(await bot.send(LEADER, "/away 30/12"))
    assert "vai trò của bạn không dùng được chức năng này" in reply
