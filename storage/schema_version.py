"""The schema revision this code expects, checked at start without importing Alembic.

Alembic takes a fifth of a second to import and reads every migration file to find
its head; `chibo run` only needs to know the database is at this revision.
`tests/test_migrations.py` checks `HEAD` is Alembic's head, so it cannot drift.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from storage.db import Database

HEAD = "0008_dashboard"


def current(db: Database) -> str | None:
    """The revision stamped in the database (None: never migrated)."""
    try:
        with db.engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None
