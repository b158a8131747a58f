"""Migrations go up, down and up again, and describe exactly the models (both backends)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import migrate
from storage.db import make_engine
from storage.models import Base


def test_stairway_upgrade_downgrade_upgrade(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    migrate.downgrade(empty_db_url, "base")
    engine = make_engine(empty_db_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate.upgrade(empty_db_url)


def test_models_match_migrations(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_the_head_chibo_run_expects_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from storage.schema_version import HEAD

    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert script.get_current_head() == HEAD
