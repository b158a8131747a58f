"""Locks across processes: one planner at a time, one invite attempt of a user at a time.

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
from sqlalchemy.orm import Session

from storage.db import Database

# pg_advisory_lock keys are bigints shared by every client of the database: "chibo:planner".
PLANNER_LOCK = 0x636869626F706C61
# Invite attempts of one Telegram user: "ci" above the 40 bits a Telegram id needs.
_INVITE_ATTEMPTS = 0x6369 << 40


def lock_invite_attempts(session: Session, telegram_user_id: int) -> None:
    """Serialise one user's invite attempts across processes until this transaction ends.

    The throttle counts the user's recent failures, then records one more: two
    attempts at once must not both count before either records. PostgreSQL: a
    transaction-scoped advisory lock on the user. SQLite has one writer: an empty
    write takes the database's write lock, which the transaction keeps to its end.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = _INVITE_ATTEMPTS + telegram_user_id % (1 << 40)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
    else:
        session.execute(text("UPDATE invite_failures SET id = id WHERE 0"))


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
