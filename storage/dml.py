"""What an UPDATE or DELETE reports back."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def rows_affected(result: Result[Any]) -> int:
    """How many rows the statement touched (Session.execute types its result as a plain
    Result; for DML it is a CursorResult)."""
    return int(cast("CursorResult[Any]", result).rowcount or 0)
