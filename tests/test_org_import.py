"""`chibo org import`: idempotent upsert; a broken file is refused whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from storage.db import Database
from storage.models import AuditEntry, Unit
from tests.auxil.orgs import DEMO_ORG

HEADER = "code,name,kind,parent,members\n"
GOOD = HEADER + "DUK,Đảng bộ Khối,bloc,,\nC1,Cụm 1,cluster,DUK,\n"


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)  # no stray .env is read


def units(db: Database) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(Unit)) or 0


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_file_gives_289_units_and_reimport_changes_nothing(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["org", "import", str(DEMO_ORG)]) == 0
    assert "289 mới" in capsys.readouterr().out
    assert units(db) == 289
    assert main(["org", "import", str(DEMO_ORG)]) == 0
    assert "0 mới, 0 cập nhật, 289 không đổi" in capsys.readouterr().out
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 289


def test_changed_name_is_updated_and_audited(db: Database, tmp_path: Path) -> None:
    assert main(["org", "import", str(write(tmp_path, GOOD))]) == 0
    renamed = GOOD.replace("Cụm 1", "Cụm số 1")
    assert main(["org", "import", str(write(tmp_path, renamed))]) == 0
    with db.transaction() as s:
        unit = s.get(Unit, "C1")
        assert unit is not None and unit.name == "Cụm số 1" and unit.name_folded == "cum so 1"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "update")).one()
        assert entry.old_value is not None and entry.new_value is not None
        assert (entry.old_value["name"], entry.new_value["name"]) == ("Cụm 1", "Cụm số 1")


def test_moving_a_committee_moves_its_cells(db: Database, tmp_path: Path) -> None:
    text = (
        GOOD
        + "C2,Cụm 2,cluster,DUK,\nBC,Đảng bộ A,base_committee,C1,\nBC-1,Chi bộ 1,sub_cell,BC,7\n"
    )
    main(["org", "import", str(write(tmp_path, text))])
    main(
        [
            "org",
            "import",
            str(write(tmp_path, text.replace("base_committee,C1", "base_committee,C2"))),
        ]
    )
    with db.transaction() as s:
        cell = s.get(Unit, "BC-1")
        assert cell is not None and cell.path == "/DUK/C2/BC/BC-1/"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("X,Chi bộ X,base_cell,NOWHERE,5\n", "dòng 5: đơn vị cấp trên NOWHERE không tồn tại"),
        ("C1,Cụm trùng,cluster,DUK,\n", "dòng 5: mã C1 trùng với dòng 3"),
        ("A,Chi bộ A,sub_cell,C1,5\n", "dòng 5: loại sub_cell không được nằm dưới cluster"),
        ("A,Chi bộ A,base_cell,C1,-3\n", "dòng 5: số đảng viên -3 ngoài khoảng"),
        ("A,Chi bộ A,base_cell,C1,mười\n", "dòng 5: số đảng viên 'mười' không phải số nguyên"),
        ("A,Chi bộ A,chi_bo,C1,5\n", "dòng 5: loại 'chi_bo' không hợp lệ"),
        ("A,,base_cell,C1,5\n", "dòng 5: thiếu tên đơn vị"),
        (
            "P,Đảng bộ P,base_committee,Q,\nQ,Đảng bộ Q,base_committee,P,\n",
            "vòng lặp cấp trên",
        ),
    ],
)
def test_broken_file_exits_2_with_line_numbers_and_writes_nothing(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, expected: str
) -> None:
    path = write(tmp_path, GOOD + "NEW,Chi bộ mới,base_cell,C1,3\n" + body)
    assert main(["org", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "chưa ghi gì" in err
    assert units(db) == 0


def test_cycle_reports_both_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = GOOD + "P,Đảng bộ P,base_committee,Q,\nQ,Đảng bộ Q,base_committee,P,\n"
    assert main(["org", "import", str(write(tmp_path, body))]) == 2
    err = capsys.readouterr().err
    assert "dòng 4" in err and "dòng 5" in err


def test_missing_column_is_refused(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["org", "import", str(write(tmp_path, "code,name\nA,B\n"))]) == 2
    assert "thiếu cột kind, parent, members" in capsys.readouterr().err
    assert units(db) == 0


def test_show_subtree_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    main(["org", "import", str(DEMO_ORG)])
    capsys.readouterr()
    assert main(["org", "show", "VPUBND", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown[0]["code"] == "VPUBND"
    assert {u["code"] for u in shown[1:]} == {f"VPUBND-0{i}" for i in range(1, 7)}
    assert main(["org", "show", "KHONGCO"]) == 2


def test_invite_cli_create_list_revoke(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_USERNAME", "ChiBoBot")
    main(["org", "import", str(DEMO_ORG)])
    capsys.readouterr()
    assert main(["invite", "create", "--role", "secretary", "--unit", "NTM"]) == 0
    out = capsys.readouterr().out
    assert "https://t.me/ChiBoBot?start=" in out and "Mã mời #1" in out
    assert main(["invite", "list"]) == 0
    assert "open" in capsys.readouterr().out
    assert main(["invite", "revoke", "1"]) == 0
    assert main(["invite", "revoke", "1"]) == 2
    assert main(["invite", "create", "--role", "secretary", "--unit", "KHONGCO"]) == 2
