"""Fixtures every suite may use: databases of either backend, the clock, the settings,
the demo bloc, the bot on a local transport. Helpers live in tests/auxil."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
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
from tests.auxil.cast import bind_personas
from tests.auxil.clocks import T0
from tests.auxil.orgs import DEMO_ORG
from tests.auxil.postgres import POSTGRES_URL, postgres_database
from tests.auxil.updates import BotHarness

TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def migrated_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per run (through Alembic, as in production); each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


# Tests (folders or files) whose `backend` fixture is parametrized over SQLite and
# PostgreSQL (TEST_POSTGRES_URL, set by scripts/test via scripts/postgres): the outbox and
# scheduler, the digest queries, the ledger, surveys, grading, admissions, the migrations
# and the dashboard's heat map. Every other test that asks for `backend` runs on SQLite.
ALSO_ON_POSTGRES = (
    "scheduler/",
    "leadership/",
    "ledger/",
    "survey/",
    "grading/",
    "admissions/",
    "test_migrations.py",
    "dashboard/test_heatmap_agrees.py",
)


def pytest_configure(config: pytest.Config) -> None:
    missing = [p for p in ALSO_ON_POSTGRES if not (TESTS / p).exists()]
    if missing:
        raise pytest.UsageError(f"ALSO_ON_POSTGRES names what does not exist: {missing}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    path = Path(str(metafunc.definition.fspath)).resolve().relative_to(TESTS).as_posix()
    both = any(path.startswith(p) for p in ALSO_ON_POSTGRES)
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


@pytest.fixture(scope="session")
def cast_db_file(tmp_path_factory: pytest.TempPathFactory, migrated_db_file: Path) -> Path:
    """The demo bloc with the whole cast bound (tests.auxil.cast.PERSONAS), built once per
    run: suites that need it on every test copy it (see tests/security/conftest.py)."""
    path = tmp_path_factory.mktemp("cast") / "cast.sqlite3"
    shutil.copy(migrated_db_file, path)
    database = Database(f"sqlite:///{path}")
    try:
        import_org(
            database,
            DEMO_ORG.read_text(encoding="utf-8"),
            now=T0,
            actor="test",
            policy=default_policy(),
        )
        bind_personas(database, T0)
    finally:
        database.dispose()
    return path
