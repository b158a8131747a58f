"""The ledger's rows as comparable values: incremental rows must equal a rebuild."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.policy import Policy
from services import ledger
from services.clock import ManualClock
from storage.db import Database
from storage.models import LedgerEntry

_COLUMNS = [c for c in LedgerEntry.__table__.columns if c.name not in ("id", "updated_at")]


def ledger_rows(db: Database) -> list[tuple[Any, ...]]:
    with db.transaction() as s:
        return sorted(tuple(row) for row in s.execute(select(*_COLUMNS)))


def assert_equals_rebuild(db: Database, clock: ManualClock, policy: Policy) -> None:
    """The rows kept in step with every fact are exactly the rows rebuilt from the facts."""
    ledger.ensure_current(db, clock.now(), policy)
    kept = ledger_rows(db)
    assert kept, "the ledger is empty: nothing was tested"
    changed = ledger.rebuild(db, clock.now(), policy)
    rebuilt = ledger_rows(db)
    missing = set(rebuilt) - set(kept)
    extra = set(kept) - set(rebuilt)
    assert (changed, missing, extra) == (0, set(), set())
