"""Fixtures: the demo bloc after four months of use (tests/dashboard/world.py), loaded once
per run (a file on SQLite, a template database on PostgreSQL) and copied for each test.
Imported by the conftest of every suite that reads it (the dashboard's, the browser's)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from services.clock import ManualClock
from storage.db import Database
from tests.auxil.clocks import T0
from tests.auxil.postgres import postgres_database
from tests.dashboard.world import live_demo


@pytest.fixture(scope="session")
def lived_sqlite(tmp_path_factory: pytest.TempPathFactory, migrated_db_file: Path) -> Path:
    path = tmp_path_factory.mktemp("lived") / "lived.sqlite3"
    shutil.copy(migrated_db_file, path)
    db = Database(f"sqlite:///{path}")
    live_demo(db, ManualClock(T0))
    db.dispose()
    return path


@pytest.fixture
def db_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, lived_sqlite: Path
) -> Iterator[str]:
    """A database of the test's backend holding the lived demo bloc, private to the test."""
    if backend == "sqlite":
        path = tmp_path / "chibo.sqlite3"
        shutil.copy(lived_sqlite, path)
        yield f"sqlite:///{path}"
        return
    with postgres_database(request.getfixturevalue("lived_postgres")) as url:
        yield url


@pytest.fixture(scope="session")
def lived_postgres(postgres_template: str) -> Iterator[str]:
    """A PostgreSQL template database holding the lived demo bloc (each test copies it)."""
    with postgres_database(postgres_template) as url:
        db = Database(url)
        live_demo(db, ManualClock(T0))
        db.dispose()
        yield make_url(url).database or ""
