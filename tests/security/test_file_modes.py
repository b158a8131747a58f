"""The database, its -wal/-shm and every backup are readable by their owner only (0600),
even when the process runs with the usual umask 022."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli_backup import backup_sqlite, restore_sqlite
from storage import migrate
from storage.db import Database
from storage.models import Unit


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def write_something(database: Database) -> None:
    with database.transaction() as session:
        unit = session.get(Unit, "VPUBND-01")
        assert unit is not None
        unit.name = unit.name + " (đã sửa)"


def test_a_new_database_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "chibo.sqlite3"
    path.parent.mkdir()
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    database = Database(url)
    with database.engine.connect() as connection:  # an open connection keeps -wal and -shm
        connection.exec_driver_sql("CREATE TABLE probe (x)")
        connection.commit()
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert wal.exists() and shm.exists()
        assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    database.dispose()


def test_an_existing_world_readable_database_is_closed_to_others(
    tmp_path: Path, cast_db_file: Path
) -> None:
    path = tmp_path / "chibo.sqlite3"
    shutil.copy(cast_db_file, path)
    os.chmod(path, 0o644)
    database = Database(f"sqlite:///{path}")
    write_something(database)
    assert mode(path) & 0o007 == 0
    assert mode(Path(f"{path}-wal")) & 0o007 == 0
    database.dispose()


def test_backups_and_the_copy_saved_before_a_restore_are_private(
    tmp_path: Path, cast_db_file: Path
) -> None:
    live = tmp_path / "chibo.sqlite3"
    shutil.copy(cast_db_file, live)
    os.chmod(live, 0o600)
    backup = tmp_path / "backup.sqlite3"
    backup_sqlite(live, backup)
    assert mode(backup) == 0o600

    _, saved = restore_sqlite(backup, live, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert saved is not None and mode(saved) == 0o600

    fresh = tmp_path / "restored" / "chibo.sqlite3"
    restore_sqlite(backup, fresh, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert mode(fresh) == 0o600


def test_digest_and_export_files_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cast_db_file: Path
) -> None:
    from bot.cli import main

    live = tmp_path / "chibo.sqlite3"
    shutil.copy(cast_db_file, live)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{live}")
    monkeypatch.chdir(tmp_path)
    assert main(["digest", "--at", "2026-11-30", "--format", "xlsx", "--output", "d.xlsx"]) == 0
    assert main(["export", "--month", "2026-11", "--format", "csv", "--output", "e.csv"]) == 0
    assert mode(tmp_path / "d.xlsx") == mode(tmp_path / "e.csv") == 0o600
