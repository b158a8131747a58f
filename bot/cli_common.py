"""What every `chibo` subcommand module shares: the usage exit code, the actor name the
audit trail records for the command line, and the one way to refuse."""

from __future__ import annotations

import sys

from bot.settings import Settings
from storage.audit import CLI_ACTOR  # re-exported: the subcommands' actor
from storage.db import Database

__all__ = ["CLI_ACTOR", "EXIT_USAGE", "fail", "open_db"]

EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """Print `message` to stderr and return the exit code (commands `return fail(...)`)."""
    print(message, file=sys.stderr)
    return code


def open_db(settings: Settings) -> Database:
    return Database(settings.database_url)
