"""Each update: one database session, at most one commit, the dialog moved by one statement."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select

from storage.db import Database
from storage.models import MeetingSchedule
from tests.auxil.cast import SECRETARY
from tests.auxil.updates import BotHarness, button, texts

pytestmark = pytest.mark.usefixtures("people")


class Counts:
    def __init__(self, db: Database) -> None:
        self.sessions = 0
        self.standalone = 0
        self.commits = 0
        self.statements: list[str] = []
        tracked, plain = db.tracked_session, db._sessions

        def count_tracked() -> Any:
            self.sessions += 1
            return tracked()

        def count_plain(*args: Any, **kwargs: Any) -> Any:
            self.standalone += 1
            return plain(*args, **kwargs)

        db.tracked_session = count_tracked  # type: ignore[method-assign]
        db._sessions = count_plain  # type: ignore[assignment]
        event.listen(db.engine, "commit", self._commit)
        event.listen(db.engine, "before_cursor_execute", self._statement)

    def _commit(self, _connection: Any) -> None:
        self.commits += 1

    def _statement(self, _c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements.append(statement)

    def reset(self) -> None:
        self.sessions = self.standalone = self.commits = 0
        self.statements = []


async def test_every_update_of_a_dialog_uses_one_session_and_commits_at_most_once(
    bot: BotHarness, db: Database
) -> None:
    counts = Counts(db)
    steps = [
        lambda calls: bot.send(SECRETARY, "/help"),
        lambda calls: bot.send(SECRETARY, "/schedule"),
        lambda calls: bot.press(SECRETARY, button(calls, "Tháng 12/2026")),
        lambda calls: bot.press(SECRETARY, button(calls, "thường kỳ")),
        lambda calls: bot.send(SECRETARY, "5/12 14:00"),
        lambda calls: bot.send(SECRETARY, "Hội trường tầng 2"),
        lambda calls: bot.press(SECRETARY, button(calls, "Chỉ tháng này")),
        lambda calls: bot.press(SECRETARY, button(calls, "Xác nhận")),
        lambda calls: bot.send(SECRETARY, "/history"),
    ]
    calls: list[Any] = []
    for step in steps:
        counts.reset()
        calls = await step(calls)
        assert counts.sessions <= 1, texts(calls)
        assert counts.standalone == 0  # every use-case joined the update's transaction
        assert counts.commits <= 1
        dialog_writes = [
            s for s in counts.statements if s.lstrip().upper().startswith(("UPDATE DIALOG",))
        ]
        assert len(dialog_writes) <= 1  # one compare-and-swap per step
    with db.transaction() as session:  # and the dialog did its work
        assert session.scalars(select(MeetingSchedule.place)).all() == ["Hội trường tầng 2"]
