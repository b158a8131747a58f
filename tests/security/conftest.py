"""Every security test runs on the demo bloc with the whole cast bound (a copy of the
`cast_db_file` template: a few milliseconds per test)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from handlers.context import ChiboContext
from storage.db import Database
from tests.auxil.cast import BY_KEY, Persona
from tests.auxil.updates import BotHarness
from tests.auxil.writes import WriteLog


@pytest.fixture
def db_url(tmp_path: Path, cast_db_file: Path) -> str:
    path = tmp_path / "chibo.sqlite3"
    shutil.copy(cast_db_file, path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_org() -> None:
    """Already in the template."""


@pytest.fixture
def cast(db_url: str) -> dict[str, Persona]:
    return BY_KEY


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
