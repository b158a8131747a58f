"""Hypothesis throws updates at the real Application and checks it stays well-behaved.

Each example is a short conversation by one persona (stranger, secretary, deputy,
cluster officer, leader): texts (Vietnamese, emoji, HTML, dates, code-like, over
the size limit), commands with random arguments, forged and real buttons, files,
in a private chat or a group. Real buttons are pressed too, so the conversation
wanders into every dialog state the flows have. After every update:

- no exception reached the error handler;
- every message the bot sent is valid Telegram HTML within Telegram's limits,
  every button press is answered, every private message gets an answer;
- an update that is not an answer to a dialog in progress wrote nothing except
  bookkeeping (dialog state, the invite throttle).

Bounded for CI (FUZZ_EXAMPLES, default 150; derandomized so a run is repeatable);
`FUZZ_EXAMPLES=2000 FUZZ_RANDOM=1 pytest tests/fuzz` explores further.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_application
from bot.context import ChiboContext, Deps
from bot.settings import Settings
from bot.transport import ApiCall, LocalTransport
from handlers.account import COMMANDS
from services.clock import ManualClock
from storage.db import Database
from storage.dialogs import load
from tests.cast_fixtures import cast_db_file  # noqa: F401
from tests.conftest import T0
from tests.harness import BotHarness
from tests.personas import BOOKKEEPING_TABLES, BY_KEY, WriteLog
from tests.telegram_checks import all_problems
from tests.updates import callback, deliver, document, group_chat, message

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"

# Commands that may legitimately write outside a dialog (with the tables they write).
WRITING_COMMANDS: dict[str, set[str]] = {
    "subscribe": {"chat_subscriptions", "audit_log"},
    "unsubscribe": {"chat_subscriptions", "audit_log"},
    "away": {"people", "audit_log"},  # "/away 5/12": away until then, the deputy is reminded
}

PERSONAS = ("stranger", "secretary_a", "deputy_a", "cluster_2", "leader")
UNITS = ("VPUBND-01", "VPUBND-02", "VPUBND", "TNMT-01", "C1", "C2", "DUK", "NOPE", "")
COMMAND_NAMES = (*(name for name, _ in COMMANDS), "start", "huy", "cancel", "foo", "snooze")

PHRASES = (
    "5/12",
    "05/12/2026 14:00",
    "thứ 3 tuần đầu 14h",
    "ngày 5 hằng tháng",
    "Phòng họp tầng 2",
    "Đồng chí Nguyễn Văn A, Ủy viên BTV",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "hủy",
    "/huy",
    "Có",
    "Không",
    "0",
    "11",
    "12",
    "-3",
    "999999999999",
    "1h30",
    "90 phút",
    "<b>đậm</b>",
    "<script>alert(1)</script>",
    "a & b < c > d",
    "&amp;&lt;",
    "🎉👍🏽🇻🇳",
    "ABCD-EFGH-JKMN-PQRS",
    "abcd efgh jkmn pqrs",
    "x" * 2000,
    "y" * 2001,
    " ",
    "\n\n",
    "Đ" * 600,
)

text_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
free_text = st.one_of(
    st.sampled_from(PHRASES),
    st.text(text_chars, min_size=1, max_size=40),
    st.text(text_chars, min_size=300, max_size=700),
)
command = st.builds(
    lambda name, arg, mention: f"/{name}{'@ChiBoBot' if mention else ''}{' ' + arg if arg else ''}",
    st.sampled_from(COMMAND_NAMES),
    st.one_of(st.just(""), st.sampled_from(UNITS), st.sampled_from(PHRASES), free_text),
    st.booleans(),
)
forged_callback = st.one_of(
    st.builds(
        lambda t, i: f"d:{t}:{i}",
        st.one_of(st.text("0123456789abcdef", min_size=0, max_size=10), st.just("")),
        st.one_of(st.integers(-2, 40).map(str), st.just("c"), st.just("")),
    ),
    st.builds(
        lambda flow, unit, rest: f"open:{flow}:{unit}{rest}"[:64],
        st.sampled_from(("schedule", "record", "rate", "report", "digest", "x", "")),
        st.sampled_from(UNITS),
        st.sampled_from(
            (
                "",
                ":2026-12",
                ":2026-11",
                ":regular:2026-11",
                ":thematic:2026-Q4",
                ":monthly:2026-11",
                ":9999-99",
                ":regular:1999-01",
                "::::",
            )
        ),
    ),
    st.builds(lambda rest: f"snooze:{rest}"[:64], st.text(text_chars, max_size=20)),
    st.text(text_chars, max_size=30).filter(lambda s: len(s.encode()) <= 64),
)


@dataclass(frozen=True)
class Act:
    kind: str  # "text", "command", "forged", "press", "document", "group"
    value: Any = None


action = st.one_of(
    st.builds(Act, st.just("text"), free_text),
    st.builds(Act, st.just("command"), command),
    st.builds(Act, st.just("forged"), forged_callback),
    # Press the n-th button of the bot's latest message (wraps around): real paths.
    st.builds(Act, st.just("press"), st.integers(0, 20)),
    st.builds(Act, st.just("press"), st.integers(0, 20)),
    st.builds(Act, st.just("document"), st.sampled_from((0, 1_000, 10 * 2**20 + 1))),
    st.builds(Act, st.just("group"), st.one_of(command, free_text)),
)
# A conversation usually starts with a flow command, so most examples get into a flow.
opening = st.builds(
    Act, st.just("command"), st.sampled_from(["/schedule", "/record", "/rate", "/report", "/start"])
)
conversation = st.tuples(
    st.sampled_from(PERSONAS), opening, st.lists(action, min_size=1, max_size=8)
)


@dataclass
class Run:
    harness: BotHarness
    db: Database
    errors: list[BaseException] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)

    def in_dialog(self, user_id: int) -> bool:
        with self.db.transaction() as session:
            return load(session, user_id) is not None


async def play(db_file: Path, persona_key: str, acts: list[Act]) -> None:
    db = Database(f"sqlite:///{db_file}")
    settings_ = Settings(_env_file=None, database_url=f"sqlite:///{db_file}")  # type: ignore[call-arg]
    transport = LocalTransport()
    app = build_application(
        Deps(settings_, db, ManualClock(T0)), request=transport, rate_limited=False
    )
    run = Run(BotHarness(app, transport), db)

    async def collect(update: object, context: ChiboContext) -> None:
        assert context.error is not None
        run.errors.append(context.error)

    app.add_error_handler(collect)
    user = BY_KEY[persona_key].user
    try:
        async with app:
            with WriteLog(db) as writes:
                for act in acts:
                    if act.kind == "press" and not run.buttons:
                        act = Act("command", "/help")  # nothing to press yet
                    answering = act.kind in ("text", "document") and run.in_dialog(user.id)
                    writes.clear()
                    calls = await step(run, user, act)
                    where = f"{persona_key} {act}"
                    assert run.errors == [], f"{where}: {run.errors!r}"
                    assert not all_problems(calls), f"{where}: {all_problems(calls)}"
                    check_answered(act, calls, where)
                    allowed = set(BOOKKEEPING_TABLES)
                    allowed |= WRITING_COMMANDS.get(command_name(act), set())
                    if act.kind != "press" and not answering:
                        assert writes.tables() <= allowed, f"{where} wrote {writes.writes}"
                    sent = [c for c in calls if c.buttons]
                    if sent:
                        run.buttons = [data for _, data in sent[-1].buttons if data]
    finally:
        db.dispose()


async def step(run: Run, user: Any, act: Act) -> list[ApiCall]:
    bot = run.harness
    if act.kind in ("text", "command"):
        return await bot.send(user, act.value)
    if act.kind == "group":
        return await deliver(bot, message=message(user, text=act.value, chat=group_chat()))
    if act.kind == "forged":
        return await deliver(bot, callback_query=callback(user, act.value))
    if act.kind == "press":
        data = run.buttons[act.value % len(run.buttons)]
        return await deliver(bot, callback_query=callback(user, data))
    if act.kind == "document":
        return await deliver(bot, message=message(user, document=document(act.value)))
    raise AssertionError(act)


def command_name(act: Act) -> str:
    """ "subscribe" for "/Subscribe@ChiBoBot now" (Telegram commands ignore case)."""
    if act.kind not in ("command", "group") or not str(act.value).startswith("/"):
        return ""
    words = act.value[1:].split()
    return words[0].split("@")[0].lower() if words else ""


def check_answered(act: Act, calls: list[ApiCall], where: str) -> None:
    if act.kind in ("forged", "press"):
        assert any(c.method == "answerCallbackQuery" for c in calls), f"{where}: unanswered"
    if act.kind in ("text", "command", "document"):
        assert any(c.method.startswith("send") for c in calls), f"{where}: no answer"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None if not RANDOM else settings.default.database,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(conversation)
def test_random_conversations_never_crash_or_write_from_invalid_input(
    cast_db_file: Path,  # noqa: F811
    workdir: Path,
    conversation: tuple[str, Act, list[Act]],
) -> None:
    persona_key, first, acts = conversation
    db_file = workdir / "fuzz.sqlite3"
    shutil.copy(cast_db_file, db_file)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    asyncio.run(play(db_file, persona_key, [first, *acts]))
