"""The small bloc with a year of facts: one excellent cell, one short of thematic meetings,
one that rates itself Khá, and the rest with nothing recorded."""

from __future__ import annotations

from datetime import date

import pytest

from domain.policy import default_policy
from services import ledger
from services.clock import ManualClock
from services.org import import_org
from storage.db import Database
from tests.auxil.orgs import SMALL_ORG
from tests.grading.year import full_year


@pytest.fixture
def year(db: Database, clock: ManualClock) -> None:
    policy = default_policy()
    import_org(db, SMALL_ORG, now=clock.now(), actor="test", policy=policy)
    with db.transaction() as s:
        full_year(s, "NTM")
        full_year(s, "NOICHINH", skip_thematic=(3,))
        full_year(s, "TNMT-01", level="kha", reports=False)
    ledger.rebuild(db, clock.now(), policy, start=date(2026, 1, 1))
