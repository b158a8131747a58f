"""Keeps the compliance ledger in step with the facts.

Every use-case that writes a fact (a schedule, a cancellation, a record, a rating,
a report, a directive issued or done, a cluster meeting called or marked, an import,
an org change) calls `refresh` in its own transaction, so the rows and the facts
commit together. New periods open with the calendar: `extend`
adds them for every unit (the planner's tick, the CLI, and any reader that finds
the ledger behind today). `rebuild` recomputes everything from the facts; the
tests hold the incremental rows equal to a rebuild.

What the rows mean, and every rule about them: `domain.obligations`.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta

from domain.derivation import derive
from domain.ledger_facts import (
    Selection,
    Span,
    UnitFacts,
    selection_between,
    selection_of_cluster_meeting,
    selection_of_directive,
    selection_of_month,
    selection_of_report,
)
from domain.localtime import at_local, local_date
from domain.obligations import Obligation, registration_due
from domain.periods import Month
from domain.policy import Policy
from storage import ledger as rows
from storage.db import Database, Session

# An obligation opens at most this long before its due date (an annual report opens on
# 1 January and is due in November): a rebuild from `start` looks back this far.
LOOKBACK = timedelta(days=400)
_NO_FACTS = UnitFacts()
_extending = threading.Lock()


def default_start(session: Session, policy: Policy, today: date) -> date:
    """Where a new ledger starts: the previous month (its meetings are still being
    recorded), or earlier if facts already stored settle obligations due earlier."""
    start = Month.of(today).prev().first_day
    first = facts_start(policy, *rows.earliest_facts(session))
    return min(start, first) if first is not None else start


def facts_start(
    policy: Policy, schedule_month: str | None, record_month: str | None, report_due: date | None
) -> date | None:
    """The first day of the month holding the earliest due date these facts settle: a
    schedule its registration, a record its meeting, a report its own due date."""
    days = []
    if schedule_month:
        days.append(registration_due(policy, Month.parse(schedule_month)))
    if record_month:
        days.append(Month.parse(record_month).first_day)
    if report_due:
        days.append(report_due)
    return Month.of(min(days)).first_day if days else None


def _span(session: Session, policy: Policy, now: datetime) -> Span:
    today = local_date(now)
    state = rows.load_state(session)
    if state is None:
        start = default_start(session, policy, today)
        rows.save_state(session, start, start - timedelta(days=1), now)
        return Span(start, today)
    return Span(state.start_on, today)


def refresh(
    session: Session,
    policy: Policy,
    now: datetime,
    selection: Selection,
    unit_codes: Collection[str] | None,
) -> int:
    """Recompute the obligations of `unit_codes` (None: every unit) in `selection`."""
    if selection.empty:
        return 0
    return _refresh(session, policy, _span(session, policy, now), selection, unit_codes, now)


def _refresh(
    session: Session,
    policy: Policy,
    span: Span,
    selection: Selection,
    unit_codes: Collection[str] | None,
    now: datetime,
) -> int:
    units, paths = rows.load_units(session, unit_codes)
    facts = rows.load_facts(session, unit_codes, selection)
    wanted = [
        obligation
        for unit in units
        for obligation in derive(unit, policy, span, selection, facts.get(unit.code, _NO_FACTS))
    ]
    existing = rows.load_entries(session, unit_codes, selection)
    return rows.write_changes(session, wanted, existing, paths, now)


def refresh_month(
    session: Session, policy: Policy, now: datetime, unit_code: str, month: Month
) -> int:
    """After a schedule or record of `month` changed."""
    return refresh(session, policy, now, selection_of_month(month), [unit_code])


def refresh_report(
    session: Session, policy: Policy, now: datetime, unit_code: str, report_type: str, period: str
) -> int:
    return refresh(session, policy, now, selection_of_report(report_type, period), [unit_code])


def refresh_directive(
    session: Session,
    policy: Policy,
    now: datetime,
    directive_id: int,
    unit_codes: Collection[str] | None = None,
) -> int:
    """After a directive was issued (every unit it names) or confirmed (that unit)."""
    return refresh(session, policy, now, selection_of_directive(directive_id), unit_codes)


def refresh_cluster_meeting(
    session: Session,
    policy: Policy,
    now: datetime,
    meeting_id: int,
    unit_codes: Collection[str] | None = None,
) -> int:
    """After a cluster meeting was called or its attendance marked."""
    return refresh(session, policy, now, selection_of_cluster_meeting(meeting_id), unit_codes)


def _between(session: Session, policy: Policy, first: date, last: date) -> Selection:
    """The calendar's periods that open in [first, last], and the directives and cluster
    meetings due from `first` (they are owed from the day they are issued, not by the
    calendar, so only the facts know them)."""
    directives, meetings = rows.issued_due_from(session, first)
    return selection_between(policy, first, last) | Selection(
        directives=directives, cluster_meetings=meetings
    )


def refresh_units(session: Session, policy: Policy, now: datetime, codes: Iterable[str]) -> int:
    """After units were created or changed (kind, active): their whole span."""
    codes = list(codes)
    if not codes:
        return 0
    span = _span(session, policy, now)
    selection = _between(session, policy, span.start - LOOKBACK, span.today)
    return _refresh(session, policy, span, selection, codes, now)


def cover_from(session: Session, policy: Policy, now: datetime, day: date) -> int:
    """Reach back to `day` (facts of earlier months were imported)."""
    span = _span(session, policy, now)
    state = rows.load_state(session)
    assert state is not None
    if day >= span.start:
        return 0
    rows.save_state(session, day, state.extended_through, now)
    selection = _between(session, policy, day - LOOKBACK, span.start)
    return _refresh(session, policy, Span(day, span.today), selection, None, now)


# ---------------------------------------------------------------------------
# Following the calendar


def _refresh_all(
    db: Database, policy: Policy, span: Span, selection: Selection, now: datetime
) -> int:
    """Every unit, a quarter of periods and a batch of units per short transaction: a big
    bloc never holds SQLite's write lock for long, nor years of rows in memory."""
    codes = _all_codes(db)
    changed = 0
    for part in selection.by_quarter():
        for first in range(0, len(codes), rows.MAX_SQL_CODES):
            with db.transaction() as session:
                batch = codes[first : first + rows.MAX_SQL_CODES]
                changed += _refresh(session, policy, span, part, batch, now)
    return changed


def _all_codes(db: Database) -> list[str]:
    with db.transaction() as session:
        return [u.code for u in rows.load_units(session, None)[0]]


def _todo_since(session: Session, policy: Policy, now: datetime) -> tuple[Span, date | None]:
    """The span, and the first day whose newly opened periods are not in the ledger yet
    (None: it is up to date)."""
    span = _span(session, policy, now)
    state = rows.load_state(session)
    assert state is not None
    if state.extended_through >= span.today:
        return span, None
    if state.extended_through < span.start:
        return span, span.start - LOOKBACK
    return span, state.extended_through + timedelta(days=1)


def extend(db: Database, now: datetime, policy: Policy) -> int:
    """Open the periods that began since the last run, for every unit.

    Units are done in batches, each its own short transaction (a big bloc never holds
    SQLite's write lock for long); the state moves last, so a run cut short is
    simply done again.
    """
    with _extending:
        with db.transaction() as session:
            span, first = _todo_since(session, policy, now)
        if first is None:
            return 0
        with db.transaction() as session:
            selection = _between(session, policy, first, span.today)
        changed = _refresh_all(db, policy, span, selection, now)
        with db.transaction() as session:
            rows.save_state(session, span.start, span.today, now)
        return changed


def extend_within(session: Session, now: datetime, policy: Policy) -> int:
    """`extend` inside the caller's transaction (a preview that rolls it back)."""
    span, first = _todo_since(session, policy, now)
    if first is None:
        return 0
    selection = _between(session, policy, first, span.today)
    changed = _refresh(session, policy, span, selection, None, now)
    rows.save_state(session, span.start, span.today, now)
    return changed


def ensure_current(db: Database, now: datetime, policy: Policy) -> None:
    """Readers call this first: one primary-key read when the ledger is up to date."""
    with db.transaction() as session:
        state = rows.load_state(session)
        if state is not None and state.extended_through >= local_date(now):
            return
    extend(db, now, policy)


def ensure_through(db: Database, day: date, policy: Policy) -> None:
    """The ledger has opened every period up to `day` (a digest or export as of `day`)."""
    ensure_current(db, at_local(day, time(12, 0)), policy)


def rebuild(db: Database, now: datetime, policy: Policy, *, start: date | None = None) -> int:
    """Recompute every row from the facts (`chibo ledger rebuild`); returns rows changed."""
    today = local_date(now)
    with _extending:
        with db.transaction() as session:
            if start is None:
                # Where the ledger starts is kept (an import or `--from` moved it); a
                # rebuild recomputes inside it, never moves it because of some old fact.
                state = rows.load_state(session)
                start = default_start(session, policy, today) if state is None else state.start_on
            rows.delete_outside(session, start)
            rows.save_state(session, start, start - timedelta(days=1), now)
        span = Span(start, today)
        with db.transaction() as session:
            selection = _between(session, policy, start - LOOKBACK, today)
        changed = _refresh_all(db, policy, span, selection, now)
        with db.transaction() as session:
            rows.save_state(session, start, today, now)
        return changed


def start_of(db: Database) -> date | None:
    """The first day the ledger covers (None: not started yet)."""
    with db.transaction() as session:
        state = rows.load_state(session)
        return state.start_on if state is not None else None


def unit_obligations(db: Database, unit_code: str, *, due_from: date) -> list[Obligation]:
    with db.transaction() as session:
        return rows.unit_entries(session, unit_code, due_from=due_from)
