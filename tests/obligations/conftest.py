"""The small bloc (tests.orgs.SMALL_ORG) with a leader, an admin of cluster 1, the officer
of cluster 1 and a secretary for each base organisation and one sub-cell."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.policy import default_policy
from domain.roles import Role
from services.clock import ManualClock
from services.org import import_org
from storage.db import Database
from storage.models import LedgerEntry, OutboxMessage
from tests.harness import User
from tests.orgs import SMALL_ORG
from tests.secretary.conftest import bind

LEADER = User(6001, "Nguyễn Quốc", "Hùng")
C1_ADMIN = User(6002, "Văn phòng", "Cụm 1")
OFFICER = User(6003, "Hoàng Thị", "Lan")  # cán bộ theo dõi Cụm 1
TNMT = User(6011, "Phạm Minh", "Dũng")  # Bí thư Đảng ủy cơ quan Sở TN&MT (C1)
NTM = User(6012, "Lê Văn", "Cường")  # Bí thư Chi bộ Ban Xây dựng NTM (C1)
TAICHINH = User(6013, "Đỗ Thu", "Hà")  # C2
NOICHINH = User(6014, "Vũ Đức", "Minh")  # C2
TNMT_01 = User(6015, "Trần Thị", "Bình")  # a sub-cell of TNMT


@pytest.fixture
def small_bloc(db: Database, clock: ManualClock) -> None:
    import_org(db, SMALL_ORG, now=clock.now(), actor="test", policy=default_policy())
    for user, role, unit in (
        (LEADER, Role.LEADER, "DUK"),
        (C1_ADMIN, Role.ADMIN, "C1"),
        (OFFICER, Role.CLUSTER_OFFICER, "C1"),
        (TNMT, Role.SECRETARY, "TNMT"),
        (NTM, Role.SECRETARY, "NTM"),
        (TAICHINH, Role.SECRETARY, "TAICHINH"),
        (NOICHINH, Role.SECRETARY, "NOICHINH"),
        (TNMT_01, Role.SECRETARY, "TNMT-01"),
    ):
        bind(db, clock, user, role, unit)


def ledger_of(db: Database, kind: str) -> dict[str, tuple[str, str | None]]:
    """unit → (resolution, done_on) of the obligations of one kind."""
    with db.transaction() as s:
        rows = s.execute(
            select(LedgerEntry.unit_code, LedgerEntry.resolution, LedgerEntry.done_on).where(
                LedgerEntry.kind == kind
            )
        )
        return {code: (res, done.isoformat() if done else None) for code, res, done in rows}


def outbox(db: Database, reason: str) -> list[OutboxMessage]:
    with db.transaction() as s:
        found = list(s.scalars(select(OutboxMessage).where(OutboxMessage.reason == reason)))
        for row in found:
            s.expunge(row)
        return found
