"""The first real run of the command line: what an office admin sees, step by step.

`chibo` as the admin types it (bot.cli.main, or a subprocess where the exit and the
whole output matter), on a fresh SQLite file.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document

from bench.fake_bot_api import FakeBotApi
from bot.cli import main
from domain.invite_codes import normalize
from services.clock import SystemClock
from services.invites import TelegramUser, Throttle, redeem
from storage.db import Database
from storage.schema_version import HEAD
from tests.auxil.orgs import DEMO_ORG

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("TELEGRAM_BOT_TOKEN", "BOT_USERNAME", "BOT_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return url


def chibo(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


@pytest.mark.parametrize(
    "command", [["org", "show"], ["invite", "list"], ["org", "import", str(DEMO_ORG)]]
)
def test_any_command_before_db_upgrade_says_to_run_it(
    fresh: str, tmp_path: Path, command: list[str]
) -> None:
    done = chibo(tmp_path, *command, env={"DATABASE_URL": fresh})
    assert done.returncode == 2
    assert "chạy `chibo db upgrade` trước" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr.strip().splitlines()) == 1


def test_db_upgrade_on_a_fresh_database_says_what_it_applied(
    fresh: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    revisions = len(list(ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()))
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert f"Đã áp dụng {revisions} bản cập nhật" in out
    assert "0001: organisation, people, invites, audit, dialog state" in out
    assert f"Cơ sở dữ liệu đang ở phiên bản {HEAD}." in out
    assert main(["db", "upgrade"]) == 0
    assert f"đã ở phiên bản mới nhất ({HEAD}): không có gì để áp dụng" in capsys.readouterr().out
    # The README's template is a valid start.
    assert main(["org", "import", str(ROOT / "docs" / "examples" / "org-template.csv")]) == 0
    assert main(["org", "show"]) == 0


def test_run_without_telegram_is_one_clear_line(fresh: str, tmp_path: Path) -> None:
    assert main(["db", "upgrade"]) == 0
    env = {
        "DATABASE_URL": fresh,
        "TELEGRAM_BOT_TOKEN": "123456:nothing-listens-here",
        "BOT_API_BASE_URL": "http://127.0.0.1:9/bot",  # a closed port: no network
    }
    done = chibo(tmp_path, "run", env=env)
    assert done.returncode == 3
    output = (done.stdout + done.stderr).strip()
    assert "Traceback" not in output
    assert output.count("\n") == 0, output
    assert "Không kết nối được Telegram (http://127.0.0.1:9/bot)" in output


def test_invite_links_name_this_bot_as_telegram_knows_it(
    fresh: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["db", "upgrade"])
    main(["org", "import", str(DEMO_ORG)])
    capsys.readouterr()
    # No token and no BOT_USERNAME: the code, and a line saying why there is no link.
    assert main(["invite", "create", "--role", "admin", "--unit", "DUK"]) == 0
    printed = capsys.readouterr()
    assert "Mã: " in printed.out and "t.me" not in printed.out
    assert "Không có liên kết" in printed.err
    # With the token, getMe says who the bot is.
    with FakeBotApi(bot_username="DangUyKhoiTinhBot") as api:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:token")
        monkeypatch.setenv("BOT_API_BASE_URL", api.base_url)
        assert main(["invite", "create", "--role", "admin", "--unit", "DUK"]) == 0
    assert "Liên kết: https://t.me/DangUyKhoiTinhBot?start=" in capsys.readouterr().out
    # Telegram unreachable: still the code, and one line about the link.
    monkeypatch.setenv("BOT_API_BASE_URL", "http://127.0.0.1:9/bot")
    assert main(["invite", "create", "--role", "admin", "--unit", "DUK"]) == 0
    printed = capsys.readouterr()
    assert "Mã: " in printed.out
    assert printed.err.count("\n") == 1 and "Không kết nối được Telegram" in printed.err


def test_bulk_invites_one_code_per_unit_as_csv_and_a_printable_sheet(
    fresh: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_USERNAME", "DangUyKhoiTinhBot")
    main(["db", "upgrade"])
    main(["org", "import", str(DEMO_ORG)])
    capsys.readouterr()
    out, sheet = tmp_path / "invites.csv", tmp_path / "invites.docx"
    assert (
        main(["invite", "create", "--all-unbound", "--out", str(out), "--sheet", str(sheet)]) == 0
    )
    assert "Đã tạo 283 mã mời secretary, mỗi đơn vị một mã." in capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 283 and len({r["unit_code"] for r in rows}) == 283
    first = next(r for r in rows if r["unit_code"] == "VPUBND-01")
    assert first["unit"] == "Chi bộ Văn phòng — Đảng bộ cơ quan Văn phòng UBND tỉnh (VPUBND-01)"
    assert normalize(first["invite_code"]) is not None
    assert (
        first["link"] == f"https://t.me/DangUyKhoiTinhBot?start={normalize(first['invite_code'])}"
    )
    text = "\n".join(p.text for p in Document(str(sheet)).paragraphs)
    assert first["invite_code"] in text and first["unit"] in text
    assert "Bí thư đảng ủy" in text  # a base committee's secretary is called so
    # A second run makes nothing new: every unit has a code still open.
    assert main(["invite", "create", "--all-unbound", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Đã tạo 0 mã mời" in printed and "Bỏ qua 283 đơn vị đã có mã mời còn hạn" in printed
    # A redeemed code binds a secretary: that unit is neither invited again nor "skipped".
    db = Database(fresh)
    redeem(
        db,
        TelegramUser(1, "Trần Thị Bình"),
        first["invite_code"],
        now=SystemClock().now(),
        throttle=Throttle(5, timedelta(minutes=30)),
    )
    db.dispose()
    assert main(["invite", "create", "--all-unbound", "--out", str(out)]) == 0
    assert "Bỏ qua 282 đơn vị" in capsys.readouterr().out
    assert main(["invite", "create", "--all-unbound", "--role", "deputy", "--out", str(out)]) == 0
    assert "Đã tạo 283 mã mời deputy" in capsys.readouterr().out


def test_setup_after_the_first_run_installs_nothing_and_start_never_needs_npm(
    tmp_path: Path,
) -> None:
    """scripts/setup on a copy, with stand-ins for the venv's python and for npm that log."""
    (tmp_path / "scripts").mkdir()
    setup = tmp_path / "scripts" / "setup"
    setup.write_text((ROOT / "scripts" / "setup").read_text())
    setup.chmod(0o755)
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    emulator = tmp_path / "tests" / "e2e" / "emulator"
    emulator.mkdir(parents=True)
    (emulator / "package-lock.json").write_text("{}")
    log = tmp_path / "calls.log"
    fake = (
        f'#!/bin/sh\necho "$(basename "$0") $*" >> {log}\n'
        '[ "$1" = "-V" ] && echo "Python 3.11.9"\nexit 0\n'
    )
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    for path in (tmp_path / ".venv" / "bin" / "python", bin_dir / "npm"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fake)
        path.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}

    def run(*args: str) -> list[str]:
        log.write_text("")
        subprocess.run([str(setup), *args], check=True, env=env, cwd=tmp_path, timeout=60)
        return [line for line in log.read_text().splitlines() if not line.endswith(" -V")]

    assert any("pip install" in c for c in run())  # the first time
    assert run() == []  # nothing changed: nothing to do
    assert not any(c.startswith("npm") for c in run())  # the main job (scripts/start)
    (emulator / "node_modules").mkdir()
    assert any(c.startswith("npm ci") for c in run("--e2e"))  # the tests' emulator
    assert run("--e2e") == []
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text() + "\n# x\n")
    assert any("pip install" in c for c in run())  # a changed dependency list: install again
    assert "scripts/setup\n" in (ROOT / "scripts" / "start").read_text()  # never --e2e
