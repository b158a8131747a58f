"""Engine and sessions: one session per update or job, one transaction per use-case."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from storage.files import secure_sqlite_file, sqlite_file
from storage.unit_of_work import TrackedSession, current_work

# Session is re-exported: services type their session parameters without importing SQLAlchemy.
__all__ = ["Database", "Session", "make_engine"]

SQLITE_BUSY_TIMEOUT_MS = 5000


def make_engine(url: str, **kwargs: Any) -> Engine:
    path = sqlite_file(url)
    if path is not None:
        secure_sqlite_file(path)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the dispatcher write while a handler reads; busy_timeout waits out a
    # concurrent writer instead of failing at once with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    if ":memory:" not in str(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit
        # costs no fsync (each update commits 1-3 times), the database stays
        # consistent, and only a power cut (not a crash of the bot) can lose the
        # last commits. The outbox then sends such a message again (at least once).
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._tracked = sessionmaker(self.engine, class_=TrackedSession, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits together, or not at all.

        Inside an update's unit of work (storage.unit_of_work) the block joins the
        update's one transaction instead, which commits once when the update's work
        is done; everywhere else (scheduler, CLI) it is a transaction of its own.
        """
        work = current_work()
        if work is not None and work.db is self:
            with work.joined() as session:
                yield session
            return
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def scratch(self) -> Iterator[Session]:
        """A session whose writes are never committed: a preview that must change nothing."""
        with self._sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    def tracked_session(self) -> TrackedSession:
        return self._tracked()

    def dispose(self) -> None:
        self.engine.dispose()
