"""A small bloc with a secretary for every unit that meets, driven through the real
Application on a manual clock: the world of the ledger's property tests."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import build_application
from bot.settings import Settings
from bot.transport import LocalTransport
from domain.localtime import at_local
from domain.meeting_kinds import MONTHLY_KIND
from domain.org import MEETING_KINDS, UnitKind
from domain.policy import Policy, default_policy
from domain.roles import Role
from services import ledger
from services.clock import ManualClock
from services.deps import Deps
from services.org import import_org
from storage.db import Database
from storage.models import Unit
from tests.auxil.cast import LEADER, bind
from tests.auxil.orgs import SMALL_ORG
from tests.auxil.postgres import POSTGRES_URL, postgres_database
from tests.auxil.updates import BotHarness, User

START = at_local(date(2026, 11, 20), time(9, 0))


@contextmanager
def database(backend: str, template_file: Path, workdir: Path, name: str) -> Iterator[Database]:
    """A fresh migrated database of `backend` for one Hypothesis example."""
    if backend == "sqlite":
        path = workdir / f"{name}.sqlite3"
        shutil.copy(template_file, path)
        db = Database(f"sqlite:///{path}")
        try:
            yield db
        finally:
            db.dispose()
            path.unlink(missing_ok=True)
        return
    assert POSTGRES_URL, "TEST_POSTGRES_URL is not set"
    with postgres_database("chibo_template") as url:
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()


class World:
    """The bloc, its secretaries (one per unit that meets) and the leader."""

    def __init__(self, db: Database, clock: ManualClock, policy: Policy) -> None:
        self.db, self.clock, self.policy = db, clock, policy
        import_org(db, SMALL_ORG, now=clock.now(), actor="test", policy=policy)
        ledger.ensure_current(db, clock.now(), policy)  # as the running bot's first tick
        with db.transaction() as s:
            self.units = [
                (code, kind)
                for code, kind in s.execute(
                    select(Unit.code, Unit.kind)
                    .where(Unit.kind.in_(sorted(MEETING_KINDS)))
                    .order_by(Unit.path)
                )
            ]
        self.secretaries = {
            code: User(7100 + i, "Bí thư", code) for i, (code, _) in enumerate(self.units)
        }
        for code, user in self.secretaries.items():
            bind(db, clock.now(), user, Role.SECRETARY, code)
        bind(db, clock.now(), LEADER, Role.LEADER, "DUK")

    def monthly(self, code: str) -> str:
        kind: UnitKind = dict(self.units)[code]
        return MONTHLY_KIND[kind].value

    def next_day(self) -> None:
        self.clock.advance(timedelta(days=1))


@asynccontextmanager
async def running(db: Database, clock: ManualClock) -> AsyncIterator[BotHarness]:
    settings = Settings(_env_file=None, database_url=db.url, telegram_bot_token="")  # type: ignore[call-arg]
    transport = LocalTransport()
    app = build_application(Deps(settings, db, clock), request=transport, rate_limited=False)
    async with app:
        yield BotHarness(app, transport)


def world(db: Database) -> World:
    return World(db, ManualClock(START), default_policy())
