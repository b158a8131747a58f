"""Fixtures for suites that need the demo bloc and the whole cast on every test.

Built once per session into a template file (org import + eight invites redeemed),
then copied per test: a test still gets its own database, in a few milliseconds.
Import them into a conftest: `from tests.cast_fixtures import cast, cast_db_file, db_url,
demo_org`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from domain.policy import default_policy
from services.org import import_org
from storage.db import Database
from tests.conftest import DEMO_ORG, T0
from tests.personas import BY_KEY, Persona, bind_personas


@pytest.fixture(scope="session")
def cast_db_file(tmp_path_factory: pytest.TempPathFactory, migrated_db_file: Path) -> Path:
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
