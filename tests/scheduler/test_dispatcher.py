"""The dispatcher against a fake bot: each Telegram answer leads to the right row state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.transport import LocalTransport
from domain.policy import Policy
from domain.roles import Role
from scheduler import runner as runner_module
from scheduler.dispatcher import Dispatcher
from scheduler.planner import plan_reminders
from scheduler.runner import SchedulerRunner
from services.clock import ManualClock
from storage.db import Database
from storage.models import OutboxMessage, Person
from storage.outbox import Outgoing, enqueue
from tests.auxil.cast import SECRETARY
from tests.auxil.updates import BotHarness
from tests.scheduler.helpers import FakeBot, Sim, add_person, local, outbox

CHAT = SECRETARY.id


def put(
    db: Database,
    clock: ManualClock,
    key: str,
    *,
    chat_id: int = CHAT,
    person_id: int | None = None,
    delay: timedelta = timedelta(0),
    expires: timedelta | None = None,
    buttons: list[list[dict[str, str]]] | None = None,
    attachment: bytes | None = None,
    text: str = "Nhắc việc",
) -> None:
    now = clock.now()
    with db.transaction() as session:
        enqueue(
            session,
            [
                Outgoing(
                    dedup_key=key,
                    chat_id=chat_id,
                    person_id=person_id,
                    reason="test",
                    period="p",
                    text=text,
                    not_before=now + delay,
                    expires_at=now + expires if expires is not None else None,
                    buttons=buttons,
                    attachment=attachment,
                    attachment_name="bao-cao.xlsx" if attachment else None,
                )
            ],
            now=now,
        )


@pytest.fixture
def working_hours(clock: ManualClock) -> ManualClock:
    clock.set(local("2026-12-22 09:00"))
    return clock


async def test_sends_due_rows_marks_them_and_leaves_the_rest(
    sim: Sim, db: Database, working_hours: ManualClock
) -> None:
    clock = working_hours
    put(db, clock, "due", buttons=[[{"text": "⏰", "callback_data": "snooze:{id}"}]])
    put(db, clock, "later", delay=timedelta(hours=1))
    put(db, clock, "stale", expires=timedelta(0))
    await sim.dispatch()
    rows = {r.dedup_key: r for r in outbox(db)}
    assert rows["due"].status == "sent" and rows["due"].attempts == 1
    assert rows["due"].sent_at == clock.now() and rows["due"].claimed_by is None
    assert rows["later"].status == "pending" and rows["later"].attempts == 0
    assert rows["stale"].status == "dropped"
    (sent,) = sim.bot.sent
    assert sent.buttons == [("⏰", f"snooze:{rows['due'].id}")]  # the row's own id


# RetryAfter(int) itself warns in python-telegram-bot 22 (Telegram sends seconds).
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_retry_after_waits_and_retries(
    sim: Sim, db: Database, working_hours: ManualClock
) -> None:
    put(db, working_hours, "k")
    sim.bot.failures = [RetryAfter(7)]
    await sim.dispatch()
    assert sim.sleeps == [7.0]
    (row,) = outbox(db)
    assert row.status == "sent"
    assert len(sim.bot.sent) == 1


# RetryAfter(int) itself warns in python-telegram-bot 22 (Telegram sends seconds).
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_persistent_flood_control_keeps_the_row_for_later(
    sim: Sim, db: Database, working_hours: ManualClock
) -> None:
    clock = working_hours
    put(db, clock, "k")
    sim.bot.failures = [RetryAfter(30)] * 4
    await sim.dispatch()
    (row,) = outbox(db)
    assert row.status == "pending" and row.not_before == clock.now() + timedelta(seconds=30)
    assert sim.sleeps == [30.0, 30.0, 30.0]
    clock.advance(timedelta(seconds=30))
    await sim.dispatch()
    assert outbox(db)[0].status == "sent"


@pytest.mark.parametrize("error", [NetworkError("connection reset"), TimedOut()])
async def test_network_errors_back_off_and_end_the_pass(
    sim: Sim, db: Database, working_hours: ManualClock, error: Exception
) -> None:
    clock = working_hours
    put(db, clock, "a")
    put(db, clock, "b")
    sim.bot.failures = [error]
    stats = await sim.dispatcher.dispatch_once()
    assert stats.retried == 1 and stats.sent == 0
    a, b = outbox(db)
    assert a.status == "pending" and a.attempts == 1 and a.last_error
    assert a.not_before == clock.now() + timedelta(seconds=5)
    assert b.status == "pending" and b.attempts == 0 and b.claimed_by is None  # released
    await sim.dispatch()  # b goes; a waits for its back-off
    assert [r.status for r in outbox(db)] == ["pending", "sent"]
    clock.advance(timedelta(seconds=5))
    await sim.dispatch()
    assert [r.status for r in outbox(db)] == ["sent", "sent"]


async def test_forbidden_marks_the_person_unreachable_and_a_later_delivery_heals_it(
    sim: Sim, db: Database, working_hours: ManualClock
) -> None:
    clock = working_hours
    person = add_person(db, CHAT, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01", now=clock.now())
    put(db, clock, "a", person_id=person)
    sim.bot.failures = [Forbidden("Forbidden: bot was blocked by the user")]
    await sim.dispatch()
    (row,) = outbox(db)
    assert row.status == "failed" and "blocked" in (row.last_error or "")
    with db.transaction() as s:
        assert s.get(Person, person).unreachable_since == clock.now()  # type: ignore[union-attr]
    put(db, clock, "b", person_id=person)
    await sim.dispatch()
    with db.transaction() as s:
        assert s.get(Person, person).unreachable_since is None  # type: ignore[union-attr]


async def test_bad_request_is_logged_and_failed(
    sim: Sim, db: Database, working_hours: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    put(db, working_hours, "k")
    sim.bot.failures = [BadRequest("Can't parse entities")]
    await sim.dispatch()
    (row,) = outbox(db)
    assert row.status == "failed" and "parse entities" in (row.last_error or "")
    assert "Telegram refused the message" in caplog.text


async def test_unexpected_errors_retry_a_few_times_then_fail_and_the_loop_goes_on(
    sim: Sim, db: Database, working_hours: ManualClock
) -> None:
    clock = working_hours
    put(db, clock, "bad")
    put(db, clock, "good", chat_id=202, delay=timedelta(seconds=1))
    sim.bot.failures_for[CHAT] = [ValueError("boom")] * 10
    await sim.dispatch()
    assert [r.status for r in outbox(db)] == ["pending", "pending"]
    for _ in range(6):
        clock.advance(timedelta(minutes=11))
        await sim.dispatch()
    bad, good = outbox(db)
    assert bad.status == "failed" and bad.attempts == 5 and "boom" in (bad.last_error or "")
    assert good.status == "sent"


async def test_a_group_that_became_a_supergroup_gets_the_message_at_its_new_id(
    sim: Sim, db: Database, working_hours: ManualClock
) -> None:
    put(db, working_hours, "k", chat_id=-100)
    sim.bot.failures = [ChatMigrated(-1001234)]
    await sim.dispatch()
    (row,) = outbox(db)
    assert row.status == "sent" and row.chat_id == -1001234
    assert [s.chat_id for s in sim.bot.sent] == [-1001234]


async def test_attachments_go_as_documents(
    sim: Sim, db: Database, working_hours: ManualClock
) -> None:
    put(db, working_hours, "short", attachment=b"xlsx", text="Tổng hợp")
    put(db, working_hours, "long", attachment=b"xlsx", text="x" * 2000)
    await sim.dispatch()
    short, text, document = sim.bot.sent
    assert short.document == "bao-cao.xlsx" and short.text == "Tổng hợp"
    assert text.document is None and len(text.text) == 2000
    assert document.document == "bao-cao.xlsx"


async def test_a_live_lease_is_respected_and_an_expired_one_is_taken_over(
    sim: Sim, db: Database, working_hours: ManualClock
) -> None:
    clock = working_hours
    put(db, clock, "k")
    with db.transaction() as s:  # a worker claimed it, then died
        s.execute(
            update(OutboxMessage).values(
                claimed_by="dead-worker", claimed_until=clock.now() + timedelta(seconds=120)
            )
        )
    await sim.dispatch()
    assert outbox(db)[0].status == "pending" and sim.bot.sent == []
    clock.advance(timedelta(seconds=121))
    await sim.dispatch()
    assert outbox(db)[0].status == "sent"


async def test_nothing_is_sent_in_quiet_hours_and_it_goes_in_the_morning(
    sim: Sim, db: Database, clock: ManualClock
) -> None:
    clock.set(local("2026-12-22 20:50"))
    put(db, clock, "evening", delay=timedelta(minutes=15))  # due 21:05, inside quiet hours
    await sim.run_until(local("2026-12-23 06:59"), step=timedelta(minutes=15))
    assert sim.bot.sent == []
    await sim.run_until(local("2026-12-23 07:00"))
    assert [s.when for s in sim.bot.sent] == ["2026-12-23 07:00"]


async def test_two_dispatchers_never_send_the_same_row(
    db: Database, working_hours: ManualClock, policy: Policy, demo_org: None
) -> None:
    clock = working_hours
    for i in range(30):
        put(db, clock, f"k{i}", chat_id=1000 + i)
    bot = FakeBot(clock)
    first = Dispatcher(db, bot, clock, policy, worker_id="a", batch_size=7)  # type: ignore[arg-type]
    second = Dispatcher(db, bot, clock, policy, worker_id="b", batch_size=7)  # type: ignore[arg-type]
    while (await first.dispatch_once()).claimed + (await second.dispatch_once()).claimed:
        pass
    assert sorted(s.chat_id for s in bot.sent) == list(range(1000, 1030))


async def test_the_runner_jobs_survive_any_error(
    bot: BotHarness,
    working_hours: ManualClock,
    demo_org: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    runner = SchedulerRunner(bot.app)

    async def broken() -> None:
        raise RuntimeError("database is locked")

    def failing_planner(*_: object) -> int:
        raise RuntimeError("planner bug")

    runner.dispatcher.dispatch_once = broken  # type: ignore[method-assign]
    assert (await runner.dispatch()).sent == 0
    monkeypatch.setattr(runner_module, "PLANNERS", [failing_planner, plan_reminders])
    assert await runner.plan() == {"failing_planner": -1, "plan_reminders": 0}
    assert "dispatch tick failed" in caplog.text and "planner failing_planner failed" in caplog.text


async def test_real_bot_sends_html_with_the_snooze_button(
    bot: BotHarness, db: Database, working_hours: ManualClock, policy: Policy, demo_org: None
) -> None:
    """Through python-telegram-bot's own Bot and the recording transport."""
    put(
        db,
        working_hours,
        "k",
        text="<b>Nhắc việc</b>",
        buttons=[[{"text": "⏰", "callback_data": "snooze:{id}"}]],
    )
    dispatcher = Dispatcher(db, bot.app.bot, working_hours, policy)
    bot.transport.take()
    await dispatcher.dispatch_once()
    (call,) = [c for c in bot.transport.take() if c.method == "sendMessage"]
    assert call.params["parse_mode"] == "HTML" and call.text == "<b>Nhắc việc</b>"
    with db.transaction() as s:
        row_id = s.scalar(select(OutboxMessage.id))
    assert call.buttons == [("⏰", f"snooze:{row_id}")]
    assert isinstance(bot.transport, LocalTransport)
