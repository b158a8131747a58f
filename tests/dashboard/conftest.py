"""An HTTP client on the real web application (ASGI, in-process), on the demo bloc after
four months of use (tests/dashboard/world.py).

The bloc's history takes seconds to load, so each test copies a database loaded once
per run (a file on SQLite, a template database on PostgreSQL).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from services.clock import ManualClock
from storage.db import Database
from tests.conftest import T0, postgres_database
from tests.dashboard.world import Sent, launch_data, live_demo, web_deps
from tests.harness import User
from web import app as web_app
from web.deps import WebDeps


@dataclass
class WebClient:
    http: httpx.AsyncClient
    clock: ManualClock
    deps: WebDeps
    sent: list[Sent] = field(default_factory=list)

    async def get(
        self, path: str, user: User | None = None, *, init_data: str | None = None, **params: Any
    ) -> httpx.Response:
        return await self.http.get(path, params=params, headers=self._auth(user, init_data))

    async def post(self, path: str, user: User | None = None, **params: Any) -> httpx.Response:
        return await self.http.post(path, params=params, headers=self._auth(user, None))

    def _auth(self, user: User | None, init_data: str | None) -> dict[str, str]:
        if init_data is None and user is not None:
            init_data = launch_data(user, self.clock.now())
        return {"Authorization": f"tma {init_data}"} if init_data is not None else {}


@pytest.fixture(scope="session")
def lived_sqlite(tmp_path_factory: pytest.TempPathFactory, migrated_db_file: Path) -> Path:
    path = tmp_path_factory.mktemp("lived") / "lived.sqlite3"
    shutil.copy(migrated_db_file, path)
    db = Database(f"sqlite:///{path}")
    live_demo(db, ManualClock(T0))
    db.dispose()
    return path


@pytest.fixture
def db_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, lived_sqlite: Path
) -> Iterator[str]:
    """A database of the test's backend holding the lived demo bloc, private to the test."""
    if backend == "sqlite":
        path = tmp_path / "chibo.sqlite3"
        shutil.copy(lived_sqlite, path)
        yield f"sqlite:///{path}"
        return
    with postgres_database(request.getfixturevalue("lived_postgres")) as url:
        yield url


@pytest.fixture(scope="session")
def lived_postgres(postgres_template: str) -> Iterator[str]:
    """A PostgreSQL template database holding the lived demo bloc (each test copies it)."""
    with postgres_database(postgres_template) as url:
        db = Database(url)
        live_demo(db, ManualClock(T0))
        db.dispose()
        yield make_url(url).database or ""


@pytest.fixture
async def web(db: Database, clock: ManualClock) -> AsyncIterator[WebClient]:
    sent: list[Sent] = []
    deps = web_deps(db, clock, sent)
    transport = httpx.ASGITransport(app=web_app.build(deps))
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as http:
        yield WebClient(http, clock, deps, sent)
