"""Only one instance plans at a time: the PostgreSQL advisory lock around the plan tick."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from domain.policy import Policy, default_policy
from scheduler import runner
from storage.db import Database
from storage.locks import PLANNER_LOCK, advisory_lock

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def test_a_tick_skips_while_another_instance_holds_the_lock(pg_url: str) -> None:
    db = Database(pg_url)
    other = create_engine(pg_url)  # another instance's connection
    try:
        with other.connect() as connection:
            assert connection.execute(text(f"SELECT pg_try_advisory_lock({PLANNER_LOCK})")).scalar()
            assert runner.run_planners(db, NOW, default_policy()) == {}
            connection.execute(text(f"SELECT pg_advisory_unlock({PLANNER_LOCK})"))
        ran = runner.run_planners(db, NOW, default_policy())
        assert set(ran) == {p.__name__ for p in runner.PLANNERS}
    finally:
        other.dispose()
        db.dispose()


def test_two_concurrent_ticks_plan_once(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    started = threading.Barrier(2)

    def slow_planner(db: Database, now: datetime, policy: Policy) -> int:
        calls.append(threading.current_thread().name)
        time.sleep(1.0)
        return 1

    monkeypatch.setattr(runner, "PLANNERS", [slow_planner])
    results: dict[str, dict[str, int]] = {}

    def tick(name: str) -> None:
        db = Database(pg_url)  # each "instance" has its own engine and connections
        try:
            started.wait()
            results[name] = runner.run_planners(db, NOW, default_policy())
        finally:
            db.dispose()

    threads = [threading.Thread(target=tick, args=(n,), name=n) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(calls) == 1
    assert sorted(results.values(), key=len) == [{}, {"slow_planner": 1}]


def test_the_lock_is_released_after_a_failing_tick(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        with pytest.raises(RuntimeError), advisory_lock(db) as held:
            assert held
            raise RuntimeError("planner crashed")
        with advisory_lock(db) as held:
            assert held
    finally:
        db.dispose()


def test_sqlite_always_plans(db: Database) -> None:
    with advisory_lock(db) as held:
        assert held
