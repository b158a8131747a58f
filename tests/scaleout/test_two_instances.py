"""Two `chibo run --webhook` processes on one PostgreSQL: each reminder sent exactly once,
and a dialog started on one instance carries on on the other (its state is in the database).
With SEND_RATE_PER_SECOND=15 each, the pair stays under the bot's 30 messages/s.

Both processes run the real scheduler (plan and dispatch jobs) and serve the real
webhook; the Bot API is `bench.fake_bot_api.FakeBotApi` over HTTP. Each instance
gets its own BOT_API_BASE_URL path (/a/…, /b/…), so the test knows who sent what.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.fake_bot_api import Call, FakeBotApi
from domain.localtime import local_date
from domain.periods import Month
from domain.policy import default_policy
from domain.roles import Role
from services.invites import TelegramUser, Throttle, create_invite, redeem
from services.org import import_org
from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox import Outgoing, enqueue
from tests.auxil.cast import SECRETARY
from tests.auxil.orgs import DEMO_ORG
from tests.auxil.policy_files import without_quiet_hours
from tests.scaleout.helpers import free_port, message, post_update, press, webhook_bot, webhook_env

pytestmark = pytest.mark.slow

ROWS = 240


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    # Telegram's limit for the bot as a whole, and a little latency per call.
    with FakeBotApi(overall_per_second=30, group_per_minute=20, delay=0.01) as server:
        yield server


def _seed(url: str) -> None:
    db = Database(url)
    now = datetime.now(UTC)
    try:
        import_org(
            db,
            DEMO_ORG.read_text(encoding="utf-8"),
            now=now,
            actor="test",
            policy=default_policy(),
        )
        invite = create_invite(
            db,
            role=Role.SECRETARY,
            unit_code="VPUBND-01",
            now=now,
            ttl=timedelta(days=1),
            actor="test",
        )
        redeem(
            db,
            TelegramUser(SECRETARY.id, SECRETARY.full_name),
            invite.code,
            now=now,
            throttle=Throttle(5, timedelta(minutes=30)),
        )
        with db.transaction() as session:
            enqueue(
                session,
                [
                    Outgoing(
                        dedup_key=f"scaleout:{i}",
                        chat_id=3_000_000_000 + i,
                        reason="test",
                        period="p",
                        text=f"#{i}",
                        not_before=now - timedelta(minutes=1),
                    )
                    for i in range(ROWS)
                ],
                now=now,
            )
    finally:
        db.dispose()


def _reply(api: FakeBotApi, after: int, instance: str, timeout: float = 20.0) -> Call:
    """The first dialog prompt to the secretary, sent by `instance`, after call number `after`."""

    def found(a: FakeBotApi) -> Call | None:
        for call in a.sent(SECRETARY.id)[after:]:
            if any(data.startswith("d:") for _, data in call.buttons):
                return call
        return None

    assert api.wait_for(lambda a: found(a) is not None, timeout), [
        c.text for c in api.sent(SECRETARY.id)
    ]
    call = found(api)
    assert call is not None
    assert call.path.startswith(f"/{instance}/"), f"answered by {call.path}, not {instance}"
    return call


def _button(call: Call, label: str) -> str:
    for text, data in call.buttons:
        if label in text:
            return data
    raise AssertionError(f"no button {label!r} in {call.buttons}")


def test_two_instances_send_each_reminder_once_and_share_dialogs(
    pg_url: str, api: FakeBotApi, tmp_path: Path
) -> None:
    _seed(pg_url)
    policy = without_quiet_hours(tmp_path)
    ports = {"a": free_port(), "b": free_port()}
    with ExitStack() as stack:
        for name, port in ports.items():
            base = api.base_url.replace("/bot", f"/{name}/bot")
            # The bot's 30 messages/s shared by two instances (docs/deploy.md).
            env = webhook_env(
                pg_url, base, port, POLICY_FILE=str(policy), SEND_RATE_PER_SECOND="15"
            )
            stack.enter_context(webhook_bot(env, tmp_path / f"{name}.log"))

        # Conversation continuity: each step goes to the other instance.
        seen = len(api.sent(SECRETARY.id))
        assert post_update(ports["a"], message(SECRETARY.id, "/schedule")) == 200
        months = _reply(api, seen, "a")
        next_month = Month.of(local_date(datetime.now(UTC))).next()
        seen = len(api.sent(SECRETARY.id))
        choice = _button(months, f"Tháng {next_month}")
        assert post_update(ports["b"], press(SECRETARY.id, choice)) == 200
        kinds = _reply(api, seen, "b")
        assert f"tháng {next_month}" in kinds.text.lower()
        seen = len(api.sent(SECRETARY.id))
        assert post_update(ports["a"], press(SECRETARY.id, _button(kinds, "thường kỳ"))) == 200
        when = _reply(api, seen, "a")
        assert "ngày giờ" in when.text
        seen = len(api.sent(SECRETARY.id))
        typed = f"15/{next_month.month:02d}/{next_month.year} 14:00"
        assert post_update(ports["b"], message(SECRETARY.id, typed)) == 200
        place = _reply(api, seen, "b")
        assert "địa điểm" in place.text

        # Every seeded reminder delivered, none twice, by both instances.
        def delivered(a: FakeBotApi) -> int:
            return sum(1 for c in a.sent() if c.text.startswith("#"))

        deadline = time.monotonic() + 90
        while delivered(api) < ROWS and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2.0)  # a late duplicate would show up now

    sends = [c for c in api.sent() if c.text.startswith("#")]
    counts = Counter(c.text for c in sends)
    assert set(counts) == {f"#{i}" for i in range(ROWS)}, "a reminder was lost"
    assert max(counts.values()) == 1, [t for t, n in counts.items() if n > 1]
    by_instance = Counter(c.path.split("/")[1] for c in sends)
    assert set(by_instance) == {"a", "b"}, by_instance
    assert api.refused() == [], "two instances at 15/s each went over the bot's 30/s"
    db = Database(pg_url)
    try:
        with db.transaction() as session:
            statuses = Counter(
                session.scalars(select(OutboxMessage.status).where(OutboxMessage.reason == "test"))
            )
    finally:
        db.dispose()
    assert statuses == {"sent": ROWS}
