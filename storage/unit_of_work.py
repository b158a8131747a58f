"""One update's database work: one session, at most one commit, and its update id with it.

A handler runs its blocking work (queries, use-cases, rendering) through
`UnitOfWork.run(fn)`: `fn` runs in a worker thread, so the event loop keeps
serving other chats, and every `Database.transaction()` block it opens, in any
service, joins this unit's session instead of opening its own. When `fn`
returns, the transaction ends: rolled back if nothing was written, otherwise
committed together with the Telegram update id (storage.handled_updates). A
re-delivered update finds its id there: everything it did is rolled back and
`RepeatedUpdate` is raised, so nothing is applied twice and nothing is sent.

A service that raises after it has written (inside its joined block) leaves the
unit poisoned: its half-done writes are never committed, the whole run rolls
back and `PartialWrite` is raised, even if the caller handled the first error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.dml import UpdateBase

from storage import handled_updates

if TYPE_CHECKING:
    from storage.db import Database

T = TypeVar("T")

_current: ContextVar[UnitOfWork | None] = ContextVar("chibo_unit_of_work", default=None)


class RepeatedUpdate(Exception):
    """This update was handled (and committed) before: nothing of it is applied again."""


class PartialWrite(RuntimeError):
    """A use-case failed after writing; the update's changes were rolled back."""


class TrackedSession(Session):
    """A session that counts its writes, so a read-only update never commits."""

    writes = 0


@event.listens_for(TrackedSession, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.writes += 1  # type: ignore[attr-defined]  # a TrackedSession (the listener's target)


@event.listens_for(TrackedSession, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.writes += 1  # type: ignore[attr-defined]  # a TrackedSession, as above


def core(session: Session, statement: Any, rows: Any = None) -> Any:
    """Run a Core statement on the session's connection: bulk reads and writes skip the
    ORM's per-row work. A write still counts toward the update's one commit."""
    result = session.connection().execute(statement, rows)
    if isinstance(statement, UpdateBase) and isinstance(session, TrackedSession):
        session.writes += 1
    return result


def current_work() -> UnitOfWork | None:
    return _current.get()


class UnitOfWork:
    def __init__(self, db: Database, update_id: int | None, now: Callable[[], datetime]) -> None:
        self.db = db
        self.update_id = update_id
        self._now = now
        self._session: TrackedSession | None = None
        self._poisoned = False
        self._recorded = False
        self.commits = 0

    @property
    def session(self) -> TrackedSession:
        if self._session is None:
            self._session = self.db.tracked_session()
        return self._session

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)` in a worker thread, inside this unit; see the module doc."""
        return await asyncio.to_thread(self.call, fn, *args, **kwargs)

    def call(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """The same in this thread (for code already off the event loop)."""
        token = _current.set(self)
        try:
            result = fn(*args, **kwargs)
            self._end()
            return result
        except BaseException:
            if self._session is not None:
                self._session.rollback()
                self._session.writes = 0
            self._poisoned = False
            raise
        finally:
            _current.reset(token)

    @contextmanager
    def joined(self) -> Iterator[Session]:
        """What `Database.transaction()` yields inside this unit."""
        session = self.session
        session.flush()
        before = session.writes
        try:
            yield session
        except BaseException:
            if session.writes != before or session.new or session.dirty or session.deleted:
                self._poisoned = True
            raise

    def _end(self) -> None:
        session = self._session
        if session is None:
            return
        if self._poisoned:
            raise PartialWrite("a use-case failed after writing; nothing of this update is kept")
        session.flush()
        if not session.writes:
            session.rollback()  # ends a read transaction (PostgreSQL); no commit
            return
        if self.update_id is not None and not self._recorded:
            if not handled_updates.remember(session, self.update_id, self._now()):
                raise RepeatedUpdate(self.update_id)
            self._recorded = True
        session.commit()
        session.writes = 0
        self.commits += 1
