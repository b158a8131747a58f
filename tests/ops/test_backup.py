"""`chibo backup` / `chibo restore`: a consistent copy while the bot writes, and back again."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from storage.db import Database
from storage.models import AuditEntry, Unit
from tests.auxil.clocks import T0

pytestmark = pytest.mark.usefixtures("demo_org")


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)  # no stray .env is read


def db_file(db_url: str) -> Path:
    return Path(db_url.removeprefix("sqlite:///"))


def count(path: Path, table: str, where: str = "1=1") -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0])
    finally:
        connection.close()


class Writer(threading.Thread):
    """A concurrent writer: one audit row per short transaction, as the bot writes."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.written = 0

    def run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=10)
        try:
            while not self.stop.is_set():
                with connection:
                    connection.execute(
                        "INSERT INTO audit_log (at, actor_label, action, entity, entity_key) "
                        "VALUES ('2026-11-26 02:00:00.000000', 'writer', 'tick', 'test', ?)",
                        (str(self.written),),
                    )
                self.written += 1
        finally:
            connection.close()


def test_backup_while_a_writer_is_active_then_restore_finds_the_rows(
    db: Database,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    live = db_file(db_url)
    imported = count(live, "audit_log")
    writer = Writer(live)
    writer.start()
    try:
        while writer.written < 50:
            time.sleep(0.001)
        before = count(live, "audit_log")
        out = tmp_path / "backup.sqlite3"
        assert main(["backup", str(out)]) == 0
        after = count(live, "audit_log")
    finally:
        writer.stop.set()
        writer.join()
    assert after > before, "the writer kept writing during the backup"
    assert "Đã sao lưu" in capsys.readouterr().out
    # One snapshot: every row committed up to one instant, and nothing half-written.
    in_backup = count(out, "audit_log")
    assert before <= in_backup <= after
    ticks = count(out, "audit_log", "action = 'tick'")
    assert ticks == in_backup - imported
    assert count(out, "audit_log", f"action = 'tick' AND CAST(entity_key AS INT) >= {ticks}") == 0
    connection = sqlite3.connect(out)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # A self-contained file: no -wal beside it is needed.
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        connection.close()

    # Restore on a new machine: the application reads every row of the snapshot.
    fresh = tmp_path / "restored" / "chibo.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{fresh}")
    assert main(["restore", str(out), "--yes"]) == 0
    restored = Database(f"sqlite:///{fresh}")
    try:
        with restored.transaction() as s:
            assert s.scalar(select(func.count()).select_from(Unit)) == 289
            assert s.scalar(select(func.count()).where(AuditEntry.action == "tick")) == ticks
    finally:
        restored.dispose()


def test_restore_over_the_live_database_keeps_the_old_one_aside(
    db: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = db_file(db_url)
    out = tmp_path / "backup.sqlite3"
    assert main(["backup", str(out)]) == 0
    with db.transaction() as s:  # written after the backup: the restore takes it back
        s.add(
            Unit(
                code="NEW",
                name="Mới",
                name_folded="moi",
                kind="sub_cell",
                path="/NEW/",
                updated_at=T0,
            )
        )
    assert count(live, "units") == 290

    assert main(["restore", str(out)]) == 2  # without --yes: explains, changes nothing
    assert "--yes" in capsys.readouterr().err
    assert count(live, "units") == 290

    assert main(["restore", str(out), "--yes"]) == 0
    printed = capsys.readouterr().out
    assert "chibo db upgrade" in printed
    assert count(live, "units") == 289
    # The same engine (a running bot would hold one) sees the restored content.
    with db.transaction() as s:
        assert s.get(Unit, "NEW") is None
    [saved] = list(live.parent.glob("*.before-restore-*"))
    assert str(saved) in printed and count(saved, "units") == 290


def test_backup_refuses_to_overwrite_and_bad_inputs_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "backup.sqlite3"
    out.write_bytes(b"keep me")
    assert main(["backup", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_bytes() == b"keep me"
    assert main(["backup", str(out), "--force"]) == 0
    assert count(out, "units") == 289

    assert main(["backup", str(tmp_path / "no-such-dir" / "b.sqlite3")]) == 2
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("hello")
    assert main(["restore", str(not_a_db), "--yes"]) == 2
    assert "không phải cơ sở dữ liệu" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.sqlite3"), "--yes"]) == 2
    assert "Không có tệp" in capsys.readouterr().err


def test_postgres_prints_the_pg_dump_command_without_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://chibo:s3cret@db.local:5432/chibo")
    assert main(["backup", str(tmp_path / "chibo.dump")]) == 2
    err = capsys.readouterr().err
    assert "pg_dump --format=custom" in err
    assert "postgresql://chibo:***@db.local:5432/chibo" in err
    assert "s3cret" not in err and "+psycopg" not in err
    assert main(["restore", str(tmp_path / "chibo.dump"), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "pg_restore --clean" in err and "s3cret" not in err
