from __future__ import annotations

from datetime import timedelta

import pytest

from domain.roles import Role
from services.clock import ManualClock
from services.invites import TelegramUser, Throttle, create_invite, redeem
from storage.db import Database
from tests.harness import User

SECRETARY = User(5001, "Trần Thị", "Bình")  # Chi bộ Văn phòng, Đảng bộ VPUBND
OTHER_SECRETARY = User(5002, "Lê Văn", "Cường")  # Chi bộ Ban Xây dựng nông thôn mới
COMMITTEE_SECRETARY = User(5003, "Phạm Minh", "Dũng")  # Đảng bộ cơ quan VPUBND
LEADER = User(5005, "Nguyễn Quốc", "Hùng")


def bind(db: Database, clock: ManualClock, user: User, role: Role, unit: str) -> None:
    invite = create_invite(
        db, role=role, unit_code=unit, now=clock.now(), ttl=timedelta(days=14), actor="test"
    )
    result = redeem(
        db,
        TelegramUser(user.id, f"{user.first_name} {user.last_name}"),
        invite.code,
        now=clock.now(),
        throttle=Throttle(5, timedelta(minutes=30)),
    )
    assert result.role == role


@pytest.fixture
def people(db: Database, clock: ManualClock, demo_org: None) -> None:
    bind(db, clock, SECRETARY, Role.SECRETARY, "VPUBND-01")
    bind(db, clock, OTHER_SECRETARY, Role.SECRETARY, "NTM")
    bind(db, clock, COMMITTEE_SECRETARY, Role.SECRETARY, "VPUBND")
    bind(db, clock, LEADER, Role.LEADER, "DUK")


ADMIN = User(5006, "Văn phòng", "Khối")


@pytest.fixture
def admin(db: Database, clock: ManualClock, people: None) -> User:
    bind(db, clock, ADMIN, Role.ADMIN, "DUK")
    return ADMIN
