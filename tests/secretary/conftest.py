from __future__ import annotations

import pytest

from domain.roles import Role
from services.clock import ManualClock
from storage.db import Database
from tests.auxil.cast import ADMIN, LEADER, SECRETARY, SECRETARY_NTM, SECRETARY_VPUBND, bind
from tests.auxil.updates import User


@pytest.fixture
def people(db: Database, clock: ManualClock, demo_org: None) -> None:
    bind(db, clock.now(), SECRETARY, Role.SECRETARY, "VPUBND-01")
    bind(db, clock.now(), SECRETARY_NTM, Role.SECRETARY, "NTM")
    bind(db, clock.now(), SECRETARY_VPUBND, Role.SECRETARY, "VPUBND")
    bind(db, clock.now(), LEADER, Role.LEADER, "DUK")


@pytest.fixture
def admin(db: Database, clock: ManualClock, people: None) -> User:
    bind(db, clock.now(), ADMIN, Role.ADMIN, "DUK")
    return ADMIN
