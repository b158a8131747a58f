"""/away says who will be reminded meanwhile, and the planner does exactly that.

Through the real Application (process_update) for /away, then the scheduler's jobs on
a walking clock (tests/scheduler/helpers.Sim) for what is sent. VPUBND-01 is a
sub-cell of VPUBND in cluster C2; its registration for January is due 25/12.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from domain.roles import Role
from services.clock import ManualClock
from storage.db import Database
from storage.models import OutboxMessage
from tests.auxil.cast import DEPUTY, OFFICER_C1, OFFICER_C2, SECRETARY
from tests.auxil.updates import BotHarness, texts
from tests.scheduler.helpers import Sim, add_person, local, settle_month

DUNG = DEPUTY.id  # deputy of VPUBND-01 here
GIANG = OFFICER_C2.id


def days(sent: list) -> list[str]:
    return [s.when for s in sent]


def notices(db: Database) -> list[OutboxMessage]:
    with db.transaction() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.reason == "away_notice")))


async def test_without_a_deputy_the_secretary_is_still_reminded_and_the_officer_told(
    bot: BotHarness, sim: Sim, db: Database, clock: ManualClock
) -> None:
    add_person(db, SECRETARY.id, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now())
    add_person(db, GIANG, "Vũ Thị Giang", Role.CLUSTER_OFFICER, "C2", now=clock.now())
    settle_month(db, "2026-12", now=clock.now())
    clock.set(local("2026-12-21 10:00"))

    reply = texts(await bot.send(SECRETARY, "/away 24/12"))
    assert "vắng đến hết ngày <b>24/12/2026</b>" in reply
    assert (
        "Chi bộ Văn phòng — Đảng bộ cơ quan Văn phòng UBND tỉnh (VPUBND-01): chưa có phó bí thư "
        "nào dùng bot để nhắc thay, nên bot <b>vẫn nhắc việc đồng chí</b>; "
        "đã báo cán bộ theo dõi cụm (Vũ Thị Giang)."
    ) in reply
    (notice,) = notices(db)
    assert notice.chat_id == GIANG
    assert "Trần Thị Bình</b>, bí thư chi bộ Chi bộ Văn phòng" in notice.text
    assert "vẫn nhắc việc đồng chí Trần Thị Bình" in notice.text
    texts(await bot.send(SECRETARY, "/away 24/12"))  # said twice: told once
    assert len(notices(db)) == 1

    await sim.run_until(local("2026-12-25 12:00"))
    # What /away said: the registration reminders still come to her (22/12 and 24/12)…
    assert days(sim.bot.to(SECRETARY.id))[:2] == ["2026-12-22 08:00", "2026-12-24 08:00"]
    # …and the officer got the notice, at once.
    assert any("báo vắng đến hết ngày <b>24/12/2026</b>" in s.text for s in sim.bot.to(GIANG))


async def test_with_a_deputy_the_reply_names_who_is_reminded(
    bot: BotHarness, sim: Sim, db: Database, clock: ManualClock
) -> None:
    add_person(db, SECRETARY.id, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now())
    add_person(db, DUNG, "Phạm Thị Dung", Role.DEPUTY, "VPUBND-01", now=clock.now())
    add_person(db, GIANG, "Vũ Thị Giang", Role.CLUSTER_OFFICER, "C2", now=clock.now())
    settle_month(db, "2026-12", now=clock.now())
    clock.set(local("2026-12-21 10:00"))

    reply = texts(await bot.send(SECRETARY, "/away 24/12"))
    assert "bot nhắc việc đồng chí Phạm Thị Dung thay đồng chí." in reply
    assert notices(db) == []  # someone stands in: nothing to tell the officer
    shown = texts(await bot.send(SECRETARY, "/away"))
    assert "đang ở chế độ vắng" in shown and "Phạm Thị Dung" in shown

    await sim.run_until(local("2026-12-25 12:00"))
    assert days(sim.bot.to(DUNG)) == ["2026-12-22 08:00", "2026-12-24 08:00"]
    assert days(sim.bot.to(SECRETARY.id)) == ["2026-12-25 08:00"]


async def test_a_cluster_officer_away_still_gets_the_list_when_nobody_else_would(
    bot: BotHarness, db: Database, clock: ManualClock, demo_org: None
) -> None:
    add_person(db, GIANG, "Vũ Thị Giang", Role.CLUSTER_OFFICER, "C2", now=clock.now())
    reply = texts(await bot.send(OFFICER_C2, "/away 30/11"))
    assert "Cụm 2: không có cán bộ theo dõi cụm nào khác dùng bot" in reply
    add_person(db, OFFICER_C1.id, "Hoàng Văn Em", Role.CLUSTER_OFFICER, "C2", now=clock.now())
    reply = texts(await bot.send(OFFICER_C2, "/away 30/11"))
    assert "Cụm 2: danh sách đơn vị quá hạn gửi cho đồng chí Hoàng Văn Em." in reply


async def test_away_off_in_other_words_and_past_dates_with_examples_that_work(
    bot: BotHarness, db: Database, clock: ManualClock, demo_org: None
) -> None:
    add_person(db, SECRETARY.id, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now())
    for off in ("hủy", "huy", "Tắt", "đã về"):
        await bot.send(SECRETARY, "/away 30/11")
        assert "Chào mừng đồng chí trở lại" in texts(await bot.send(SECRETARY, f"/away {off}")), off

    reply = texts(await bot.send(SECRETARY, "/away 1/1/2020"))  # today is 26/11/2026
    assert "Ngày 01/01/2020 đã qua" in reply
    examples = away_examples(reply)
    assert examples == ["3/12", "thứ 3 tuần sau"]  # days ahead, not in the past
    for example in examples:
        assert "vắng đến hết ngày" in texts(await bot.send(SECRETARY, f"/away {example}")), example
    for typed in ("abc", "20/11"):
        for example in away_examples(texts(await bot.send(SECRETARY, f"/away {typed}"))):
            assert "vắng đến hết ngày" in texts(await bot.send(SECRETARY, f"/away {example}")), (
                example
            )


def away_examples(reply: str) -> list[str]:
    return [e for e in re.findall(r"<code>/away ([^<]+)</code>", reply) if e != "off"]
