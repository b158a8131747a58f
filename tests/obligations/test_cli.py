"""`chibo directive` and `chibo cluster-meeting`: the office's side; bad input exits 2 with
one sentence and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import cli
from bot.limits import MAX_FILE_BYTES
from domain.localtime import local_date, to_local
from domain.policy import default_policy
from services import cluster_meetings
from services.clock import SystemClock
from storage.db import Database
from storage.models import Directive
from tests.auxil.cast import SECRETARY_NOICHINH, SECRETARY_TAICHINH
from tests.obligations.helpers import ledger_of, outbox

pytestmark = pytest.mark.usefixtures("small_bloc")


@pytest.fixture
def run(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)

    def chibo(*args: str) -> tuple[int, str]:
        code = cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out + out.err

    return chibo


def due(days: int) -> str:
    return f"{local_date(SystemClock().now()) + timedelta(days=days):%d/%m/%Y}"


def test_directive_create_list_and_show(run, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "ke-hoach-12.pdf"
    plan.write_bytes(b"%PDF-1.4")
    code, out = run(
        "directive", "create", "--title", "Chương trình hành động", "--ref", "Số 12-KH/ĐUK",
        "--due", due(30), "--to", "C1", "--file", str(plan),
    )  # fmt: skip
    assert code == 0, out
    assert "Đã giao văn bản mã 1" in out and "cho 2 đơn vị" in out
    assert ledger_of(db, "directive") == {"TNMT": ("open", None), "NTM": ("open", None)}
    with db.transaction() as s:
        row = s.scalar(select(Directive))
        assert row is not None and row.document_data == b"%PDF-1.4"
    assert {r.attachment_ref for r in outbox(db, "directive")} == {"directive:1"}
    code, out = run("directive", "list")
    assert code == 0 and "0/2" in out and "Số 12-KH/ĐUK" in out
    code, out = run("directive", "show", "1")
    assert code == 0 and "TNMT" in out and "chưa hoàn thành" in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--due", due(-1), "--to", "base"), "đã qua"),
        (("--due", "31/02/2030", "--to", "base"), "không tồn tại"),
        (("--to", "NOPE"), "Không có đơn vị mã NOPE"),
        (("--to", "C1", "--file", "missing.pdf"), "Không có tệp"),
        (("--to", "C1", "--file", "big.pdf"), "quá giới hạn 10 MB"),
        (("--to", "C1", "--file", "tool.exe"), "không nhận được"),
    ],
)
def test_directive_create_refuses_bad_input(  # type: ignore[no-untyped-def]
    run, db: Database, tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    (tmp_path / "big.pdf").write_bytes(b"0" * (MAX_FILE_BYTES + 1))
    (tmp_path / "tool.exe").write_bytes(b"MZ")
    given = dict(zip(args[::2], args[1::2], strict=True))
    given.setdefault("--due", due(30))
    flat = [x for pair in given.items() for x in pair]
    code, out = run("directive", "create", "--title", "Kế hoạch", *flat)
    assert code == 2 and said in out, out
    with db.transaction() as s:
        assert s.scalar(select(Directive)) is None


def test_cluster_meeting_create_list_and_mark(run, db: Database) -> None:  # type: ignore[no-untyped-def]
    now = SystemClock().now()
    ahead = f"{to_local(now + timedelta(days=2)):%d/%m/%Y} 08:00"
    code, out = run(
        "cluster-meeting", "create", "--cluster", "C2", "--at", ahead, "--place", "Hội trường",
        "--agenda", "Giao ban quý",
    )  # fmt: skip
    assert code == 0 and "Đã đăng ký giao ban mã 1" in out and "Cụm 2" in out
    assert {r.chat_id for r in outbox(db, "cluster_meeting")} == {
        SECRETARY_TAICHINH.id,
        SECRETARY_NOICHINH.id,
    }
    code, out = run("cluster-meeting", "mark", "1", "--attended", "TAICHINH")
    assert code == 2 and "chưa diễn ra" in out
    # One already held (called three days ago for yesterday).
    request = cluster_meetings.MeetingRequest(
        "C1", now - timedelta(days=1), "Hội trường", "Giao ban"
    )
    cluster_meetings.call(db, None, request, now=now - timedelta(days=3), policy=default_policy())
    code, out = run("cluster-meeting", "mark", "2", "--attended", "TAICHINH")
    assert code == 2 and "TAICHINH không có trong danh sách mời" in out
    code, out = run("cluster-meeting", "mark", "2", "--attended", "NTM", "--excused", "TNMT")
    assert code == 0 and "có mặt 1, vắng có lý do 1, vắng không có lý do 0" in out
    assert ledger_of(db, "cluster_meeting")["NTM"][0] == "done"
    assert ledger_of(db, "cluster_meeting")["TNMT"][0] == "excused"
    code, out = run("cluster-meeting", "list")
    assert code == 0 and "có mặt 1/2" in out and "đã trả lời 0/2" in out
    code, out = run(
        "cluster-meeting",
        "create",
        "--cluster",
        "C9",
        "--at",
        ahead,
        "--place",
        "x",
        "--agenda",
        "y",
    )
    assert code == 2 and "Không có cụm mã C9" in out
