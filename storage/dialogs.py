"""Dialog state rows: where each user is in a multi-step flow.

A step reads the row once (`load`) and moves it with one compare-and-swap
statement on its `token` (`advance`, `finish`): of two presses of the same
button, or two instances serving the same user, only the first moves the
dialog; the other finds the token changed (`DialogMoved`), and its whole
transaction, any use-case write included, rolls back. Statements are built once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.dml import rows_affected
from storage.models import DialogState


@dataclass(frozen=True)
class Dialog:
    flow: str
    step: str
    data: dict[str, Any]
    token: str


class DialogMoved(Exception):
    """The dialog is no longer at the token this step started from."""


def new_token() -> str:
    return secrets.token_hex(4)


# Core statements on the table (not the mapped class): no ORM bookkeeping per step.
_T: Table = DialogState.__table__  # type: ignore[assignment]  # a mapped class's table is a Table
_USER = _T.c.telegram_user_id == bindparam("user_id")
_LOAD = select(_T.c.flow, _T.c.step, _T.c.data, _T.c.token).where(_USER)
_ADVANCE = (
    update(_T)
    .where(_USER, _T.c.token == bindparam("expected"))
    .values(
        flow=bindparam("flow"),
        step=bindparam("step"),
        data=bindparam("data"),
        token=bindparam("token"),
        updated_at=bindparam("now"),
    )
)
_FINISH = delete(_T).where(_USER, _T.c.token == bindparam("expected"))
_CLEAR = delete(_T).where(_USER)


def _upsert(dialect: str) -> Any:
    module = postgresql if dialect == "postgresql" else sqlite
    insert = module.insert(_T)
    return insert.on_conflict_do_update(
        index_elements=["telegram_user_id"],
        set_={
            "flow": insert.excluded.flow,
            "step": insert.excluded.step,
            "data": insert.excluded.data,
            "token": insert.excluded.token,
            "updated_at": insert.excluded.updated_at,
        },
    )


_BEGIN = {name: _upsert(name) for name in ("sqlite", "postgresql")}


def load(session: Session, user_id: int) -> Dialog | None:
    row = session.execute(_LOAD, {"user_id": user_id}).first()
    if row is None:
        return None
    flow, step, data, token = row
    return Dialog(flow, step, dict(data or {}), token)


def begin(session: Session, user_id: int, dialog: Dialog, now: datetime) -> None:
    """Start `dialog`, replacing any dialog in progress (one statement)."""
    session.execute(
        _BEGIN[session.get_bind().dialect.name],
        {
            "telegram_user_id": user_id,
            "flow": dialog.flow,
            "step": dialog.step,
            "data": dialog.data,
            "token": dialog.token,
            "updated_at": now,
        },
    )


def advance(session: Session, user_id: int, expected: str, dialog: Dialog, now: datetime) -> None:
    """Move the dialog from token `expected` to `dialog`, or raise DialogMoved."""
    moved = session.execute(
        _ADVANCE,
        {
            "user_id": user_id,
            "expected": expected,
            "flow": dialog.flow,
            "step": dialog.step,
            "data": dialog.data,
            "token": dialog.token,
            "now": now,
        },
    )
    if rows_affected(moved) != 1:
        raise DialogMoved


def finish(session: Session, user_id: int, expected: str) -> None:
    """End the dialog that is at token `expected`, or raise DialogMoved."""
    if rows_affected(session.execute(_FINISH, {"user_id": user_id, "expected": expected})) != 1:
        raise DialogMoved


def clear(session: Session, user_id: int) -> None:
    session.execute(_CLEAR, {"user_id": user_id})
