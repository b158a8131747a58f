"""A directive's document travels once: the first message uploads it, the others send
Telegram's file id; the directive is sent to each unit's secretary, or to the deputy
standing in for one who is away."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from telegram import Bot

from bot.transport import LocalTransport
from domain.policy import default_policy
from domain.roles import Role
from scheduler.dispatcher import Dispatcher
from services import directives
from services.clock import ManualClock
from storage.db import Database
from storage.models import Directive, Person
from tests.auxil.cast import DEPUTY_NTM, SECRETARY_NTM, SECRETARY_TNMT, bind

pytestmark = pytest.mark.usefixtures("small_bloc")


def issue(db: Database, clock: ManualClock, targets: str) -> directives.Issued:
    request = directives.DirectiveRequest(
        "Kế hoạch sửa đổi Quy chế làm việc",
        "Số 7-KH/ĐUK",
        date(2026, 12, 15),
        targets,
        document_name="ke-hoach-7.pdf",
        document_data=b"%PDF-1.4 ke hoach",
    )
    return directives.issue(
        db,
        request,
        issuer=None,
        actor_label="cli:admin",
        scope_code="DUK",
        now=clock.now(),
        policy=default_policy(),
    )


async def test_the_document_is_uploaded_once_then_sent_by_its_file_id(
    db: Database, clock: ManualClock
) -> None:
    issued = issue(db, clock, "TNMT,NTM")
    assert issued.messages == 2
    transport = LocalTransport()
    bot = Bot("1:test", request=transport, get_updates_request=transport)
    async with bot:
        dispatcher = Dispatcher(db, bot, clock, default_policy(), batch_size=1)
        await dispatcher.dispatch_once()
        await dispatcher.dispatch_once()
    sent = [c for c in transport.calls if c.method == "sendDocument"]
    assert [c.chat_id for c in sent] == [SECRETARY_NTM.id, SECRETARY_TNMT.id]
    assert "document" in sent[0].files and sent[0].files["document"] == b"%PDF-1.4 ke hoach"
    # The second is sent by the id Telegram gave the first upload.
    assert sent[1].files == {} and sent[1].params["document"].startswith("uploaded-")
    assert "Số 7-KH/ĐUK" in sent[0].text and sent[0].buttons == [
        ("✅ Xác nhận đã hoàn thành", "open:complete:NTM:1")
    ]
    with db.transaction() as s:
        row = s.scalar(select(Directive))
        assert row is not None
        assert row.document_file_id == sent[1].params["document"] and row.document_data is None


async def test_an_away_secretary_is_stood_in_for_by_the_deputy(
    db: Database, clock: ManualClock
) -> None:
    bind(db, clock.now(), DEPUTY_NTM, Role.DEPUTY, "NTM")
    with db.transaction() as s:
        s.execute(
            update(Person)
            .where(Person.telegram_user_id == SECRETARY_NTM.id)
            .values(away_until=date(2026, 12, 31))
        )
    issued = issue(db, clock, "NTM")
    assert issued.messages == 1
    transport = LocalTransport()
    bot = Bot("1:test", request=transport, get_updates_request=transport)
    clock.advance(timedelta(minutes=1))
    async with bot:
        await Dispatcher(db, bot, clock, default_policy()).dispatch_once()
    assert [c.chat_id for c in transport.calls if c.method == "sendDocument"] == [DEPUTY_NTM.id]
