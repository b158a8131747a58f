"""`chibo reminders plan` previews without writing; the sandbox's virtual clock delivers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.sandbox import TerminalChat, prepare_database
from bot.sandbox_clock import SandboxClock, parse_target
from bot.settings import Settings
from bot.transport import LocalTransport
from domain.policy import default_policy
from domain.roles import Role
from services.clock import ManualClock
from storage.db import Database
from storage.models import OutboxMessage, PlannerRun
from tests.auxil.cast import OFFICER_C2, SECRETARY
from tests.scheduler.helpers import add_person, local, settle_month


def test_plan_preview_json_shows_who_gets_what_and_writes_nothing(
    sqlite_only: None,
    db_url: str,
    db: Database,
    clock: ManualClock,
    demo_org: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_person(db, SECRETARY.id, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now())
    add_person(db, OFFICER_C2.id, "Vũ Thị Giang", Role.CLUSTER_OFFICER, "C2", now=clock.now())
    settle_month(db, "2026-12", now=clock.now())
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["reminders", "plan", "--at", "2026-12-28 08:00", "--json"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert preview["at"] == "2026-12-28T08:00:00+07:00" and preview["count"] == 2
    binh, giang = sorted(preview["messages"], key=lambda m: m["chat_id"])
    assert binh["dedup_key"] == "rem:1:2026-12-28:0800" and binh["slot"] == "0800"
    assert binh["not_before"] == "2026-12-28T08:00:00+07:00"
    assert binh["expires_at"] == "2026-12-28T21:00:00+07:00"
    assert [(i["unit"], i["type"], i["days_late"]) for i in binh["items"]] == [
        ("VPUBND-01", "registration", 3)
    ]
    assert "open:schedule:VPUBND-01:2027-01" in binh["buttons"]
    assert len(giang["escalated_units"]) == 44 and giang["items"] == []
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert session.scalar(select(func.count()).select_from(PlannerRun)) == 0

    assert main(["reminders", "plan", "--at", "2026-12-28 08:00"]) == 0
    text = capsys.readouterr().out
    assert "Xem trước nhắc việc lúc 08:00 28/12/2026" in text
    assert f"Trần Thị Bình (chat {SECRETARY.id})" in text and "Tổng cộng 2 tin nhắn." in text
    assert main(["reminders", "plan", "--at", "28/12/2026"]) == 2


def test_parse_target() -> None:
    start = local("2026-12-01 08:00")
    assert parse_target("+2d", start) == local("2026-12-03 08:00")
    assert parse_target("+1d6h", start) == local("2026-12-02 14:00")
    assert parse_target("+30m", start) == local("2026-12-01 08:30")
    assert parse_target("2026-12-24 16:00", start) == local("2026-12-24 16:00")
    with pytest.raises(ValueError):
        parse_target("mai", start)


async def test_sandbox_clock_jump_delivers_reminders_to_the_persona(
    sqlite_only: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.app import build_application
    from services.deps import DEPS_KEY, Deps

    clock = ManualClock(local("2026-12-20 09:00"))
    db, _ = prepare_database(tmp_path / "sandbox.sqlite3", clock, default_policy(), history=False)
    settle_month(db, "2026-12", now=clock.now())
    transport = LocalTransport()
    settings = Settings(_env_file=None, database_url=db.url)  # type: ignore[call-arg]
    application = build_application(
        Deps(settings, db, clock), request=transport, rate_limited=False
    )
    async with application:
        chat = TerminalChat(application, transport)
        chat.virtual_time = SandboxClock(chat, clock, application.bot_data[DEPS_KEY])
        await chat.virtual_time.command(":time")
        await chat.virtual_time.command(":clock +2d")
        out = capsys.readouterr().out
        assert "[đồng hồ ảo] 09:00 20/12/2026" in out
        assert "── 08:00 22/12/2026 ──" in out
        assert "Đăng ký lịch sinh hoạt tháng 01/2027: hạn 25/12/2026 (còn 3 ngày)" in out
        assert "[#2] ⏰ Nhắc lại sau 2 giờ" in out
        await chat.press(2)  # snooze
        await chat.virtual_time.command(":clock +3h")
        out = capsys.readouterr().out
        assert "Đã hẹn: bot sẽ nhắc lại lúc 11:00 22/12/2026." in out
        assert "── 11:00 22/12/2026 ──" in out
        await chat.virtual_time.command(":clock 2026-12-22 23:00")
        assert "giờ yên lặng 21:00–07:00" in capsys.readouterr().out
        chat.persona = next(p for p in _personas() if p.user_id == 104)  # the cluster officer
        chat.virtual_time.show_inbox()
        assert "tin nhắn đến trong lúc bạn vắng mặt" in capsys.readouterr().out
    db.dispose()


def _personas():  # type: ignore[no-untyped-def]
    from bot.sandbox import PERSONAS

    return PERSONAS
