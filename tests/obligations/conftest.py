"""The small bloc (tests.orgs.SMALL_ORG) with a leader, an admin of cluster 1, the officer
of cluster 1 and a secretary for each base organisation and one sub-cell."""

from __future__ import annotations

import pytest

from domain.policy import default_policy
from domain.roles import Role
from services.clock import ManualClock
from services.org import import_org
from storage.db import Database
from tests.auxil.cast import (
    ADMIN_C1,
    LEADER,
    OFFICER_C1,
    SECRETARY_NOICHINH,
    SECRETARY_NTM,
    SECRETARY_TAICHINH,
    SECRETARY_TNMT,
    SECRETARY_TNMT_01,
    bind,
)
from tests.auxil.orgs import SMALL_ORG


@pytest.fixture
def small_bloc(db: Database, clock: ManualClock) -> None:
    import_org(db, SMALL_ORG, now=clock.now(), actor="test", policy=default_policy())
    for user, role, unit in (
        (LEADER, Role.LEADER, "DUK"),
        (ADMIN_C1, Role.ADMIN, "C1"),
        (OFFICER_C1, Role.CLUSTER_OFFICER, "C1"),
        (SECRETARY_TNMT, Role.SECRETARY, "TNMT"),
        (SECRETARY_NTM, Role.SECRETARY, "NTM"),
        (SECRETARY_TAICHINH, Role.SECRETARY, "TAICHINH"),
        (SECRETARY_NOICHINH, Role.SECRETARY, "NOICHINH"),
        (SECRETARY_TNMT_01, Role.SECRETARY, "TNMT-01"),
    ):
        bind(db, clock.now(), user, role, unit)
