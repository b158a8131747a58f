from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import build_application
from bot.context import Deps
from bot.settings import Settings
from bot.transport import LocalTransport
from services.clock import ManualClock
from services.org import import_org
from storage import migrate
from storage.db import Database
from tests.harness import BotHarness

DEMO_ORG = Path(__file__).resolve().parent.parent / "bot" / "demo" / "org.csv"
# 09:00 in Hà Nội on a Thursday.
T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def migrated_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per run (through Alembic, as in production); each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(tmp_path: Path, migrated_db_file: Path) -> str:
    path = tmp_path / "chibo.sqlite3"
    shutil.copy(migrated_db_file, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(_env_file=None, database_url=db_url, telegram_bot_token="")  # type: ignore[call-arg]


@pytest.fixture
def demo_org(db: Database, clock: ManualClock) -> None:
    import_org(db, DEMO_ORG.read_text(encoding="utf-8"), now=clock.now(), actor="test")


@pytest.fixture
async def bot(settings: Settings, db: Database, clock: ManualClock) -> AsyncIterator[BotHarness]:
    transport = LocalTransport()
    application = build_application(
        Deps(settings, db, clock), request=transport, rate_limited=False
    )
    async with application:
        yield BotHarness(application, transport)
