"""The digest's SQL statement count does not grow with the number of units."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, insert

from domain.meeting_kinds import MeetingKind
from domain.org import fold
from domain.policy import default_policy
from services.digest import build_digest
from storage.db import Database
from storage.models import MeetingRecord, MeetingSchedule, ReportSubmission, Unit
from tests.leadership.seed import AT

NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)
DIGEST_SELECTS = 14


def synthetic_bloc(db: Database, units: int) -> None:
    """A bloc of exactly `units` units (bloc, clusters, committees, sub-cells), with activity.

    Every other cell registered and held its meeting; every third base organisation
    sent its monthly report, so each query returns rows.
    """
    rows: list[dict[str, Any]] = []

    def add(code: str, kind: str, parent: str | None, path: str, members: int | None) -> None:
        name = f"Đơn vị {code}"
        rows.append(
            dict(
                code=code,
                name=name,
                name_folded=fold(name),
                kind=kind,
                parent_code=parent,
                path=path,
                members=members,
                active=True,
                updated_at=NOW,
            )
        )

    add("DUK", "bloc", None, "/DUK/", None)
    clusters = max(1, units // 200)
    for c in range(clusters):
        add(f"C{c}", "cluster", "DUK", f"/DUK/C{c}/", None)
    left = units - 1 - clusters
    committees = max(1, left // 20)
    for b in range(committees):
        cluster = f"C{b % clusters}"
        add(f"B{b}", "base_committee", cluster, f"/DUK/{cluster}/B{b}/", None)
    for i in range(left - committees):
        b = i % committees
        cluster = f"C{b % clusters}"
        add(f"B{b}-{i}", "sub_cell", f"B{b}", f"/DUK/{cluster}/B{b}/B{b}-{i}/", 10 + i % 7)
    assert len(rows) == units

    schedules, records, reports = [], [], []
    for n, row in enumerate(rows):
        if row["kind"] == "sub_cell" and n % 2 == 0:
            for month in ("2026-11", "2026-12"):
                schedules.append(
                    dict(
                        unit_code=row["code"],
                        kind=MeetingKind.REGULAR,
                        month=month,
                        planned_at=NOW,
                        place="HT",
                        registered_at=NOW,
                        updated_at=NOW,
                        status="planned",
                        source="manual",
                    )
                )
            records.append(
                dict(
                    unit_code=row["code"],
                    kind=MeetingKind.REGULAR,
                    month="2026-11",
                    held=True,
                    present=row["members"] - 1,
                    total_members=row["members"],
                    recorded_at=NOW,
                    updated_at=NOW,
                )
            )
        if row["kind"] == "base_committee" and n % 3 == 0:
            reports.append(
                dict(
                    unit_code=row["code"],
                    report_type="monthly",
                    period="2026-11",
                    due_on=AT,
                    sent_at=NOW,
                )
            )
    with db.transaction() as s:
        s.execute(insert(Unit), rows)
        s.execute(insert(MeetingSchedule), schedules)
        s.execute(insert(MeetingRecord), records)
        if reports:
            s.execute(insert(ReportSubmission), reports)


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def measure(db: Database, units: int) -> tuple[int, float, Any]:
    synthetic_bloc(db, units)
    build_digest(db, "DUK", AT, default_policy())  # warm up (first connection, pragmas)
    with counting(db) as statements:
        started = time.perf_counter()
        digest = build_digest(db, "DUK", AT, default_policy())
        elapsed = time.perf_counter() - started
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    return len(selects), elapsed, digest


@pytest.mark.parametrize("units", [10, 1000])
def test_query_count_is_fixed(db: Database, units: int) -> None:
    count, _, digest = measure(db, units)
    # The ledger's state, the scope, its children, registration groups and their names,
    # unreachable people, the ledger grouped for the day and for the earlier days
    # (statuses, attendance and rating levels), problem rows, flagged ratings, low
    # attendance, snapshots; directive rows and cluster-meeting rows
    # (storage.duty_queries; their titles and totals are read only when there are rows).
    assert count == DIGEST_SELECTS, f"{units} units: {count} statements"
    expected = units - 1 - max(1, units // 200)  # all but the bloc and the clusters
    assert digest.totals.registration_expected == expected
    assert digest.totals.meetings_held > 0


def test_same_count_at_10_and_1000_units(tmp_path: Any, migrated_db_file: Any) -> None:
    import shutil

    counts = []
    for units in (10, 1000):
        path = tmp_path / f"q{units}.sqlite3"
        shutil.copy(migrated_db_file, path)
        db = Database(f"sqlite:///{path}")
        try:
            counts.append(measure(db, units)[0])
        finally:
            db.dispose()
    assert counts[0] == counts[1]
