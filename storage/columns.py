"""Column sets the query modules share, and the values a selected row becomes: a unit
(`UnitInfo`) and an obligation (`Obligation`) read the same way everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_

from domain.digest.facts import UnitInfo
from domain.obligations import Obligation, ObligationKind, Resolution
from domain.reminder_recipients import Recipient
from storage.models import LedgerEntry, Person, Unit

# In Recipient's field order (the last one becomes "unreachable": a date or None).
PERSON_COLUMNS = (
    Person.id,
    Person.telegram_user_id,
    Person.full_name,
    Person.locale,
    Person.away_until,
    Person.unreachable_since,
)

UNIT_COLUMNS = (Unit.code, Unit.name, Unit.kind, Unit.path, Unit.parent_code, Unit.members)

# In Obligation's field order: a row converts positionally.
OBLIGATION_COLUMNS = (
    LedgerEntry.unit_code,
    LedgerEntry.kind,
    LedgerEntry.subject,
    LedgerEntry.period,
    LedgerEntry.due_on,
    LedgerEntry.resolution,
    LedgerEntry.done_on,
    LedgerEntry.resolved_at,
    LedgerEntry.planned_at,
    LedgerEntry.since,
    LedgerEntry.note,
    LedgerEntry.source,
    LedgerEntry.present,
    LedgerEntry.total,
    LedgerEntry.level,
)

_KINDS = {k.value: k for k in ObligationKind}
_RESOLUTIONS = {r.value: r for r in Resolution}


def unit_info(row: Sequence[Any]) -> UnitInfo:
    """The first len(UNIT_COLUMNS) values of a row that selected UNIT_COLUMNS first."""
    return UnitInfo(*row[: len(UNIT_COLUMNS)])


def obligation_of(row: Sequence[Any]) -> Obligation:
    """A row of OBLIGATION_COLUMNS (or a prefix of them, from unit_code to resolution on)."""
    code, kind, subject, period, due_on, resolution, *rest = row
    # Dictionary look-ups: a planning run reads a row per open obligation of the bloc.
    return Obligation(code, _KINDS[kind], subject, period, due_on, _RESOLUTIONS[resolution], *rest)


def recipient_of(row: Sequence[Any]) -> Recipient:
    """A row of PERSON_COLUMNS."""
    person_id, chat_id, full_name, locale, away_until, unreachable_since = row
    return Recipient(
        person_id, chat_id, full_name, locale, away_until, unreachable_since is not None
    )


def in_scope(scope: UnitInfo) -> ColumnElement[bool]:
    """The active units of the scope's subtree (the scope itself included)."""
    return and_(Unit.path.startswith(scope.path, autoescape=True), Unit.active.is_(True))
