"""Shared pieces of the benchmarks: sizes per mode, databases, timing, a null transport."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from telegram.request import RequestData

from bot.transport import InMemoryRequest, bot_user
from storage import migrate
from storage.db import Database


@dataclass(frozen=True)
class Sizes:
    mode: str
    inbound_updates: int
    outbound_units: tuple[int, ...]
    limited_seconds: float
    digest_cells: int
    months: int
    rss_cells: int
    repeats: int
    stall: int  # /status samples, idle and while a /digest runs
    coldstart_cells: int

    def with_cells(self, cells: int) -> Sizes:
        """Every section on a bloc of `cells` cells (`--cells`)."""
        return replace(
            self,
            outbound_units=(cells,),
            digest_cells=cells,
            rss_cells=cells,
            coldstart_cells=cells,
        )


FULL = Sizes(
    mode="full",
    inbound_updates=10_000,
    outbound_units=(10_000, 100_000),
    limited_seconds=15.0,
    digest_cells=10_000,
    months=24,
    rss_cells=10_000,
    repeats=5,
    stall=300,
    coldstart_cells=1_000,
)
SHORT = Sizes(
    mode="short",
    inbound_updates=400,
    outbound_units=(300, 1_000),
    limited_seconds=3.0,
    digest_cells=300,
    months=24,
    rss_cells=300,
    repeats=2,
    stall=40,
    coldstart_cells=300,
)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


# ---------------------------------------------------------------------------
# Databases


class Workdir:
    """A scratch folder for the run's SQLite files, removed at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._names = itertools.count()

    def sqlite_url(self, name: str) -> str:
        return f"sqlite:///{self.root / f'{name}-{next(self._names)}.sqlite3'}"

    def copy_sqlite(self, url: str, name: str) -> str:
        target = self.sqlite_url(name)
        source = Path(url.removeprefix("sqlite:///"))
        # WAL mode: checkpoint first so the main file holds everything.
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        shutil.copy(source, target.removeprefix("sqlite:///"))
        return target

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def migrated_sqlite(workdir: Workdir, name: str) -> str:
    url = workdir.sqlite_url(name)
    migrate.upgrade(url)
    return url


_pg_names = itertools.count()


@contextmanager
def postgres_database(admin_url: str, name: str) -> Iterator[str]:
    """A fresh migrated PostgreSQL database on the server of `admin_url`, dropped afterwards."""
    db_name = f"chibo_bench_{name}_{os.getpid()}_{next(_pg_names)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{db_name}"'))
    url = make_url(admin_url).set(database=db_name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def counting_selects(db: Database) -> Iterator[list[str]]:
    """The SQL statements `db` runs inside the block (SELECTs and the rest)."""
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def selects(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH")))


# ---------------------------------------------------------------------------
# A Bot API that answers at once and keeps nothing


class NullTransport(InMemoryRequest):
    """Answers every call like Telegram would, in-process, and only counts them."""

    def __init__(self) -> None:
        self.calls = 0
        self.sends = 0
        self._ids = itertools.count(1)

    async def do_request(  # type: ignore[override]
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        self.calls += 1
        api_method = url.rsplit("/", 1)[-1]
        result: Any = True
        if api_method == "getMe":
            result = bot_user("B")
        elif api_method.startswith("send") and request_data is not None:
            self.sends += 1
            chat_id = request_data.parameters.get("chat_id")
            result = {
                "message_id": next(self._ids),
                "date": 1_780_000_000,
                "chat": {"id": int(str(chat_id)), "type": "private"},
                "text": "",
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()
