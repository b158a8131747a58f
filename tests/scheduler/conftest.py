from __future__ import annotations

import pytest

from domain.policy import Policy, default_policy
from services.clock import ManualClock
from storage.db import Database
from tests.scheduler.helpers import Sim


@pytest.fixture
def policy() -> Policy:
    return default_policy()


@pytest.fixture
def sim(db: Database, clock: ManualClock, policy: Policy, demo_org: None) -> Sim:
    return Sim(db, clock, policy)


@pytest.fixture
def sqlite_only(backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite only: the PostgreSQL run covers the same SQL in shorter tests")
