"""Onboarding through the real Application: invite codes, refusals, expiry, reuse, throttle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain.invite_codes import display
from domain.roles import Role
from services.clock import ManualClock
from services.invites import CreatedInvite, create_invite, revoke_invite
from storage.db import Database
from storage.models import AuditEntry, Invite, Person, RoleAssignment
from tests.auxil.cast import SECRETARY, STRANGER
from tests.auxil.updates import BotHarness, User, texts

pytestmark = pytest.mark.usefixtures("demo_org")


def invite(
    db: Database, clock: ManualClock, role: Role = Role.SECRETARY, unit: str = "VPUBND-01"
) -> CreatedInvite:
    return create_invite(
        db, role=role, unit_code=unit, now=clock.now(), ttl=timedelta(days=14), actor="test"
    )


def people(db: Database) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(Person)) or 0


async def test_stranger_is_refused_politely_and_told_how_to_get_an_invite(
    bot: BotHarness, db: Database
) -> None:
    for text in ("/start", "xin chào", "/whoami", "/help"):
        reply = texts(await bot.send(STRANGER, text))
        assert "chưa được mời" in reply
        assert "mã mời" in reply
    assert people(db) == 0


async def test_start_with_code_binds_role_and_unit(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    created = invite(db, clock)
    reply = texts(await bot.send(SECRETARY, f"/start {created.code}"))
    assert "Chào mừng Trần Thị Bình" in reply
    assert "Bí thư chi bộ" in reply and "Chi bộ Văn phòng" in reply
    with db.transaction() as s:
        assignment = s.scalars(select(RoleAssignment)).one()
        assert (assignment.role, assignment.unit_code) == (Role.SECRETARY, "VPUBND-01")
        assert assignment.person.telegram_user_id == SECRETARY.id
        used = s.get(Invite, created.id)
        assert used is not None and used.used_at == clock.now()
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "redeem")).one()
    whoami = texts(await bot.send(SECRETARY, "/whoami"))
    assert (
        "Bí thư chi bộ: Chi bộ Văn phòng — Đảng bộ cơ quan Văn phòng UBND tỉnh (VPUBND-01)"
        in whoami
    )


async def test_typed_code_with_dashes_spaces_and_lower_case_binds(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    created = invite(db, clock)
    typed = display(created.code).lower().replace("-", " - ")
    assert "Chào mừng" in texts(await bot.send(SECRETARY, typed))


async def test_code_is_single_use(bot: BotHarness, db: Database, clock: ManualClock) -> None:
    created = invite(db, clock)
    await bot.send(SECRETARY, f"/start {created.code}")
    reply = texts(await bot.send(STRANGER, f"/start {created.code}"))
    assert "đã được sử dụng" in reply
    assert "chưa được mời" in texts(await bot.send(STRANGER, "/whoami"))


async def test_expired_code_is_refused(bot: BotHarness, db: Database, clock: ManualClock) -> None:
    created = invite(db, clock)
    clock.advance(timedelta(days=14, seconds=1))
    reply = texts(await bot.send(SECRETARY, f"/start {created.code}"))
    assert "đã hết hạn" in reply
    assert people(db) == 0


async def test_code_still_works_just_before_expiry(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    created = invite(db, clock)
    clock.advance(timedelta(days=13, hours=23))
    assert "Chào mừng" in texts(await bot.send(SECRETARY, f"/start {created.code}"))


async def test_revoked_code_is_refused(bot: BotHarness, db: Database, clock: ManualClock) -> None:
    created = invite(db, clock)
    assert revoke_invite(db, created.id, now=clock.now(), actor="test")
    assert "đã bị thu hồi" in texts(await bot.send(SECRETARY, f"/start {created.code}"))
    assert people(db) == 0


async def test_wrong_codes_are_throttled_even_when_the_right_one_follows(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    created = invite(db, clock)
    replies = [texts(await bot.send(STRANGER, f"/start WRONGCODE{i:07d}")) for i in range(5)]
    assert all("Mã mời không đúng" in r for r in replies)
    assert "còn 4 lần thử" in replies[0]
    assert "hết lượt thử" in replies[4]

    reply = texts(await bot.send(STRANGER, f"/start {created.code}"))
    assert "quá nhiều lần" in reply
    assert people(db) == 0

    clock.advance(timedelta(minutes=31))
    assert "Chào mừng" in texts(await bot.send(STRANGER, f"/start {created.code}"))


async def test_throttle_is_per_user(bot: BotHarness, db: Database, clock: ManualClock) -> None:
    created = invite(db, clock)
    for i in range(6):
        await bot.send(STRANGER, f"/start WRONGCODE{i:07d}")
    assert "Chào mừng" in texts(await bot.send(SECRETARY, f"/start {created.code}"))


async def test_second_invite_adds_a_role(bot: BotHarness, db: Database, clock: ManualClock) -> None:
    await bot.send(SECRETARY, f"/start {invite(db, clock).code}")
    officer = invite(db, clock, Role.CLUSTER_OFFICER, "C2")
    await bot.send(SECRETARY, f"/start {officer.code}")
    whoami = texts(await bot.send(SECRETARY, "/whoami"))
    assert "Bí thư chi bộ" in whoami and "Cán bộ theo dõi cụm: Cụm 2 (C2)" in whoami


async def test_help_lists_only_what_the_role_may_do(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    await bot.send(SECRETARY, f"/start {invite(db, clock).code}")
    reply = texts(await bot.send(SECRETARY, "/help"))
    assert "/whoami" in reply and "/help" in reply
    assert "/subscribe" not in reply and "/digest" not in reply


async def test_names_are_html_escaped(bot: BotHarness, db: Database, clock: ManualClock) -> None:
    sneaky = User(3003, "<b>Sếp</b>", "&")
    reply = texts(await bot.send(sneaky, f"/start {invite(db, clock).code}"))
    assert "&lt;b&gt;Sếp&lt;/b&gt; &amp;" in reply
    assert "<b>Sếp</b>" not in reply


async def test_start_in_a_group_does_not_redeem(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    created = invite(db, clock)
    await bot.send(SECRETARY, f"/start {created.code}", chat_id=-100, chat_type="supergroup")
    assert people(db) == 0


async def test_known_user_typing_nonsense_gets_pointed_to_help(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    await bot.send(SECRETARY, f"/start {invite(db, clock).code}")
    assert "/help" in texts(await bot.send(SECRETARY, "abc xyz"))
