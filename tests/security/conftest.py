from __future__ import annotations

from collections.abc import Iterator

import pytest

from handlers.context import ChiboContext
from storage.db import Database
from tests.cast_fixtures import cast, cast_db_file, db_url, demo_org  # noqa: F401
from tests.harness import BotHarness
from tests.personas import WriteLog


@pytest.fixture
def errors(bot: BotHarness) -> list[BaseException]:
    """Every exception that reached the application's error handler during the test."""
    caught: list[BaseException] = []

    async def collect(update: object, context: ChiboContext) -> None:
        assert context.error is not None
        caught.append(context.error)

    bot.app.add_error_handler(collect)
    return caught


@pytest.fixture
def writes(db: Database) -> Iterator[WriteLog]:
    """Writes made through the test's database during the test."""
    with WriteLog(db) as log:
        yield log
