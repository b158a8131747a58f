"""Invite codes are read only where they are meant: a stranger's text, or `/start CODE`.

A bound user typing a place inside a dialog ("Phong hop so 12 nha A": 16 letters and
digits, like a code) is answering the dialog; a bound user tapping their own link
again is told the account is already linked; neither costs an attempt. The
attempt throttle holds when attempts come at once (on SQLite and PostgreSQL).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.invite_codes import looks_like_code
from domain.roles import Role
from services.clock import ManualClock
from services.invites import Outcome, TelegramUser, Throttle, create_invite, redeem
from storage.db import Database
from storage.models import InviteFailure, MeetingSchedule
from tests.auxil.cast import BY_KEY, NEWCOMER
from tests.auxil.clocks import T0
from tests.auxil.postgres import POSTGRES_URL, postgres_database
from tests.auxil.updates import BotHarness, User, button, texts

SECRETARY = BY_KEY["secretary_a"].user
PLACE = "Phong hop so 12 nha A"


def failures(db: Database, user: User) -> int:
    with db.transaction() as s:
        query = select(func.count()).where(InviteFailure.telegram_user_id == user.id)
        return s.scalar(query) or 0


async def test_a_place_typed_inside_a_dialog_is_the_place_not_an_invite_code(
    cast: Any, bot: BotHarness, db: Database
) -> None:
    assert looks_like_code(PLACE)  # 16 code-like symbols once spaces are dropped
    calls = await bot.send(SECRETARY, "/schedule")
    calls = await bot.press(SECRETARY, button(calls, "Tháng 12/2026"))
    calls = await bot.press(SECRETARY, button(calls, "thường kỳ"))
    calls = await bot.send(SECRETARY, "5/12 14:00")
    assert "địa điểm" in texts(calls)
    calls = await bot.send(SECRETARY, PLACE)
    assert "lặp lại hằng tháng" in texts(calls)  # the dialog took it, and moved on
    calls = await bot.press(SECRETARY, button(calls, "Chỉ tháng này"))
    calls = await bot.press(SECRETARY, button(calls, "Xác nhận"))
    assert failures(db, SECRETARY) == 0
    with db.transaction() as s:
        assert s.scalars(select(MeetingSchedule.place)).all() == [PLACE]


async def test_a_bound_user_typing_a_code_outside_a_dialog_is_pointed_to_start(
    cast: Any, bot: BotHarness, db: Database
) -> None:
    reply = texts(await bot.send(SECRETARY, "ABCD-EFGH-JKMN-PQRS"))
    assert "đã liên kết" in reply and "/start" in reply
    assert failures(db, SECRETARY) == 0


async def test_reusing_ones_own_link_says_already_linked_and_costs_nothing(
    cast: Any, bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    created = create_invite(
        db, role=Role.DEPUTY, unit_code="VPUBND-03", now=clock.now(), ttl=timedelta(1), actor="t"
    )
    assert "Chào mừng" in texts(await bot.send(NEWCOMER, f"/start {created.code}"))
    for _ in range(7):  # more than the throttle allows, had these counted
        again = texts(await bot.send(NEWCOMER, f"/start {created.code}"))
        assert "đã liên kết" in again
    assert failures(db, NEWCOMER) == 0
    # Someone else with the same (used) code is refused, and it counts for them.
    other = User(6201, "Người", "Khác")
    assert "đã được sử dụng" in texts(await bot.send(other, f"/start {created.code}"))
    assert failures(db, other) == 1


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_db_file: Path
) -> Iterator[Database]:
    """An empty migrated database of either backend (the throttle needs no org)."""
    if request.param == "sqlite":
        path = tmp_path / "race.sqlite3"
        path.write_bytes(migrated_db_file.read_bytes())
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set (scripts/test sets it via scripts/postgres)")
    with postgres_database(request.getfixturevalue("postgres_template")) as url:
        database = Database(url)
        yield database
        database.dispose()


def test_the_throttle_holds_when_attempts_come_at_once(any_db: Database) -> None:
    attempts, limit = 12, 5
    start = threading.Barrier(attempts)
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        start.wait()
        result = redeem(
            any_db,
            TelegramUser(NEWCOMER.id, "Đinh Thị Hà"),
            f"ZZZZ-ZZZZ-ZZZZ-{n:04d}",
            now=T0 + timedelta(milliseconds=n),
            throttle=Throttle(limit, timedelta(minutes=30)),
        )
        with lock:
            outcomes.append(result.outcome)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes).count(Outcome.UNKNOWN) == limit
    assert outcomes.count(Outcome.THROTTLED) == attempts - limit
    assert failures(any_db, NEWCOMER) == limit
