from __future__ import annotations

import pytest

from services.clock import ManualClock
from storage.db import Database
from tests.personas import Persona, bind_personas


@pytest.fixture
def cast(db: Database, clock: ManualClock, demo_org: None) -> dict[str, Persona]:
    return bind_personas(db, clock.now())
