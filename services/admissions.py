"""Kết nạp đảng viên: a base organisation's admissions and transfers, and its progress.

Only counts are kept (a date, a kind, how many): no names. Every entry and every
removal is in the audit log. The yearly target is the org file's
`admission_target`, or the policy's share of the members (a base committee's
members: its own count, else the sum of its sub-cells').
"""

from __future__ import annotations

from datetime import date, datetime

from domain.admissions import (
    MAX_COUNT,
    AdmissionKind,
    Entry,
    ScopeAdmissions,
    UnitAdmissions,
    counts_of,
    yearly_target,
)
from domain.errors import UserInputError
from domain.org import REPORTING_KINDS
from domain.policy import Policy
from domain.roles import Action
from messages.render import error_text
from services.actors import Actor, ScopeLost, require_unit
from storage import admission_queries, audit, org_queries
from storage.db import Database, Session
from storage.models import AdmissionEntry
from storage.org_queries import named_units


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def check_day(on_date: date, today: date) -> None:
    """An entry is for a day of this year or last year, not in the future."""
    if on_date > today:
        raise UserInputError(error_text("admission_future"))
    if on_date.year < today.year - 1:
        raise UserInputError(
            error_text("admission_too_old", last_year=today.year - 1, year=today.year)
        )


def record_entry(
    db: Database,
    actor: Actor,
    unit_code: str,
    kind: AdmissionKind,
    on_date: date,
    count: int,
    *,
    now: datetime,
    today: date,
) -> Entry:
    """Keep one entry, after checking the actor still keeps the base organisation."""
    check_day(on_date, today)
    if not 1 <= count <= MAX_COUNT:
        raise UserInputError(error_text("admission_count", most=MAX_COUNT))
    with db.transaction() as session:
        fresh = require_unit(session, actor, Action.ADMISSION, unit_code)
        unit = org_queries.unit(session, unit_code)
        if unit is None or unit.kind not in REPORTING_KINDS:
            raise ScopeLost()
        row = AdmissionEntry(
            unit_code=unit_code,
            kind=kind.value,
            on_date=on_date,
            count=count,
            recorded_at=now,
            recorded_by=fresh.person_id,
        )
        session.add(row)
        session.flush()
        audit.record_by(
            session,
            fresh,
            at=now,
            action="create",
            entity="admission",
            key=str(row.id),
            new={
                "unit": unit_code,
                "kind": kind.value,
                "on": on_date.isoformat(),
                "count": count,
            },
        )
        return Entry(row.id, kind, on_date, count)


def delete_entry(
    db: Database, actor: Actor, unit_code: str, entry_id: int, *, now: datetime
) -> Entry:
    """Remove an entry recorded by mistake (audited with what it said)."""
    with db.transaction() as session:
        fresh = require_unit(session, actor, Action.ADMISSION, unit_code)
        row = admission_queries.entry(session, entry_id)
        if row is None or row.unit_code != unit_code:
            raise UserInputError(error_text("admission_entry_gone"))
        entry = Entry(row.id, AdmissionKind(row.kind), row.on_date, row.count)
        audit.record_by(
            session,
            fresh,
            at=now,
            action="delete",
            entity="admission",
            key=str(row.id),
            old={
                "unit": row.unit_code,
                "kind": row.kind,
                "on": row.on_date.isoformat(),
                "count": row.count,
            },
        )
        session.delete(row)
        return entry


def unit_year(db: Database, unit_code: str, year: int, policy: Policy) -> UnitAdmissions:
    with db.transaction() as session:
        unit = org_queries.unit(session, unit_code)
        if unit is None:
            raise LookupError(unit_code)
        found = _years(session, unit.path, year, policy, only=unit_code)
        first, last = _year_bounds(year)
        entries = tuple(
            Entry(r.id, AdmissionKind(r.kind), r.on_date, r.count)
            for r in admission_queries.entries_of(session, unit_code, first, last)
        )
    view = found[0]
    return UnitAdmissions(view.unit, view.kind, view.members, view.target, view.counts, entries)


def scope_year(db: Database, scope_path: str, year: int, policy: Policy) -> ScopeAdmissions:
    with db.transaction() as session:
        return ScopeAdmissions(year, tuple(_years(session, scope_path, year, policy)))


def _years(
    session: Session, scope_path: str, year: int, policy: Policy, only: str | None = None
) -> list[UnitAdmissions]:
    """Every active base organisation under `scope_path` (or `only`), in tree order."""
    units = admission_queries.admitting_units(session, scope_path, only)
    first, last = _year_bounds(year)
    entries = admission_queries.counts_by_kind(session, scope_path, first, last)
    names = named_units(session, [u.code for u in units], scope_path=scope_path)
    share = policy.admissions.default_target_share
    found = []
    for u in units:
        members = u.members if u.members is not None else u.cell_members
        found.append(
            UnitAdmissions(
                names[u.code],
                u.kind,
                members,
                yearly_target(u.target, members, share),
                counts_of(entries.get(u.code, [])),
            )
        )
    return found
