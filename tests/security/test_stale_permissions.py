"""Permissions that outlive the role: a role taken away or moved stops working.

Checked on every dialog step (the cached actor, forgotten at once when an admin
changes the role in the bot), again by every use-case that writes (the actor
re-read in its own transaction: a change made by the CLI or another instance),
and for digest subscriptions at every planning and every send.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from domain.policy import default_policy
from domain.roles import Role
from scheduler.dispatcher import Dispatcher
from services import people
from services.clock import ManualClock
from services.digest_delivery import plan_weekly_digests
from storage.db import Database
from storage.models import AuditEntry, DialogState, MeetingRecord, OutboxMessage, Person
from tests.auxil.cast import BY_KEY
from tests.auxil.updates import BotHarness, button, texts

SECRETARY = BY_KEY["secretary_a"].user  # VPUBND-01
ADMIN = BY_KEY["admin"].user
LEADER = BY_KEY["leader"].user
GROUP = -1001234
LOST = "không còn phụ trách đơn vị này"


def person_id(db: Database, telegram_user_id: int) -> int:
    with db.transaction() as s:
        found = s.scalar(select(Person.id).where(Person.telegram_user_id == telegram_user_id))
        assert found is not None
        return found


def records(db: Database, unit: str) -> list[MeetingRecord]:
    with db.transaction() as s:
        return list(s.scalars(select(MeetingRecord).where(MeetingRecord.unit_code == unit)))


async def record_up_to_confirm(bot: BotHarness) -> list[Any]:
    """/record of November's regular meeting of VPUBND-01, every answer but the last."""
    calls = await bot.send(SECRETARY, "/record")
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ 11/2026"))
    calls = await bot.press(SECRETARY, button(calls, "Có"))
    calls = await bot.send(SECRETARY, "5/11")
    calls = await bot.press(SECRETARY, button(calls, "120 phút"))
    calls = await bot.press(SECRETARY, button(calls, "Giữ nguyên: 11"))
    calls = await bot.send(SECRETARY, "11")
    calls = await bot.press(SECRETARY, button(calls, "Không có"))
    calls = await bot.press(SECRETARY, button(calls, "Có"))
    assert "Xác nhận" in " ".join(b for c in calls for b, _ in c.buttons)
    return calls


async def test_a_secretary_moved_elsewhere_mid_record_cannot_finish_the_old_units_record(
    cast: Any, bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    calls = await record_up_to_confirm(bot)
    # The office moves her with the CLI (another process: this bot's cache still has her).
    people.move_role(
        db,
        person_id=person_id(db, SECRETARY.id),
        role=Role.SECRETARY,
        from_unit="VPUBND-01",
        to_unit="VPUBND-02",
        now=clock.now(),
        actor="cli:admin",
    )
    reply = texts(await bot.press(SECRETARY, button(calls, "Xác nhận")))
    assert LOST in reply
    assert records(db, "VPUBND-01") == []
    with db.transaction() as s:
        assert s.get(DialogState, SECRETARY.id) is None  # the dialog is over


async def test_an_admin_moving_a_secretary_in_the_bot_stops_her_next_step(
    cast: Any, bot: BotHarness, db: Database
) -> None:
    calls = await bot.send(SECRETARY, "/record")
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ 11/2026"))
    pid = person_id(db, SECRETARY.id)
    listed = texts(await bot.send(ADMIN, "/people VPUBND"))
    assert f"#{pid} " in listed and "VPUBND-01" in listed
    moved = texts(await bot.send(ADMIN, f"/role move {pid} secretary VPUBND-01 VPUBND-02"))
    assert "Đã chuyển vai trò" in moved
    reply = texts(await bot.press(SECRETARY, button(calls, "Có")))
    assert LOST in reply
    # Her new unit works at once: the bot forgot the cached actor.
    whoami = texts(await bot.send(SECRETARY, "/whoami"))
    assert "VPUBND-02" in whoami and "VPUBND-01" not in whoami
    with db.transaction() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "role_assignment")).one()
        assert (entry.action, entry.old_value, entry.new_value) == (
            "move",
            {"role": "secretary", "unit": "VPUBND-01"},
            {"role": "secretary", "unit": "VPUBND-02"},
        )


async def test_a_revoked_person_becomes_a_stranger_and_an_admin_stays_in_bounds(
    cast: Any, bot: BotHarness, db: Database
) -> None:
    pid = person_id(db, SECRETARY.id)
    usage = texts(await bot.send(ADMIN, "/role revoke abc secretary VPUBND-01"))
    assert "/role revoke" in usage
    assert "không giữ vai trò" in texts(await bot.send(ADMIN, f"/role revoke {pid} leader DUK"))
    own = person_id(db, ADMIN.id)
    assert "chibo role" in texts(await bot.send(ADMIN, f"/role revoke {own} admin DUK"))
    done = texts(await bot.send(ADMIN, f"/role revoke {pid} secretary VPUBND-01"))
    assert "Đã thu hồi" in done
    assert "chưa được mời" in texts(await bot.send(SECRETARY, "/status"))


async def test_a_group_subscribed_by_a_leader_who_is_no_longer_one_gets_no_digest(
    cast: Any, bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    reply = texts(await bot.send(LEADER, "/subscribe", chat_id=GROUP, chat_type="group"))
    assert "hằng tuần" in reply or "tuần" in reply
    policy = default_policy()
    monday = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # the digest's moment
    assert plan_weekly_digests(db, monday, policy) > 0
    planned = [r for r in rows(db) if r.chat_id == GROUP]
    assert len(planned) == 3  # summary, XLSX and chart, planned while she is a leader

    people.revoke_role(
        db,
        person_id=person_id(db, LEADER.id),
        role=Role.LEADER,
        unit_code="DUK",
        now=monday,
        actor="cli:admin",
    )
    # At send: the rows planned for the group are dropped, not sent.
    clock.set(monday + timedelta(minutes=1))
    dispatcher = Dispatcher(db, bot.app.bot, clock, policy, respect_quiet_hours=False)
    bot.transport.take()
    while (await dispatcher.dispatch_once()).claimed:
        pass
    sent_to = {int(c.params["chat_id"]) for c in bot.transport.take() if c.params.get("chat_id")}
    assert GROUP not in sent_to
    assert {r.status for r in rows(db) if r.chat_id == GROUP} == {"dropped"}
    # Next week: not planned at all.
    assert plan_weekly_digests(db, monday + timedelta(days=7), policy) > 0
    assert [r for r in rows(db) if r.chat_id == GROUP and r.period.endswith("W50")] == []


def rows(db: Database) -> list[OutboxMessage]:
    with db.transaction() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def cli_env(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    return db


def test_cli_lists_people_and_revokes_and_moves_roles_with_an_audit_trail(
    cast: Any, cli_env: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    db = cli_env
    pid = person_id(db, SECRETARY.id)
    assert main(["person", "list", "--unit", "VPUBND"]) == 0
    listed = capsys.readouterr().out
    assert f"#{pid}\ttg:{SECRETARY.id}\t" in listed and "secretary VPUBND-01" in listed
    assert "DUK" not in listed  # only roles in the subtree
    bad = [
        ["role", "revoke", str(pid), "--role", "secretary", "--unit", "NOPE"],
        ["role", "revoke", "99999", "--role", "secretary", "--unit", "VPUBND-01"],
        ["role", "revoke", str(pid), "--role", "deputy", "--unit", "VPUBND-01"],
        ["role", "move", str(pid), "--role", "secretary", "--from", "VPUBND-01", "--to", "X"],
        ["person", "list", "--unit", "NOPE"],
    ]
    for argv in bad:
        assert main(argv) == 2, argv
    assert main(["role", "move", str(pid), "--role", "secretary", "--from", "VPUBND-01",
                 "--to", "VPUBND-03"]) == 0  # fmt: skip
    assert main(["role", "revoke", str(pid), "--role", "secretary", "--unit", "VPUBND-03"]) == 0
    with db.transaction() as s:
        trail = [
            (e.action, e.actor_label, e.entity_key)
            for e in s.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "role_assignment")
                .order_by(AuditEntry.id)
            )
        ]
    assert trail == [
        ("move", "cli:admin", f"{pid}:secretary:VPUBND-01"),
        ("revoke", "cli:admin", f"{pid}:secretary:VPUBND-03"),
    ]
