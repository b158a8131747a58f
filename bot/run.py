"""Run modes against real Telegram (or a local Bot API server via BOT_API_BASE_URL)."""

from __future__ import annotations

import logging

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from telegram import Update

from bot.app import build_application
from bot.context import Deps
from bot.settings import Settings
from scheduler.runner import attach_scheduler
from services.clock import SystemClock
from storage.db import Database
from storage.migrate import alembic_config

log = logging.getLogger(__name__)


def schema_is_current(db: Database) -> bool:
    head = ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def run_polling(settings: Settings) -> int:
    db = Database(settings.database_url)
    if not schema_is_current(db):
        log.error("the database schema is not current: run `chibo db upgrade` first")
        return 2
    application = build_application(Deps(settings, db, SystemClock(), settings.load_policy()))
    attach_scheduler(application)  # reminders and digests: plan into the outbox, dispatch
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
