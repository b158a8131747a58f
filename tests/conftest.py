from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.app import build_application
from bot.settings import Settings
from bot.transport import LocalTransport
from domain.policy import default_policy
from services.clock import ManualClock
from services.deps import Deps
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


# Tests under these folders run on SQLite and on PostgreSQL (TEST_POSTGRES_URL, set by
# scripts/test via scripts/postgres): storage, the outbox and the digest queries.
BOTH_BACKENDS = (
    "tests/storage/",
    "tests/scheduler/",
    "tests/leadership/",
    "tests/ledger/",
    "tests/survey/",
    "tests/grading/",
    "tests/admissions/",
    "tests/test_migrations.py",
    "tests/dashboard/test_heatmap_agrees.py",
)
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    path = Path(str(metafunc.definition.fspath)).as_posix()
    both = any(f"/{p}" in path for p in BOTH_BACKENDS)
    metafunc.parametrize("backend", ["sqlite", "postgresql"] if both else ["sqlite"])


@pytest.fixture(scope="session")
def postgres_template() -> str:
    """A migrated template database; each test gets a copy (CREATE DATABASE … TEMPLATE)."""
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set (scripts/test sets it via scripts/postgres)")
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS chibo_template WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE chibo_template"))
    admin.dispose()
    url = make_url(POSTGRES_URL).set(database="chibo_template")
    migrate.upgrade(url.render_as_string(hide_password=False))
    return "chibo_template"


_pg_names = itertools.count()


@contextmanager
def postgres_database(template: str | None = None) -> Iterator[str]:
    """A fresh PostgreSQL database (a copy of `template`, or empty), dropped afterwards."""
    name = f"chibo_t{os.getpid()}_{next(_pg_names)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    copy = f" TEMPLATE {template}" if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, migrated_db_file: Path
) -> Iterator[str]:
    """A migrated database of the test's backend, private to the test."""
    if backend == "sqlite":
        path = tmp_path / "chibo.sqlite3"
        shutil.copy(migrated_db_file, path)
        yield f"sqlite:///{path}"
        return
    with postgres_database(request.getfixturevalue("postgres_template")) as url:
        yield url


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's backend: for migration tests."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set (scripts/test sets it via scripts/postgres)")
    with postgres_database() as url:
        yield url


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
    import_org(
        db,
        DEMO_ORG.read_text(encoding="utf-8"),
        now=clock.now(),
        actor="test",
        policy=default_policy(),
    )


@pytest.fixture
async def bot(settings: Settings, db: Database, clock: ManualClock) -> AsyncIterator[BotHarness]:
    transport = LocalTransport()
    application = build_application(
        Deps(settings, db, clock), request=transport, rate_limited=False
    )
    async with application:
        yield BotHarness(application, transport)
