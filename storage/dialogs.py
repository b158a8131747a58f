"""Dialog state rows: where each user is in a multi-step flow.

Advancing is a compare-and-swap on `token`, so of two presses of the same
button only the first moves the dialog; the second finds the token changed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from storage.models import DialogState


@dataclass(frozen=True)
class Dialog:
    flow: str
    step: str
    data: dict[str, Any]
    token: str


def new_token() -> str:
    return secrets.token_hex(4)


def load(session: Session, user_id: int) -> Dialog | None:
    row = session.get(DialogState, user_id)
    if row is None:
        return None
    return Dialog(row.flow, row.step, dict(row.data or {}), row.token)


def save(session: Session, user_id: int, dialog: Dialog, now: datetime) -> None:
    row = session.get(DialogState, user_id)
    if row is None:
        row = DialogState(telegram_user_id=user_id)
        session.add(row)
    row.flow, row.step, row.data, row.token = dialog.flow, dialog.step, dialog.data, dialog.token
    row.updated_at = now


def claim(session: Session, user_id: int, token: str) -> bool:
    """Take the dialog at `token` for one step; False if it has moved on meanwhile."""
    moved = session.execute(
        update(DialogState)
        .where(DialogState.telegram_user_id == user_id, DialogState.token == token)
        .values(token=new_token())
    )
    return moved.rowcount == 1


def clear(session: Session, user_id: int) -> None:
    session.execute(delete(DialogState).where(DialogState.telegram_user_id == user_id))
