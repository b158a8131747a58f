"""User text shown back in chat is HTML-escaped (replies use Telegram's HTML parse mode)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.transport import ApiCall
from domain.policy import default_policy
from handlers.dialog import FLOWS
from scheduler.planner import plan_reminders
from services.clock import ManualClock
from storage.db import Database
from storage.models import OutboxMessage, Person, Unit
from tests.auxil.cast import Persona
from tests.auxil.telegram_checks import all_problems, html_problems
from tests.auxil.updates import BotHarness, button, texts


async def test_typed_text_echoed_in_a_validation_hint_is_escaped(
    bot: BotHarness, cast: dict[str, Persona]
) -> None:
    if "schedule" not in FLOWS:
        pytest.skip("schedule flow not registered")
    user = cast["secretary_a"].user
    calls = await bot.send(user, "/schedule")
    calls = await bot.press(user, button(calls, "Tháng 12/2026"))
    calls = await bot.press(user, button(calls, "thường kỳ"))
    assert "ngày giờ" in texts(calls)
    calls = await bot.send(user, "<script>alert(1)</script>")
    assert "&lt;script&gt;" in texts(calls)
    assert not all_problems(calls)


async def test_place_and_theme_with_html_are_escaped_in_the_summary(
    bot: BotHarness, cast: dict[str, Persona]
) -> None:
    if "schedule" not in FLOWS:
        pytest.skip("schedule flow not registered")
    user = cast["secretary_a"].user
    calls = await bot.send(user, "/schedule")
    calls = await bot.press(user, button(calls, "Tháng 12/2026"))
    calls = await bot.press(user, button(calls, "thường kỳ"))
    calls = await bot.send(user, "5/12 14:00")
    calls = await bot.send(user, 'Phòng <b>họp</b> & "hội trường" <a href="http://x.vn">')
    assert not all_problems(calls)
    for step in range(3):  # answer what is asked until the summary shows the place
        if "Kiểm tra lại" in texts(calls):
            break
        labels = [label for c in calls for label, _ in c.buttons]
        choice = next(label for label in labels if "Hủy" not in label)
        calls = await bot.press(user, button(calls, choice))
        assert not all_problems(calls), step
    summary = texts(calls)
    assert "Phòng &lt;b&gt;họp&lt;/b&gt; &amp;" in summary
    assert not all_problems(calls)


async def test_html_in_unit_and_person_names_is_escaped_everywhere(
    bot: BotHarness, db: Database, clock: ManualClock, cast: dict[str, Persona]
) -> None:
    """Names come from the org file and from Telegram: neither may inject markup, in replies,
    in reminders or in the digest."""
    evil = '<b>Chi bộ</b> "Văn phòng" & <a href="http://x.vn">bấm</a>'
    with db.transaction() as s:
        for code in ("VPUBND-01", "VPUBND", "C2", "DUK"):
            unit = s.get(Unit, code)
            assert unit is not None
            unit.name = f"{evil} {code}"
        for person in s.scalars(select(Person)):
            person.full_name = f"<i>{person.full_name}</i> & <u>"
    calls: list[ApiCall] = []
    for who, command in (
        ("secretary_a", "/whoami"),
        ("secretary_a", "/status"),
        ("secretary_a", "/schedule"),
        ("secretary_a", "/record"),
        ("cluster_2", "/overdue"),
        ("leader", "/digest"),
        ("leader", "/unit Chi bộ"),
        ("leader", "/cluster C2"),
    ):
        replies = await bot.send(cast[who].user, command)
        assert replies, command
        calls += replies
    shown = texts(calls)
    assert "&lt;b&gt;Chi bộ&lt;/b&gt;" in shown
    assert '<a href="http://x.vn">' not in shown
    assert not all_problems(calls), all_problems(calls)

    # Reminders rendered by the planner (every overdue day is a reminder day here).
    policy = default_policy()
    registration = replace(policy.reminders.registration, overdue_every_days=1)
    policy = replace(policy, reminders=replace(policy.reminders, registration=registration))
    assert plan_reminders(db, clock.now(), policy) > 0
    with db.transaction() as s:
        outgoing = list(s.scalars(select(OutboxMessage)))
    assert any("&lt;b&gt;Chi bộ&lt;/b&gt;" in m.text for m in outgoing)
    for m in outgoing:
        assert not html_problems(m.text), (m.dedup_key, html_problems(m.text))
