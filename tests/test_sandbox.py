"""`chibo sandbox` runs the real Application in a terminal, driven here through stdin."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.sandbox import session
from bot.settings import Settings
from services.clock import ManualClock
from tests.auxil.clocks import T0


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


# --- in process, on a fixed clock: Thursday 26/11/2026, 09:00 --------------------------


class Script:
    """Types the given lines at the sandbox's prompts, then ends the input."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)

    async def __call__(self, prompt: str) -> str:
        print(prompt)
        if not self.lines:
            raise EOFError
        line = self.lines.pop(0)
        print(line)
        return line


def play(tmp_path: Path, capsys: pytest.CaptureFixture[str], *lines: str) -> str:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}")  # type: ignore[call-arg]
    clock = ManualClock(T0)
    asyncio.run(session(settings, tmp_path / "sandbox.sqlite3", clock, Script(*lines)))
    return capsys.readouterr().out


def test_a_typed_number_is_an_answer_and_hash_n_presses_a_button(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = play(
        tmp_path, capsys,
        "1", "/record", "#1", "#1",  # Trần Thị Bình records her November meeting: held
        "hôm qua", "90", "11", "8",  # 8 of 11 came: 3 absent
        "3",  # the excused-absence buttons are [#1] 3 [#2] 2 [#3] 1 [#4] 0: "3" is 3
        "Không có", "có", "#9",
    )  # fmt: skip
    assert "[#1] 3\n   [#2] 2\n   [#3] 1\n   [#4] 0" in out
    assert "Dự: 8/11 đảng viên (72,7%), vắng có lý do: 3" in out
    assert "Không có nút #9: các nút là #1 đến #2." in out


def test_after_onboarding_the_prompt_and_the_list_show_the_new_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import bot.sandbox as sandbox

    spare = {}
    real = sandbox.prepare_database

    def remember(path: Path, clock: ManualClock, policy, **kwargs):  # type: ignore[no-untyped-def]
        db, code = real(path, clock, policy, **kwargs)
        spare["code"] = code
        return db, code

    sandbox.prepare_database = remember  # type: ignore[assignment]
    try:
        lines = iter(["7", "__code__", ":p", ""])

        class Onboard(Script):
            async def __call__(self, prompt: str) -> str:
                print(prompt)
                line = next(lines, None)
                if line is None:
                    raise EOFError
                return f"/start {spare['code']}" if line == "__code__" else line

        settings = Settings(_env_file=None, database_url="sqlite://")  # type: ignore[call-arg]
        asyncio.run(session(settings, tmp_path / "s.sqlite3", ManualClock(T0), Onboard()))
    finally:
        sandbox.prepare_database = real  # type: ignore[assignment]
    out = capsys.readouterr().out
    assert "7. Đặng Thu Trang — chưa được mời" in out
    assert "Chào mừng Đặng Thu Trang!" in out
    assert "Người lạ" not in out
    assert "7. Đặng Thu Trang — Bí thư chi bộ TNMT-01" in out  # the list after onboarding
    assert "Bạn đang là: Đặng Thu Trang — Bí thư chi bộ TNMT-01" in out


def test_quit_at_the_persona_prompt_quits(tmp_path: Path) -> None:
    out = run_sandbox(tmp_path, ":q\n/whoami\n")
    assert "Bạn đang là" not in out and "Bí thư chi bộ:" not in out


def test_a_long_clock_jump_fires_reminders_day_by_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = play(tmp_path, capsys, "1", ":clock +20d")
    days = {
        datetime.strptime(line.split()[2], "%d/%m/%Y").date()
        for line in out.splitlines()
        if line.startswith("   ── ")
    }
    assert len(days) >= 5
    assert min(days) < date(2026, 12, 2)  # the first days of the jump too, not only the last
    assert "bỏ qua" not in out
    # Beyond the simulated reach (62 days; 3 here), the jump says which days it skipped.
    monkeypatch.setattr("bot.sandbox_clock.MAX_SIMULATED_DAYS", 3)
    out = play(tmp_path, capsys, "1", ":clock +5d")
    assert "bỏ qua nhắc việc từ 26/11/2026 đến 27/11/2026; mô phỏng từng ngày từ 28/11/2026" in out


def test_the_leader_sees_months_of_activity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = play(tmp_path, capsys, "5", "/digest")
    held = re.search(r"Đã tổ chức sinh hoạt tháng 11/2026: (\d+)/283", out)
    assert held is not None and int(held[1]) > 150
    assert "Báo cáo định kỳ: đúng hạn 0" not in out


def test_a_member_answers_a_survey_and_comments_as_a_reply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sandbox answers a ForceReply prompt as a phone does: the next typed message is
    the reply. Its throwaway database gets a throwaway SURVEY_KEY."""
    import sqlite3

    from tests.auxil.clocks import IN_WINDOW

    path = tmp_path / "s.sqlite3"
    lines = iter(["1", "/survey", ":p", "7", "__link__", *["#4"] * 5, "Nên họp đúng giờ"])

    class Member(Script):
        async def __call__(self, prompt: str) -> str:
            print(prompt)
            line = next(lines, None)
            if line is None:
                raise EOFError
            if line == "__link__":
                with sqlite3.connect(path) as connection:
                    token = connection.execute(
                        "SELECT token FROM surveys WHERE unit_code = 'VPUBND-01'"
                    ).fetchone()[0]
                return f"/start ks-{token}"
            return line

    settings = Settings(_env_file=None, database_url="sqlite://")  # type: ignore[call-arg]
    asyncio.run(session(settings, path, ManualClock(IN_WINDOW), Member()))
    out = capsys.readouterr().out
    assert "https://t.me/ChiBoSandboxBot?start=ks-" in out
    assert "Câu 1/5." in out and "Đã ghi nhận câu trả lời." in out
    assert "(tin nhắn bạn gõ tiếp theo là trả lời cho tin này)" in out
    assert "Đã ghi nhận góp ý. Cảm ơn đồng chí." in out
