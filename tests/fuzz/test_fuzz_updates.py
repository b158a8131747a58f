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

Bounded for CI (FUZZ_EXAMPLES, default 100; derandomized so a run is repeatable);
`FUZZ_EXAMPLES=2000 FUZZ_RANDOM=1 pytest tests/fuzz` explores further.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_application
from bot.settings import Settings
from bot.transport import ApiCall, LocalTransport
from handlers.account import COMMANDS
from handlers.context import ChiboContext
from services.clock import ManualClock
from services.deps import Deps
from storage.db import Database
from storage.dialogs import load
from tests.auxil.cast import BY_KEY
from tests.auxil.clocks import T0
from tests.auxil.telegram_checks import all_problems
from tests.auxil.updates import BotHarness, callback, document, group_chat, message
from tests.auxil.writes import BOOKKEEPING_TABLES, WriteLog

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"

# Commands that may legitimately write outside a dialog (with the tables they write).
WRITING_COMMANDS: dict[str, set[str]] = {
    "subscribe": {"chat_subscriptions", "audit_log"},
    "unsubscribe": {"chat_subscriptions", "audit_log"},
    # "/away 5/12": away until then; with no deputy, the cluster officer is told (outbox).
    "away": {"people", "audit_log", "outbox"},
}

PERSONAS = ("stranger", "secretary_a", "deputy_a", "secretary_base", "cluster_2", "leader")
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
    kind: str  # "text", "command", "forged", "press", "document", "group", "auto"
    value: Any = None


# Answers a flow step would accept (the clock is T0: 26/11/2026), so conversations get deep.
PLAUSIBLE = (
    "5/12 14:00",
    "15/12/2026 8h",
    "1/11",
    "20/11",
    "Phòng họp tầng 2",
    "10",
    "11",
    "0",
    "90",
    "1h30",
    "Đồng chí Trần Văn B",
    "Chuyên đề học tập Nghị quyết",
    "Có",
    "Không",
)
cooperative = st.builds(Act, st.just("auto"), st.integers(0, 1000))
chaos = st.one_of(
    st.builds(Act, st.just("text"), free_text),
    st.builds(Act, st.just("text"), st.sampled_from(PLAUSIBLE)),
    st.builds(Act, st.just("command"), command),
    st.builds(Act, st.just("forged"), forged_callback),
    # Press the n-th button of the bot's latest message (wraps around), Cancel included.
    st.builds(Act, st.just("press"), st.integers(0, 20)),
    st.builds(Act, st.just("document"), st.sampled_from((0, 1_000, 10 * 2**20 + 1))),
    st.builds(Act, st.just("group"), st.one_of(command, free_text)),
)
# Six in ten steps cooperate, so conversations reach the ends of the flows; the rest is
# chaos injected at whatever step the conversation has reached.
action = st.integers(0, 9).flatmap(lambda k: cooperative if k < 6 else chaos)
# A conversation usually starts with a flow command, so most examples get into a flow.
opening = st.builds(
    Act, st.just("command"), st.sampled_from(["/schedule", "/record", "/rate", "/report", "/start"])
)
# Mostly people who have flows to walk through; the others still get their share.
persona = st.one_of(
    st.sampled_from(PERSONAS), st.sampled_from(("secretary_a", "deputy_a", "secretary_base"))
)
conversation = st.tuples(persona, opening, st.lists(action, min_size=6, max_size=16))


@dataclass
class Run:
    harness: BotHarness
    db: Database
    errors: list[BaseException] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)
    prompt: str = ""  # the text of the bot's latest message
    user_id: int = 0

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
    run = Run(BotHarness(app, transport), db, user_id=BY_KEY[persona_key].user.id)

    async def collect(update: object, context: ChiboContext) -> None:
        assert context.error is not None
        run.errors.append(context.error)

    app.add_error_handler(collect)
    user = BY_KEY[persona_key].user
    try:
        async with app:
            with WriteLog(db) as writes:
                for act in acts:
                    if act.kind == "auto":
                        act = sensible(run, act.value)
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
                    texts_sent = [c.text for c in calls if c.method.startswith("send") and c.text]
                    if texts_sent:
                        run.prompt = texts_sent[-1]
                    sent = [c for c in calls if c.buttons]
                    if sent:
                        run.buttons = [data for _, data in sent[-1].buttons if data]
    finally:
        db.dispose()


# What a cooperative user types, by what the prompt asks for (first match wins).
ANSWERS = (
    ("ngày giờ", "5/12 14:00"),
    ("ngày", "1/11"),
    ("địa điểm", "Phòng họp tầng 2"),
    ("chủ đề", "Học tập Nghị quyết"),
    ("lý do", "Trùng lịch công tác"),
    ("thời lượng", "90"),
    ("phút", "90"),
    ("cấp ủy", "Đồng chí Trần Văn B"),
    ("số", "10"),
    ("đảng viên", "10"),
)


def sensible(run: Run, n: int) -> Act:
    """A cooperative step: press one of the offered options (never Cancel), else type what
    the prompt asks for. Mixed with the chaotic acts, it walks the flows to their ends."""
    if not run.in_dialog(run.user_id):  # between flows: follow a link ("rate now") or start one
        links = [i for i, data in enumerate(run.buttons) if not data.startswith("d:")]
        if links and n % 3:
            return Act("press", links[n % len(links)])
        return Act("command", ("/schedule", "/record", "/rate", "/report")[n % 4])
    options = [i for i, data in enumerate(run.buttons) if not data.endswith(":c")]
    if options and n % 5 != 4:
        return Act("press", options[n % len(options)])
    prompt = run.prompt.casefold()
    month = re.search(r"tháng (\d{1,2})/(\d{4})", prompt)
    mm = int(month.group(1)) if month else 12
    for keyword, answer in ANSWERS:
        if keyword in prompt:
            if keyword == "ngày giờ":  # a future moment in the month asked about (T0: 26/11)
                answer = f"{28 if mm == 11 else 5}/{mm} 14:00"
            elif keyword == "ngày":  # a past day in the month being recorded
                answer = f"2/{mm}"
            return Act("text", answer)
    return Act("text", PLAUSIBLE[n % len(PLAUSIBLE)])


async def step(run: Run, user: Any, act: Act) -> list[ApiCall]:
    bot = run.harness
    if act.kind in ("text", "command"):
        return await bot.send(user, act.value)
    if act.kind == "group":
        return await bot.deliver(message=message(user, text=act.value, chat=group_chat()))
    if act.kind == "forged":
        return await bot.deliver(callback_query=callback(user, act.value))
    if act.kind == "press":
        data = run.buttons[act.value % len(run.buttons)]
        return await bot.deliver(callback_query=callback(user, data))
    if act.kind == "document":
        return await bot.deliver(message=message(user, document=document(act.value)))
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


@pytest.fixture(scope="module")
def fuzz_db_file(cast_db_file: Path, workdir: Path) -> Path:
    """The cast, plus one held and recorded meeting of each cell secretary's unit this month,
    so /rate has something to rate."""
    path = workdir / "template.sqlite3"
    shutil.copy(cast_db_file, path)
    connection = sqlite3.connect(path)
    with connection:
        for unit in ("VPUBND-01", "NOICHINH"):
            connection.execute(
                "INSERT INTO meeting_records (unit_code, kind, month, held, held_on, "
                "duration_minutes, present, total_members, excused_absent, minutes_taken, "
                "recorded_at, updated_at) VALUES (?, 'regular', '2026-11', 1, '2026-11-05', "
                "120, 9, 11, 1, 1, '2026-11-05 10:00:00.000000', '2026-11-05 10:00:00.000000')",
                (unit,),
            )
    connection.close()
    return path


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None if not RANDOM else settings.default.database,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(conversation)
def test_random_conversations_never_crash_or_write_from_invalid_input(
    fuzz_db_file: Path,
    workdir: Path,
    conversation: tuple[str, Act, list[Act]],
) -> None:
    persona_key, first, acts = conversation
    db_file = workdir / "fuzz.sqlite3"
    shutil.copy(fuzz_db_file, db_file)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    asyncio.run(play(db_file, persona_key, [first, *acts]))
