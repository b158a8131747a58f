"""One planner at a time across instances: a PostgreSQL advisory lock; SQLite has one process.

Several `chibo run --webhook` instances share one PostgreSQL database. Each runs
the plan job every few minutes; planning is idempotent (unique outbox keys and
`planner_runs`), so two planners at once would not duplicate a message, but they
would do the same heavy work twice and race on the same rows. The instance that
gets the lock plans; the others skip that tick and try again on the next one. The
lock is session-level on a connection of its own, released when the planners
finish, or by PostgreSQL if the instance dies (its connection closes).

On SQLite the lock is always granted: one process owns the file (README,
"Benchmarks and scale-out").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from storage.db import Database

# pg_advisory_lock keys are bigints shared by every client of the database: "chibo:planner".
PLANNER_LOCK = 0x636869626F706C61


@contextmanager
def advisory_lock(db: Database, key: int = PLANNER_LOCK) -> Iterator[bool]:
    """Try to take the lock without waiting; yields whether this process holds it."""
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    with db.engine.connect() as connection:
        held = bool(
            connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        )
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()
