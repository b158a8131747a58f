"""Replies promise only what is done: each promise in a text, and the thing it promises.

Through the real Application (process_update) on the demo bloc, Thursday 26/11/2026.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.meeting_kinds import MeetingKind
from domain.policy import default_policy
from domain.roles import Role
from scheduler.dispatcher import Dispatcher
from services import ledger
from services.clock import ManualClock
from services.digest_delivery import digest_moment, plan_weekly_digests
from storage.db import Database
from tests.auxil.cast import LEADER, OFFICER_C2, SECRETARY, bind
from tests.auxil.updates import BotHarness, User, texts
from tests.leadership.seed import record, utc

GROUP = -100_555
PRIVATE_ONLY = "chỉ dùng được trong tin nhắn riêng"

pytestmark = pytest.mark.usefixtures("demo_org")


@pytest.fixture(autouse=True)
def people(db: Database, clock: ManualClock, demo_org: None) -> None:
    bind(db, clock.now(), LEADER, Role.LEADER, "DUK")
    bind(db, clock.now(), OFFICER_C2, Role.CLUSTER_OFFICER, "C2")
    bind(db, clock.now(), SECRETARY, Role.SECRETARY, "VPUBND-01")


def methods(calls: list) -> list[str]:
    return [c.method for c in calls]


# --- files -------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "command"), [(LEADER, "/digest"), (LEADER, "/cluster 2")])
async def test_the_excel_file_and_chart_promised_are_sent(
    bot: BotHarness, user: User, command: str
) -> None:
    calls = await bot.send(user, command)
    assert "tệp Excel và biểu đồ gửi ngay sau tin này" in calls[0].text
    assert methods(calls) == ["sendMessage", "sendDocument", "sendPhoto"]
    assert calls[1].text.startswith("Chi tiết tổng hợp") and calls[1].files
    assert calls[2].text.startswith("Biểu đồ tổng hợp") and calls[2].files


async def test_overdue_and_unit_promise_no_attachment(bot: BotHarness) -> None:
    calls = await bot.send(LEADER, "/overdue")
    assert methods(calls) == ["sendMessage"]
    text = calls[0].text
    assert "… và" in text  # the demo bloc's lists are cut to fit…
    assert "đính kèm" not in text and "gửi kèm" not in text
    assert "gõ /digest để nhận tệp Excel đầy đủ" in text  # …and say where the rest is
    calls = await bot.send(LEADER, "/unit VPUBND")
    assert methods(calls) == ["sendMessage"]
    assert "đính kèm" not in calls[0].text and "gửi kèm" not in calls[0].text


async def test_weekly_digest_sends_a_captioned_excel_and_the_chart_as_a_photo(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    policy = default_policy()
    clock.set(digest_moment(policy, clock.now()) + timedelta(days=7))
    plan_weekly_digests(db, clock.now(), policy)
    bot.transport.take()
    await Dispatcher(db, bot.app.bot, clock, policy).dispatch_once()
    to_leader = [c for c in bot.transport.take() if c.chat_id == LEADER.id]
    assert methods(to_leader) == ["sendMessage", "sendDocument", "sendPhoto"]
    summary, xlsx, chart = to_leader
    assert "tệp Excel và biểu đồ gửi ngay sau tin này" in summary.text
    assert xlsx.text.startswith("Chi tiết tổng hợp — Đảng bộ Khối") and "document" in xlsx.files
    assert chart.text.startswith("Biểu đồ tổng hợp") and "photo" in chart.files


# --- brackets ------------------------------------------------------------------------------


async def test_brackets_are_explained_only_when_there_are_numbers_in_brackets(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    summary = (await bot.send(LEADER, "/digest"))[0].text
    assert "Trong ngoặc" not in summary and "(+" not in summary  # nothing changed this week
    with db.transaction() as s:  # a meeting of November recorded this week
        record(s, "VPUBND-01", MeetingKind.REGULAR, "2026-11", utc(2026, 11, 24, 3), present=9,
               total=11)  # fmt: skip
    ledger.rebuild(db, clock.now(), default_policy())  # the fact went straight into the table
    summary = (await bot.send(LEADER, "/digest"))[0].text
    assert "<i>Trong ngoặc: thay đổi so với ngày 19/11/2026.</i>" in summary
    assert "(+1)" in summary


# --- names ---------------------------------------------------------------------------------


async def test_namesakes_are_told_apart_in_unit_search_and_overdue_lists(
    bot: BotHarness, clock: ManualClock
) -> None:
    text = texts(await bot.send(LEADER, "/unit van phong"))
    lines = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(lines) == 10 and len(set(lines)) == 10  # ten cells, ten different lines
    assert all(" — Đảng bộ " in line for line in lines if line.startswith("• Chi bộ Văn phòng "))
    assert "• Chi bộ Văn phòng — Đảng bộ Cục Hải quan tỉnh — <code>/unit HAIQUAN-01</code>" in text
    # On 03/12 November's meetings are due and none was recorded: a list of cells.
    clock.set(datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
    overdue = texts(await bot.send(OFFICER_C2, "/overdue"))
    assert "• Chi bộ Văn phòng — Đảng bộ cơ quan Sở Giao thông vận tải (GTVT-01) — " in overdue
    namesakes = [line for line in overdue.splitlines() if "Chi bộ Văn phòng" in line]
    assert namesakes and all("(" in line for line in namesakes)


# --- groups and menus ----------------------------------------------------------------------


async def test_help_in_a_group_lists_only_what_works_there(bot: BotHarness) -> None:
    reply = texts(await bot.send(LEADER, "/help", chat_id=GROUP, chat_type="supergroup"))
    listed = [line.split()[0] for line in reply.splitlines() if line.startswith("/")]
    assert "/status" not in listed and "/history" not in listed
    assert "/digest" in listed and "/overdue" in listed
    for command in listed:
        answer = texts(await bot.send(LEADER, command, chat_id=GROUP, chat_type="supergroup"))
        assert PRIVATE_ONLY not in answer, command


async def test_status_of_another_units_code_is_refused_and_says_why(bot: BotHarness) -> None:
    reply = texts(await bot.send(SECRETARY, "/status TNMT-01"))
    assert "Đơn vị <b>TNMT-01</b> không thuộc phạm vi của bạn" in reply
    assert "Chi bộ Văn phòng — Đảng bộ cơ quan Văn phòng UBND tỉnh (VPUBND-01)" in reply
    assert "Tình hình ngày" not in reply  # not silently their own unit
    own = texts(await bot.send(SECRETARY, "/status vpubnd-01"))
    assert "Tình hình ngày 26/11/2026" in own
    leader = texts(await bot.send(LEADER, "/status TNMT-01"))
    assert "<code>/unit TNMT-01</code>" in leader


def _menu(calls: list) -> tuple[dict, list[str]]:
    (call,) = [c for c in calls if c.method == "setMyCommands"]
    return call.params.get("scope") or {}, [c["command"] for c in call.params["commands"]]


async def test_the_command_menu_follows_the_roles_at_onboarding(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    from services.invites import create_invite

    newcomer = User(7010, "Lê Thị", "Hạnh")
    code = create_invite(
        db, role=Role.SECRETARY, unit_code="TNMT-01", now=clock.now(), ttl=timedelta(1), actor="t"
    ).code
    scope, menu = _menu(await bot.send(newcomer, f"/start {code}"))
    assert scope == {"type": "chat", "chat_id": newcomer.id}
    assert "schedule" in menu and "status" in menu
    assert "digest" not in menu and "report" not in menu  # a sub-cell reports to its committee
    # A second role (a new invite) is a role change: the menu follows it.
    code = create_invite(
        db, role=Role.CLUSTER_OFFICER, unit_code="C4", now=clock.now(), ttl=timedelta(1), actor="t"
    ).code
    _, menu = _menu(await bot.send(newcomer, f"/start {code}"))
    assert "digest" in menu and "overdue" in menu and "schedule" in menu
    _, menu = _menu(await bot.send(LEADER, "/help"))
    assert "digest" in menu and "schedule" not in menu and "away" not in menu


async def test_menus_everyone_starts_with(bot: BotHarness) -> None:
    bot.transport.take()
    assert bot.app.post_init is not None
    await bot.app.post_init(bot.app)
    default, groups = [c for c in bot.transport.take() if c.method == "setMyCommands"]
    assert [c["command"] for c in default.params["commands"]] == ["start", "help"]
    assert "scope" not in default.params
    assert groups.params["scope"] == {"type": "all_group_chats"}
    in_groups = [c["command"] for c in groups.params["commands"]]
    assert "digest" in in_groups and "status" not in in_groups and "schedule" not in in_groups


async def test_the_menu_is_not_worth_an_error(bot: BotHarness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from telegram.error import NetworkError

    async def down(*args: object, **kwargs: object) -> None:
        raise NetworkError("down")

    monkeypatch.setattr(type(bot.app.bot), "set_my_commands", down)
    reply = texts(await bot.send(SECRETARY, "/help"))
    assert "/schedule" in reply
