"""The heat map counts in SQL what `domain.heatmap` says of each unit's ledger rows.

For every row of the bloc's, a cluster's and a base committee's heat map, for every
measure and month, the counts (units missing, late, excused, pending, out of how
many) equal those computed unit by unit in Python from the ledger's rows with
`Obligation.status` — the one definition of compliance. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.heatmap import GroupCell, Mark, Measure, group_cell, unit_marks
from domain.org import MEETING_KINDS, REPORTING_KINDS
from domain.periods import Month
from domain.policy import default_policy
from domain.reports import deadlines_between
from services import dashboard
from services.clock import ManualClock
from storage import dashboard_queries, ledger
from storage.db import Database
from storage.models import Unit

POLICY = default_policy()


def _units_under(db: Database, path: str) -> list[tuple[str, str, str]]:
    with db.transaction() as s:
        return list(
            s.execute(
                select(Unit.code, Unit.kind, Unit.path).where(
                    Unit.path.startswith(path), Unit.active.is_(True), Unit.kind.in_(MEETING_KINDS)
                )
            ).all()
        )


def _expected(
    db: Database,
    units: list[tuple[str, str, str]],
    measure: Measure,
    months: tuple[Month, ...],
    clock: ManualClock,
) -> dict[Month, GroupCell]:
    """Unit by unit, from the ledger's rows and the domain's rules."""
    counts: dict[Month, Counter[Mark]] = {m: Counter() for m in months}
    with db.transaction() as s:
        for code, _kind, _path in units:
            rows = ledger.unit_entries(s, code, due_from=months[0].first_day - timedelta(days=40))
            for month, mark in unit_marks(rows, measure, clock.now()).items():
                if month in counts and mark != Mark.ON_TIME:
                    counts[month][mark] += 1
    due_months = {
        Month.of(d.due) for d in deadlines_between(POLICY, months[0].first_day, months[-1].last_day)
    }
    reporting = sum(1 for _, kind, _ in units if kind in REPORTING_KINDS)
    result = {}
    for month in months:
        size = len(units)
        if measure == Measure.REPORT:
            size = reporting if month in due_months else 0
        result[month] = group_cell(size, counts[month])
    return result


@pytest.mark.parametrize("scope_code", ["DUK", "C1", "HAIQUAN"])
@pytest.mark.parametrize("measure", list(Measure))
def test_every_row_and_month_counts_what_the_units_rows_say(
    db: Database, clock: ManualClock, scope_code: str, measure: Measure
) -> None:
    with db.transaction() as s:
        scope = dashboard_queries.load_unit(s, scope_code)
    assert scope is not None
    heat = dashboard.heat_map(db, scope, measure, clock.now(), POLICY)
    assert heat.rows and len(heat.months) >= 6
    checked = 0
    for row in heat.rows:
        if row.group:
            expected = _expected(db, _units_under(db, row.unit.path), measure, heat.months, clock)
            for cell in row.cells:
                if cell.group is not None:
                    assert cell.group == expected[cell.month], (row.unit.code, cell.month)
                    assert cell.mark == expected[cell.month].mark
                    checked += 1
            assert row.failed == sum(c.group.missing for c in row.cells if c.group)
        else:
            with db.transaction() as s:
                rows = ledger.unit_entries(
                    s, row.unit.code, due_from=heat.months[0].first_day - timedelta(days=40)
                )
            marks = unit_marks(rows, measure, clock.now())
            for cell in row.cells:
                assert cell.mark == marks.get(cell.month), (row.unit.code, cell.month)
            assert row.failed == sum(1 for m in heat.months if marks.get(m) == Mark.MISSING)
    # The whole scope's row: every unit of it, counted once.
    whole = _expected(db, _units_under(db, scope.path), measure, heat.months, clock)
    for cell in heat.total:
        if cell.group is not None:
            assert cell.group == whole[cell.month], ("total", cell.month)
    assert checked or scope_code == "HAIQUAN"
    if scope_code == "DUK":  # something to count: the demo bloc is imperfect, as a real one is
        assert any(c.group and (c.group.missing or c.group.late) for c in heat.total)


def test_the_units_that_failed_most_are_counted_from_their_rows(
    db: Database, clock: ManualClock
) -> None:
    with db.transaction() as s:
        scope = dashboard_queries.load_unit(s, "C2")
    assert scope is not None
    found = dashboard.chronic(db, scope, Measure.ALL, clock.now(), POLICY)
    assert found, "the demo bloc has units that failed months"
    months = dashboard.heat_map(db, scope, Measure.ALL, clock.now(), POLICY).months
    failed = {}
    with db.transaction() as s:
        for code, _, _ in _units_under(db, scope.path):
            rows = ledger.unit_entries(s, code, due_from=months[0].first_day - timedelta(days=40))
            marks = unit_marks(rows, Measure.ALL, clock.now())
            failed[code] = sum(1 for m in months if marks.get(m) == Mark.MISSING)
    assert [c.failed_months for c in found] == [failed[c.unit.code] for c in found]
    worst = sorted(failed.values(), reverse=True)[: len(found)]
    assert [c.failed_months for c in found] == worst


def test_the_counting_reads_the_not_on_time_index(db: Database, clock: ManualClock) -> None:
    """What makes the whole bloc's year fast (bench/dashboard.py): the partial index."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan is checked on SQLite; PostgreSQL chooses by its statistics")
    from sqlalchemy import event

    with db.transaction() as s:
        scope = dashboard_queries.load_unit(s, "DUK")
    seen: list[tuple[str, object]] = []

    def remember(conn, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        dashboard.heat_map(db, scope, Measure.ALL, clock.now(), POLICY)  # type: ignore[arg-type]
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    statement, parameters = next((st, p) for st, p in seen if "max(" in st and "GROUP BY" in st)
    with db.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    assert any("ix_obligations_not_on_time" in str(step) for step in plan), plan
