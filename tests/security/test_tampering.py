"""Forged buttons and typed arguments: another unit's code, a stale or invented dialog
token, a wrong option index. Each is refused and writes nothing.

Flow-entry buttons (in reminders) carry `open:<flow>:<UNIT>:...`; the unit in the
button is data from the client, so the handler must check it against the presser's
own scope, never trust it.
"""

from __future__ import annotations

import pytest

from handlers.dialog import FLOWS
from messages.render import render
from storage.db import Database
from storage.dialogs import load
from tests.auxil.cast import Persona
from tests.auxil.telegram_checks import all_problems
from tests.auxil.updates import BotHarness, button, callback, group_chat, texts
from tests.auxil.writes import BOOKKEEPING_TABLES, WriteLog

OUT_OF_SCOPE = render("unit_out_of_scope", "vi")
STALE = render("dialog_stale", "vi")


def needs_flow(name: str) -> None:
    if name not in FLOWS:
        pytest.skip(f"the {name!r} flow is not registered yet (secretary flows still landing)")


def dialog_token(db: Database, user_id: int) -> str | None:
    with db.transaction() as session:
        dialog = load(session, user_id)
        return dialog.token if dialog else None


@pytest.mark.parametrize(
    ("who", "data"),
    [
        ("secretary_a", "open:schedule:TNMT-01:2026-12"),
        ("secretary_a", "open:record:TNMT-01:regular:2026-11"),
        ("secretary_a", "open:rate:TNMT-01:regular:2026-11"),
        ("secretary_a", "open:report:TNMT-01:monthly:2026-11"),
        ("secretary_a", "open:schedule:VPUBND:2026-12"),  # the parent committee is not theirs
        ("secretary_b", "open:schedule:VPUBND-01:2026-12"),
        ("deputy_a", "open:schedule:VPUBND-01:2026-12"),  # a sibling cell
        ("deputy_a", "open:record:VPUBND-01:regular:2026-11"),
    ],
)
async def test_another_units_flow_button_is_refused(
    bot: BotHarness,
    cast: dict[str, Persona],
    writes: WriteLog,
    errors: list[BaseException],
    who: str,
    data: str,
) -> None:
    needs_flow(data.split(":")[1])
    calls = await bot.press(cast[who].user, data)
    assert OUT_OF_SCOPE[:150] in texts(calls)
    assert writes.writes == [], "a refused button wrote (or started a dialog)"
    assert errors == []


async def test_own_units_flow_button_opens_the_flow(
    bot: BotHarness, db: Database, cast: dict[str, Persona], errors: list[BaseException]
) -> None:
    """The control case for the refusals above."""
    needs_flow("schedule")
    user = cast["secretary_a"].user
    calls = await bot.press(user, "open:schedule:VPUBND-01:2026-12")
    assert OUT_OF_SCOPE[:150] not in texts(calls)
    assert dialog_token(db, user.id) is not None
    assert errors == []


@pytest.mark.parametrize("command", ["schedule", "record", "rate", "report"])
async def test_typed_unit_argument_outside_scope_is_refused(
    bot: BotHarness,
    cast: dict[str, Persona],
    writes: WriteLog,
    errors: list[BaseException],
    command: str,
) -> None:
    needs_flow("rate" if command == "rate" else command)
    for arg in ("TNMT-01", "tnmt-01", "VPUBND", "DUK", "NOPE", "<b>x</b>"):
        calls = await bot.send(cast["secretary_a"].user, f"/{command} {arg}")
        assert OUT_OF_SCOPE[:150] in texts(calls), (command, arg, texts(calls))
        assert not all_problems(calls)
    assert writes.writes == []
    assert errors == []


@pytest.mark.parametrize(
    "data",
    [
        "open:schedule:VPUBND-01:9999-99",
        "open:schedule:VPUBND-01:1900-01",
        "open:schedule:VPUBND-01:<b>",
        "open:record:VPUBND-01:bogus:2026-11",
        "open:record:VPUBND-01:regular:2099-13",
        "open:rate:VPUBND-01:regular:",
        "open:report:VPUBND-01:nonsense:2026-Q9",
        "open:schedule:VPUBND-01",
        "open:schedule:VPUBND-01:2026-12:extra",
        "open:nosuchflow:VPUBND-01:2026-12",
        "open:",
        "open:::::::",
    ],
)
async def test_malformed_flow_buttons_of_ones_own_unit_write_nothing(
    bot: BotHarness,
    cast: dict[str, Persona],
    writes: WriteLog,
    errors: list[BaseException],
    data: str,
) -> None:
    needs_flow("schedule")
    calls = await bot.press(cast["secretary_a"].user, data)
    assert calls, "the press got no answer at all"
    assert not all_problems(calls)
    # At most the dialog state (a flow that then says the button has expired).
    assert writes.tables() <= BOOKKEEPING_TABLES, writes.writes
    assert errors == []


async def test_forged_and_replayed_dialog_buttons_are_stale(
    bot: BotHarness,
    db: Database,
    cast: dict[str, Persona],
    writes: WriteLog,
    errors: list[BaseException],
) -> None:
    needs_flow("schedule")
    a, b = cast["secretary_a"].user, cast["secretary_b"].user
    first = await bot.send(a, "/schedule")
    token = dialog_token(db, a.id)
    assert token is not None
    real = button(first, "Tháng")
    assert real.startswith(f"d:{token}:")

    writes.clear()
    forged = [
        f"d:{token}:99",
        f"d:{token}:-1",
        f"d:{token}:abc",
        f"d:{token}:",
        f"d:{token}",
        "d:deadbeef:0",
        "d::0",
        "d:" + "f" * 60,
    ]
    for data in forged:
        calls = await bot.press(a, data)
        assert STALE[:150] in texts(calls), (data, texts(calls))
    # Another user pressing a's real button (or with a's token): b has no such dialog.
    calls = await bot.press(b, real)
    assert STALE[:150] in texts(calls)
    assert writes.writes == [], writes.writes
    assert dialog_token(db, a.id) == token, "a forged press moved the dialog"

    moved = await bot.press(a, real)  # the real button still works once
    assert STALE[:150] not in texts(moved)
    assert dialog_token(db, a.id) != token
    again = await bot.press(a, real)  # and only once
    assert STALE[:150] in texts(again)
    assert errors == []


async def test_flow_buttons_in_a_group_are_refused(
    bot: BotHarness, cast: dict[str, Persona], writes: WriteLog, errors: list[BaseException]
) -> None:
    needs_flow("schedule")
    user = cast["secretary_a"].user
    for data in ("open:schedule:VPUBND-01:2026-12", "d:deadbeef:0"):
        calls = await bot.deliver(callback_query=callback(user, data, chat=group_chat()))
        assert render("private_only", "vi")[:150] in texts(calls)
    assert writes.writes == []
    assert errors == []


async def test_rate_button_without_a_held_record_is_explained_not_an_error(
    bot: BotHarness, cast: dict[str, Persona], writes: WriteLog, errors: list[BaseException]
) -> None:
    needs_flow("rate")
    calls = await bot.press(cast["secretary_a"].user, "open:rate:VPUBND-01:regular:2026-11")
    assert writes.tables() <= BOOKKEEPING_TABLES
    assert errors == [], errors
    assert render("error", "vi")[:80] not in texts(calls)
