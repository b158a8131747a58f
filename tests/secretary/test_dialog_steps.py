"""Dialog steps are declared once per flow, and a dialog saved as text still resumes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.dialog import FLOWS
from services.clock import ManualClock
from storage import dialogs
from storage.db import Database
from storage.models import DialogState
from tests.auxil.cast import SECRETARY
from tests.auxil.updates import BotHarness, texts

pytestmark = pytest.mark.usefixtures("people")

# What storage.dialogs keeps between messages: changing a value strands every user
# whose dialog was saved under the old one.
STORED_STEPS = {
    "admission": {"unit", "kind", "date", "count", "confirm", "undo"},
    "attend": {"unit", "choose", "answer", "delegate", "reason"},
    "cluster_meeting": {"cluster", "menu", "when", "place", "agenda", "units", "confirm", "mark"},
    "complete": {"unit", "choose", "attach"},
    "directive_issue": {"title", "reference", "due", "units", "document", "confirm"},
    "rate": {"unit", "meeting", "criterion", "review"},
    "record": {
        "unit",
        "meeting",
        "held",
        "reason",
        "excused",
        "date",
        "duration",
        "total",
        "present",
        "excused_absent",
        "higher",
        "theme",
        "minutes",
        "confirm",
    },
    "report": {"unit", "choose", "attach"},
    "schedule": {
        "unit",
        "month",
        "kind",
        "manage",
        "when",
        "when_time",
        "place",
        "theme",
        "repeat",
        "reason",
        "confirm",
        "cancel_reason",
        "cancel_confirm",
    },
}


def test_every_flow_declares_its_steps_with_the_values_stored_before() -> None:
    assert {name: {str(s) for s in cls.steps} for name, cls in FLOWS.items()} == STORED_STEPS


def save(db: Database, clock: ManualClock, step: str) -> None:
    """A record dialog as the engine stored it before steps were enums: plain text."""
    data = {
        "unit": "VPUBND-01",
        "unit_name": "Chi bộ Văn phòng",
        "unit_kind": "sub_cell",
        "kind": "regular",
        "month": "2026-11",
        "_options": ["yes", "no"],
        "_text": True,
        "_documents": False,
    }
    with db.transaction() as session:
        dialogs.begin(
            session, SECRETARY.id, dialogs.Dialog("record", step, data, "0ld5tep"), clock.now()
        )


async def test_a_dialog_saved_as_text_resumes_at_its_step(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    save(db, clock, "held")
    calls = await bot.send(SECRETARY, "có")
    assert "ngày" in texts(calls)
    with db.transaction() as session:
        state = session.scalars(select(DialogState)).one()
        assert (state.flow, state.step, state.data["held"]) == ("record", "date", True)


async def test_a_dialog_at_a_step_that_no_longer_exists_ends_politely(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    save(db, clock, "signature")
    calls = await bot.send(SECRETARY, "có")
    assert "Vui lòng dùng tin nhắn mới nhất, hoặc gõ lệnh để bắt đầu lại." in texts(calls)
    with db.transaction() as session:
        assert session.scalars(select(DialogState)).all() == []
