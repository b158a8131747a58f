"""`chibo sandbox` runs the real Application in a terminal, driven here through stdin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_sandbox(tmp_path: Path, keys: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox", "--db", str(tmp_path / "sandbox.sqlite3")],
        input=keys,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_stranger_is_refused_then_secretary_sees_role(tmp_path: Path) -> None:
    out = run_sandbox(tmp_path, "7\nxin chào\n:p\n1\n/whoami\n:q\n")
    assert "Bạn chưa được mời sử dụng bot" in out
    assert (
        "Bí thư chi bộ: Chi bộ Văn phòng — Đảng bộ cơ quan Văn phòng UBND tỉnh (VPUBND-01)" in out
    )


def test_stranger_onboards_with_the_spare_code_printed_at_start(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "sandbox", "--db", str(tmp_path / "s.sqlite3")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdin is not None and process.stdout is not None
    line = ""
    while "(bí thư TNMT-01): " not in line:
        line = process.stdout.readline()
        assert line, "sandbox ended before printing the spare invite code"
    code = line.split("): ")[1].strip()
    out, _ = process.communicate(f"7\n/start {code}\n/whoami\n:q\n", timeout=60)
    assert process.returncode == 0
    assert "Chào mừng" in out
    assert (
        "Bí thư chi bộ: Chi bộ Văn phòng — Đảng bộ cơ quan Sở Tài nguyên và Môi trường (TNMT-01)"
        in out
    )


def test_end_of_input_exits_cleanly(tmp_path: Path) -> None:
    assert "Chi bộ bot — sandbox" in run_sandbox(tmp_path, "1\n")
