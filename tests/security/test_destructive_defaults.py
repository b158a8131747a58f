"""No command deletes or overwrites a file it did not create, and demo data never enters
a real database unasked: `chibo sandbox --db`, `chibo demo load`, `scripts/start`."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.sandbox import is_sandbox_database, prepare_database
from domain.policy import default_policy
from services.clock import ManualClock
from storage.db import Database
from storage.models import Unit
from tests.auxil.clocks import T0

ROOT = Path(__file__).resolve().parents[2]


def digest_of(*paths: Path) -> dict[str, str | None]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None for p in paths
    }


def unit_count(url: str) -> int:
    database = Database(url)
    try:
        with database.transaction() as session:
            return session.scalar(select(func.count()).select_from(Unit)) or 0
    finally:
        database.dispose()


@pytest.fixture
def real_db(tmp_path: Path, cast_db_file: Path) -> Path:
    """A real database (units, people), with a live -wal beside it."""
    path = tmp_path / "var" / "chibo.sqlite3"
    path.parent.mkdir()
    shutil.copy(cast_db_file, path)
    database = Database(f"sqlite:///{path}")
    with database.transaction() as session:
        unit = session.get(Unit, "VPUBND-01")
        assert unit is not None
        unit.name = "Chi bộ thật"
    database.dispose()
    Path(f"{path}-wal").write_bytes(b"not really a wal, but someone else's")
    return path


def test_sandbox_refuses_a_real_database_and_leaves_it_and_its_wal_untouched(
    real_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = (real_db, Path(f"{real_db}-wal"), Path(f"{real_db}-shm"))
    before = digest_of(*files)
    assert main(["sandbox", "--db", str(real_db)]) == 2
    assert "không phải cơ sở dữ liệu do sandbox tạo ra" in capsys.readouterr().err
    assert digest_of(*files) == before


@pytest.mark.parametrize(
    "content", [b"ghi chu cua toi\n", b"", b"SQLite format 3\x00" + b"\0" * 84]
)
def test_sandbox_refuses_any_file_it_did_not_create(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(content)
    assert main(["sandbox", "--db", str(notes)]) == 2
    assert "Hãy chọn tên một tệp mới" in capsys.readouterr().err
    assert notes.read_bytes() == content


def test_sandbox_refuses_a_folder_and_stray_side_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "--db", str(tmp_path)]) == 2
    assert "là một thư mục" in capsys.readouterr().err
    orphan = tmp_path / "gone.sqlite3"
    Path(f"{orphan}-wal").write_bytes(b"pages of a database that is not the sandbox's")
    assert main(["sandbox", "--db", str(orphan)]) == 2
    assert "-wal" in capsys.readouterr().err
    assert not orphan.exists()
    assert Path(f"{orphan}-wal").read_bytes().startswith(b"pages")


def test_sandbox_recreates_only_its_own_database(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.sqlite3"
    for _ in range(2):  # the second run replaces what the first made, and nothing else
        db, _code = prepare_database(path, ManualClock(T0), default_policy())
        db.dispose()
        assert is_sandbox_database(path)
        assert unit_count(f"sqlite:///{path}") == 289


def test_sandbox_without_db_uses_a_temporary_file_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    real = tmp_path / "var" / "sandbox.sqlite3"  # the old default path
    real.write_bytes(b"a file that happens to have the old default name")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox"],
        input="1\n:q\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'chibo.sqlite3'}"},
    )
    assert result.returncode == 0, result.stderr
    assert "Dữ liệu mẫu: 289 đơn vị" in result.stdout
    assert real.read_bytes().startswith(b"a file that")
    assert sorted(p.name for p in (tmp_path / "var").iterdir()) == ["sandbox.sqlite3"]


@pytest.fixture
def cli_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'chibo.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    return url


def test_demo_load_fills_an_empty_database(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "load"]) == 0
    assert "289 mới" in capsys.readouterr().out
    assert unit_count(cli_db) == 289
    assert main(["demo", "load"]) == 0  # again: nothing new, nothing doubled
    assert unit_count(cli_db) == 289


@pytest.mark.parametrize("real", ["unit", "person"])
def test_demo_load_is_refused_on_a_database_with_real_units_or_people(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], real: str
) -> None:
    org = tmp_path / "org.csv"
    if real == "unit":
        org.write_text("code,name,kind,parent,members\nDUKTHAT,Đảng bộ thật,bloc,,\n")
    else:
        assert main(["demo", "load"]) == 0
        org.write_text("code,name,kind,parent,members\n")
        database = Database(cli_db)
        from tests.auxil.cast import bind_personas

        bind_personas(database, T0)
        database.dispose()
    if real == "unit":
        assert main(["org", "import", str(org)]) == 0
    before = unit_count(cli_db)
    capsys.readouterr()
    assert main(["demo", "load"]) == 2
    assert "đã có dữ liệu thật" in capsys.readouterr().err
    assert unit_count(cli_db) == before


def test_start_script_with_a_token_never_loads_demo_units(tmp_path: Path) -> None:
    """scripts/start, run with stand-ins for setup and `chibo` that record every call."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "start", tmp_path / "scripts" / "start")
    (tmp_path / "scripts" / "setup").write_text("#!/usr/bin/env bash\n")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    log = tmp_path / "calls.log"
    chibo = tmp_path / ".venv" / "bin" / "chibo"
    # An empty database: `org show --json` prints [] as the real command does.
    chibo.write_text(
        f'#!/usr/bin/env bash\necho "$*" >> {log}\n'
        'if [ "$*" = "org show --json" ]; then echo "[]"; fi\n'
    )
    for script in (chibo, tmp_path / "scripts" / "setup", tmp_path / "scripts" / "start"):
        script.chmod(0o755)
    result = subprocess.run(
        [str(tmp_path / "scripts" / "start")],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": "123456:test"},
    )
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert calls == ["db upgrade", "org show --json", "run"]
    assert "chibo org import" in result.stderr and "chibo demo load" in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["digest", "--at", "2026-11-30", "--format", "xlsx", "--output", "notes.txt"],
        ["digest", "--at", "2026-11-30", "--format", "json", "--output", "notes.txt"],
        ["export", "--month", "2026-11", "--format", "csv", "--output", "notes.txt"],
    ],
)
def test_digest_and_export_files_replace_an_existing_file_only_with_force(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    notes = work / "notes.txt"
    notes.write_text("ghi chú của tôi")
    assert main(argv) == 2
    assert "--force" in capsys.readouterr().err
    assert notes.read_text() == "ghi chú của tôi"
    assert main([*argv, "--force"]) == 0
    assert notes.read_bytes() != "ghi chú của tôi".encode()
    assert [p.name for p in work.iterdir()] == ["notes.txt"]  # no temporary file left
