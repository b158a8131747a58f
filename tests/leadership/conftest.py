"""A small bloc with a hand-checked month of activity (November 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.policy import default_policy
from domain.roles import Role
from services import ledger
from services.clock import ManualClock
from services.org import import_org
from storage.db import Database
from tests.auxil.orgs import SMALL_ORG
from tests.leadership.seed import C, R, T, person, record, report, schedule, utc


@pytest.fixture
def small_org(db: Database, clock: ManualClock) -> None:
    import_org(db, SMALL_ORG, now=clock.now(), actor="test", policy=default_policy())


@pytest.fixture
def seeded(db: Database, small_org: None, clock: ManualClock) -> None:
    """November 2026 in the small bloc; every number in test_digest_json is derived from this."""
    with db.transaction() as s:
        # December schedules (due 25/11 local). 16:00Z = 23:00 local (on time); 18:00Z = next day.
        schedule(s, "TNMT-01", R, "2026-12", utc(2026, 11, 20, 2))
        schedule(s, "TNMT-02", R, "2026-12", utc(2026, 11, 27, 2))
        schedule(s, "TNMT", C, "2026-12", utc(2026, 11, 24, 2))
        schedule(s, "NTM", R, "2026-12", utc(2026, 11, 25, 16))
        schedule(s, "TAICHINH-01", R, "2026-12", utc(2026, 11, 25, 18))
        schedule(s, "TAICHINH-02", T, "2026-12", utc(2026, 11, 20, 2))  # thematic only: not enough
        # November schedules (due 25/10): all on time except NOICHINH, late.
        for unit, kind in (
            ("TNMT", C),
            ("TNMT-01", R),
            ("TNMT-02", R),
            ("TNMT-03", R),
            ("NTM", R),
            ("TAICHINH", C),
            ("TAICHINH-01", R),
            ("TAICHINH-02", R),
        ):
            schedule(s, unit, kind, "2026-11", utc(2026, 10, 20, 2))
        schedule(s, "NOICHINH", R, "2026-11", utc(2026, 10, 28, 2))

        # November meetings.
        record(s, "TNMT-01", R, "2026-11", utc(2026, 11, 10, 10), present=10, total=10,
               rating=("tot", 95, [], utc(2026, 11, 10, 11)))  # fmt: skip
        record(s, "TNMT-02", R, "2026-11", utc(2026, 11, 25, 3), present=6, total=8,
               rating=("tot", 91, ["tot_low_attendance"], utc(2026, 11, 25, 4)))  # fmt: skip
        record(s, "TNMT-03", R, "2026-11", utc(2026, 11, 20, 3), held=False, excused=True,
               reason="Chi bộ đi công tác cơ sở")  # fmt: skip
        record(s, "TNMT", C, "2026-11", utc(2026, 11, 5, 3))
        record(s, "NTM", R, "2026-11", utc(2026, 11, 16, 3), present=10, total=11,
               rating=("kha", 80, [], utc(2026, 11, 16, 4)))  # fmt: skip
        record(s, "TAICHINH-01", R, "2026-11", utc(2026, 11, 28, 3), held=False, excused=False)
        record(s, "NOICHINH", R, "2026-11", utc(2026, 11, 21, 3), present=26, total=26)
        # Thematic meetings in Q4.
        record(s, "TNMT-01", T, "2026-10", utc(2026, 10, 15, 3))
        record(s, "NOICHINH", T, "2026-11", utc(2026, 11, 26, 3))
        record(s, "TAICHINH-02", T, "2026-11", utc(2026, 11, 26, 3), held=False, excused=True,
               reason="Hoãn sang tháng 12")  # fmt: skip

        # Periodic reports.
        report(s, "TNMT", "monthly", "2026-11", date(2026, 11, 20), utc(2026, 11, 18, 3))
        report(s, "NTM", "monthly", "2026-11", date(2026, 11, 20), utc(2026, 11, 22, 3))
        report(s, "TAICHINH", "monthly", "2026-11", date(2026, 11, 20), utc(2026, 11, 20, 16, 30))
        report(s, "NOICHINH", "monthly", "2026-11", date(2026, 11, 20), utc(2026, 11, 27, 3))
        report(s, "TNMT", "quarterly", "2026-Q3", date(2026, 9, 15), utc(2026, 9, 10, 3))
        report(s, "NTM", "quarterly", "2026-Q3", date(2026, 9, 15), utc(2026, 9, 10, 3))
        report(s, "TAICHINH", "quarterly", "2026-Q3", date(2026, 9, 15), utc(2026, 9, 16, 3))
        for unit in ("TNMT", "NTM", "TAICHINH", "NOICHINH"):
            report(s, unit, "six_month", "2026-H1", date(2026, 6, 15), utc(2026, 6, 1, 3))
        report(s, "TNMT", "annual", "2026", date(2026, 11, 15), utc(2026, 11, 14, 3))

        # An unreachable secretary (counted) and an unreachable leader (not a cell officer).
        person(s, 9001, "Đỗ Văn Mạnh", Role.SECRETARY, "TAICHINH-02",
               unreachable_since=utc(2026, 11, 24, 3))  # fmt: skip
        person(s, 9002, "Hồ Thị Lan", Role.LEADER, "DUK", unreachable_since=utc(2026, 11, 1))
        person(s, 9003, "Vũ Văn Nam", Role.SECRETARY, "NTM")
    # The facts went straight into the tables: bring the ledger in step with them,
    # from the start of the year the reports cover.
    ledger.rebuild(db, clock.now(), default_policy(), start=date(2026, 1, 1))
