"""Files an outbox row refers to instead of carrying them (`OutboxMessage.attachment_ref`).

"directive:<id>" is a directive's document: it goes to every unit the directive
names, so it is kept once, with the directive, and sent by Telegram's file id once
Telegram has it (the dispatcher remembers the id of the first upload).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage import directives

DIRECTIVE = "directive"


def directive_ref(directive_id: int) -> str:
    return f"{DIRECTIVE}:{directive_id}"


def resolve(session: Session, ref: str) -> tuple[str | bytes, str] | None:
    """(Telegram's file id or the bytes, file name); None: nothing to attach any more."""
    kind, _, key = ref.partition(":")
    if kind == DIRECTIVE and key.isdigit():
        return directives.document(session, int(key))
    return None


def remember(session: Session, ref: str, file_id: str) -> None:
    kind, _, key = ref.partition(":")
    if kind == DIRECTIVE and key.isdigit():
        directives.remember_file_id(session, int(key), file_id)
