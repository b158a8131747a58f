"""Alembic, driven from code: `chibo db upgrade` and the tests use the same path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import make_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


@dataclass(frozen=True)
class Applied:
    revision: str
    doc: str  # the migration's one-line description


def current_revision(url: str) -> str | None:
    """The database's schema revision; None for a database never upgraded."""
    engine = make_engine(url)  # a new SQLite file is created private, as everywhere
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> list[Applied]:
    """Apply the migrations up to `revision`; returns those applied, oldest first."""
    before = current_revision(url)
    command.upgrade(alembic_config(url), revision)
    return _between(before, current_revision(url))


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def _between(before: str | None, after: str | None) -> list[Applied]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    applied: list[Applied] = []
    current = script.get_revision(after) if after else None
    while current is not None and current.revision != before:
        applied.append(Applied(current.revision, (current.doc or "").strip()))
        down = current.down_revision
        current = script.get_revision(down) if isinstance(down, str) else None
    return applied[::-1]
