"""One grammar for unit codes, enforced at import, and the longest code fits every button.

A code with "/" would sit inside another unit's tree path, one with ":" would split
button data, and one too long would make Telegram refuse the button (64 bytes), so
that unit's /status and reminders would never arrive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.app import build_application
from bot.cli import main
from bot.settings import Settings
from bot.transport import LocalTransport
from domain.errors import PolicyError
from domain.meeting_kinds import MeetingKind
from domain.org import MAX_CODE_LENGTH, OrgFileError, parse_org_csv
from domain.policy import DEFAULT_POLICY_FILE, MAX_REPORT_TYPE_LENGTH, Policy, default_policy
from domain.roles import Role
from scheduler.planner import compute_plan
from services.clock import ManualClock
from services.deps import Deps
from services.invites import TelegramUser, Throttle, create_invite, redeem
from services.org import import_org
from storage.db import Database
from storage.models import MeetingRecord, MeetingSchedule, Unit
from tests.auxil.clocks import T0
from tests.auxil.telegram_checks import MAX_CALLBACK_DATA_BYTES
from tests.auxil.updates import BotHarness, User, texts

HEADER = "code,name,kind,parent,members\n"
# The longest code the grammar allows, using every kind of character it allows.
LONG_COMMITTEE = ("Q9-_" * 6)[:MAX_CODE_LENGTH]
LONG_CELL = ("Y8_-" * 6)[:MAX_CODE_LENGTH]
LONG_REPORT_TYPE = "bao_cao_chuyen_d"
SECRETARY_COMMITTEE = User(7101, "Bí thư", "Đảng ủy dài")
SECRETARY_CELL = User(7102, "Bí thư", "Chi bộ dài")


def test_the_longest_names_fit_their_budgets() -> None:
    assert len(LONG_COMMITTEE) == len(LONG_CELL) == MAX_CODE_LENGTH
    assert len(LONG_REPORT_TYPE) == MAX_REPORT_TYPE_LENGTH


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("C1/X", "/"),  # would sit inside the path /DUK/C1/X/ of another cluster's subtree
        ("VPUBND:01", ":"),  # would split every button of the unit
        ("A" * (MAX_CODE_LENGTH + 1), "too long"),
        ("A" * 38, "too long"),
        ("vpubnd-01", "lower case"),
        ("-VPUBND", "leading dash"),
        ("VP UBND", "space"),
        ("VPUBND.01", "dot"),
        ("ĐUK", "not A-Z"),
        ("VPUBND٠١", "other digits"),
    ],
)
def test_import_refuses_codes_outside_the_grammar(code: str, why: str) -> None:
    with pytest.raises(OrgFileError) as raised:
        parse_org_csv(f"{HEADER}DUK,Đảng bộ Khối,bloc,,\n{code},Cụm lạ,cluster,DUK,\n")
    assert str(raised.value).startswith("dòng 3: mã"), why
    assert "chữ in hoa A-Z" in str(raised.value)


def test_the_cli_lists_every_bad_line_exits_2_and_writes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    db: Database,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    org = tmp_path / "org.csv"
    org.write_text(
        f"{HEADER}OK-1,Cụm mới,cluster,DUK,\nC1/X,Cụm lạ,cluster,DUK,\n"
        f"A:B,Cụm hai chấm,cluster,DUK,\n{'L' * 38},Cụm dài,cluster,DUK,\n",
        encoding="utf-8",
    )
    with db.transaction() as s:
        before = s.scalar(select(func.count()).select_from(Unit))
    assert main(["org", "import", str(org)]) == 2
    err = capsys.readouterr().err
    assert "dòng 3: mã 'C1/X'" in err and "dòng 4: mã 'A:B'" in err and "dòng 5: mã 'LLL" in err
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Unit)) == before
        assert s.get(Unit, "OK-1") is None


def long_policy(folder: Path) -> Policy:
    """The shipped policy plus a monthly report whose type code is as long as allowed."""
    text = resources.files("domain").joinpath(DEFAULT_POLICY_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["report_types"][LONG_REPORT_TYPE] = {
        "name_vi": "Báo cáo chuyên đề",
        "period": "month",
        "due_month_offset": 0,
        "due_day": 20,
    }
    path = folder / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Policy.load(path)


@pytest.fixture
async def long_bot(
    db_url: str, db: Database, tmp_path: Path
) -> AsyncIterator[tuple[BotHarness, Policy]]:
    """A base committee and its sub-cell with the longest codes, each with a secretary and
    something of every kind to do: register, record, rate, two reports."""
    now = T0  # Thursday 26/11/2026 09:00 in Hà Nội
    import_org(
        db,
        f"{HEADER}{LONG_COMMITTEE},Đảng bộ mã dài,base_committee,C1,\n"
        f"{LONG_CELL},Chi bộ mã dài,sub_cell,{LONG_COMMITTEE},9\n",
        now=now,
        actor="test",
        policy=default_policy(),
    )
    for user, unit in ((SECRETARY_COMMITTEE, LONG_COMMITTEE), (SECRETARY_CELL, LONG_CELL)):
        code = create_invite(
            db, role=Role.SECRETARY, unit_code=unit, now=now, ttl=timedelta(1), actor="t"
        ).code
        redeem(
            db,
            TelegramUser(user.id, user.first_name),
            code,
            now=now,
            throttle=Throttle(5, timedelta(1)),
        )
    november = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
    with db.transaction() as s:
        for unit, kind in (
            (LONG_COMMITTEE, MeetingKind.COMMITTEE),
            (LONG_CELL, MeetingKind.REGULAR),
        ):
            s.add(
                MeetingSchedule(
                    unit_code=unit,
                    kind=kind,
                    month="2026-11",
                    planned_at=november,
                    place="Hội trường",
                    registered_at=november - timedelta(days=20),
                    updated_at=november,
                )
            )
        s.add(
            MeetingRecord(
                unit_code=LONG_CELL,
                kind=MeetingKind.REGULAR,
                month="2026-11",
                held=True,
                held_on=november.date(),
                duration_minutes=90,
                present=9,
                total_members=9,
                recorded_at=november,
                updated_at=november,
            )
        )
    policy = long_policy(tmp_path)
    settings = Settings(_env_file=None, database_url=db_url, telegram_bot_token="")  # type: ignore[call-arg]
    transport = LocalTransport()
    application = build_application(
        Deps(settings, db, ManualClock(now), policy), request=transport, rate_limited=False
    )
    async with application:
        yield BotHarness(application, transport), policy


async def test_the_longest_code_fits_every_kind_of_button_and_every_button_works(
    long_bot: tuple[BotHarness, Policy], db: Database
) -> None:
    bot, policy = long_bot
    buttons: dict[int, list[str]] = {}
    for user in (SECRETARY_COMMITTEE, SECRETARY_CELL):
        calls = await bot.send(user, "/status")
        buttons[user.id] = [data for call in calls for _, data in call.buttons]
    with db.transaction() as session:
        plan = compute_plan(session, T0.replace(hour=1), policy, respect_runs=False)
    for message in plan.messages:
        if message.outgoing.chat_id in buttons:
            rows = message.outgoing.buttons or []
            buttons[message.outgoing.chat_id] += [b["callback_data"] for row in rows for b in row]

    every = [data for found in buttons.values() for data in found]
    kinds = {
        ":".join(d.split(":")[:2]) if d.startswith("open:") else d.split(":")[0] for d in every
    }
    assert kinds >= {"open:schedule", "open:record", "open:rate", "open:report", "snooze"}
    assert any(f":{LONG_COMMITTEE}:committee:" in d for d in every)
    assert any(f":{LONG_REPORT_TYPE}:" in d for d in every)
    too_long = [d for d in every if len(d.encode()) > MAX_CALLBACK_DATA_BYTES]
    assert too_long == []

    for user_id, found in buttons.items():
        user = SECRETARY_COMMITTEE if user_id == SECRETARY_COMMITTEE.id else SECRETARY_CELL
        for data in dict.fromkeys(d for d in found if d.startswith("open:")):
            calls = await bot.press(user, data)
            reply = texts(calls)
            assert "Nút này" not in reply and "không thuộc" not in reply, (data, reply)
            labels = [label for call in calls for label, _ in call.buttons]
            assert any("Hủy" in label for label in labels), (data, reply)  # a flow's first step
            await bot.send(user, "hủy")


@pytest.mark.parametrize("code", ["x" * (MAX_REPORT_TYPE_LENGTH + 1), "bao:cao", "Monthly"])
def test_the_policy_refuses_report_type_codes_that_would_not_fit_a_button(
    tmp_path: Path, code: str
) -> None:
    text = resources.files("domain").joinpath(DEFAULT_POLICY_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["report_types"][code] = data["report_types"]["monthly"]
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyError, match="mã loại báo cáo"):
        Policy.load(path)
