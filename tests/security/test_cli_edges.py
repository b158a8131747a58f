"""The CLI on odd paths and odd files: one clear sentence, exit code 2, nothing written."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from storage.db import Database
from storage.models import MeetingSchedule, Unit
from tests.auxil.postgres import postgres_database

HEADER = "code,name,kind,parent,members\n"
ACTIVITY = "record_type,unit,month,kind,planned,place\n"


def counts(url: str) -> tuple[int, int]:
    database = Database(url)
    try:
        with database.transaction() as s:
            return (
                s.scalar(select(func.count()).select_from(Unit)) or 0,
                s.scalar(select(func.count()).select_from(MeetingSchedule)) or 0,
            )
    finally:
        database.dispose()


@pytest.fixture
def workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str) -> Path:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.txt").write_text("ghi chú")
    return tmp_path


def run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)


@pytest.mark.parametrize(
    "argv",
    [
        ["digest", "--at", "2026-11-30", "--format", "xlsx", "--output", "folder"],
        ["digest", "--at", "2026-11-30", "--output", "notes.txt/digest.txt"],
        ["digest", "--at", "2026-11-30", "--format", "png", "--output", "no/such/dir/x.png"],
        ["export", "--month", "2026-11", "--output", "folder"],
        ["export", "--month", "2026-11", "--format", "csv", "--output", "notes.txt/x.csv"],
        ["org", "import", "folder"],
        ["activity", "import", "folder"],
        ["backup", "folder", "--force"],
        ["backup", "notes.txt/backup.sqlite3"],
        ["restore", "folder", "--yes"],
        ["sandbox", "--db", "folder"],
        ["sandbox", "--db", "notes.txt/sandbox.sqlite3"],
    ],
)
def test_folders_and_impossible_paths_are_explained(
    workdir: Path, db_url: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = counts(db_url)
    listing = sorted(p.name for p in workdir.rglob("*"))
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err, err
    assert counts(db_url) == before
    assert sorted(p.name for p in workdir.rglob("*")) == listing


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_folder_is_explained(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = workdir / "locked"
    locked.mkdir(mode=0o500)
    for argv in (
        ["export", "--month", "2026-11", "--output", "locked/x.xlsx"],
        ["backup", "locked/b.sqlite3"],
    ):
        assert run(argv) == 2
        assert "Không" in capsys.readouterr().err
    assert list(locked.iterdir()) == []


def test_a_read_only_database_is_explained_and_unchanged(
    workdir: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = db_url.removeprefix("sqlite:///")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    org = workdir / "org.csv"
    org.write_text(f"{HEADER}C9,Cụm 9,cluster,DUK,\n", encoding="utf-8")
    before = counts(db_url)
    assert run(["org", "import", str(org)]) == 2
    assert "cơ sở dữ liệu" in capsys.readouterr().err
    assert counts(db_url) == before


@pytest.mark.parametrize(
    ("command", "content", "why"),
    [
        ("org", f"{HEADER}C9,{'x' * 200_000},cluster,DUK,\n", "ô dài hơn"),
        ("org", f'{HEADER}C9,"Cụm\x009",cluster,DUK,\n', "ký tự điều khiển"),
        ("org", f"{HEADER}C9,Cụm\x1b[31m9,cluster,DUK,\n", "ký tự điều khiển"),
        ("org", f"{HEADER}C9,{'Cụm ' * 76},cluster,DUK,\n", "tối đa 300"),
        (
            "activity",
            f"{ACTIVITY}meeting,VPUBND-01,2026-11,regular,10/11/2026 14:00,{'p' * 200_000}\n",
            "dòng CSV hỏng",
        ),
        (
            "activity",
            f'{ACTIVITY}meeting,VPUBND-01,2026-11,regular,10/11/2026 14:00,"Phòng\x00họp"\n',
            "ký tự điều khiển",
        ),
    ],
)
def test_hostile_csv_files_write_nothing(
    workdir: Path,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    command: str,
    content: str,
    why: str,
) -> None:
    file = workdir / "input.csv"
    file.write_text(content, encoding="utf-8")
    before = counts(db_url)
    assert run([command, "import", str(file)]) == 2
    err = capsys.readouterr().err
    assert why in err and "Traceback" not in err, err
    assert len(err) < 2000  # the 200,000 characters are not echoed back
    assert counts(db_url) == before


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    with postgres_database(request.getfixturevalue("postgres_template")) as url:
        yield url


def test_names_over_the_column_size_on_postgresql_are_refused_before_writing(
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    monkeypatch.chdir(tmp_path)
    org = tmp_path / "org.csv"
    org.write_text(
        f"{HEADER}DUK,Đảng bộ Khối,bloc,,\n"
        f"C1,{'Đ' * 301},cluster,DUK,\n"
        'C2,"Cụm\x002",cluster,DUK,\n',
        encoding="utf-8",
    )
    assert run(["org", "import", str(org)]) == 2
    err = capsys.readouterr().err
    assert (
        "dòng 3: tên dài 301 ký tự, tối đa 300" in err and "dòng 4: tên có ký tự điều khiển" in err
    )
    assert counts(postgres_url) == (0, 0)
    org.write_text(f"{HEADER}DUK,Đảng bộ Khối,bloc,,\nC1,{'Đ' * 300},cluster,DUK,\n")
    assert run(["org", "import", str(org)]) == 0
    assert counts(postgres_url) == (2, 0)
