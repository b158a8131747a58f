"""The ledger's reads and writes: the facts an obligation follows from, and its rows.

Set-based: a refresh of one unit and one month, or of every unit for a new month,
runs the same handful of statements (units, schedules, records with ratings,
reports, existing rows) and writes only the rows that changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from domain.ledger_facts import (
    ClusterMeetingFact,
    DirectiveFact,
    LedgerUnit,
    RecordFact,
    ScheduleFact,
    Selection,
    UnitFacts,
)
from domain.localtime import at_local
from domain.obligations import MONTH_KINDS, Obligation, ObligationKind, Resolution
from storage.columns import OBLIGATION_COLUMNS, obligation_of
from storage.models import (
    ClusterInvitation,
    ClusterMeeting,
    Directive,
    DirectiveTarget,
    LedgerEntry,
    LedgerState,
    MeetingRecord,
    MeetingSchedule,
    QualityRating,
    ReportSubmission,
    Unit,
)
from storage.unit_of_work import core

# More codes than this are filtered in Python: SQLite limits bound parameters.
MAX_SQL_CODES = 2000
WRITE_CHUNK = 1000

EntryKey = tuple[str, ObligationKind, str, str]


def _codes_clause(column: Any, codes: Collection[str] | None) -> ColumnElement[bool]:
    if codes is None or len(codes) > MAX_SQL_CODES:
        return true()
    return column.in_(sorted(codes))


def _wanted(codes: Collection[str] | None) -> frozenset[str] | None:
    return frozenset(codes) if codes is not None and len(codes) > MAX_SQL_CODES else None


def load_units(
    session: Session, codes: Collection[str] | None
) -> tuple[list[LedgerUnit], dict[str, str]]:
    """The units, and each one's path in the tree (kept on its rows)."""
    keep = _wanted(codes)
    rows = core(
        session,
        select(Unit.code, Unit.kind, Unit.active, Unit.path).where(_codes_clause(Unit.code, codes)),
    )
    units, paths = [], {}
    for code, kind, active, path in rows:
        if keep is None or code in keep:
            units.append(LedgerUnit(code, kind, active))
            paths[code] = path
    return units, paths


def load_facts(
    session: Session, codes: Collection[str] | None, selection: Selection
) -> dict[str, UnitFacts]:
    """Schedules, records (with ratings) and report submissions behind `selection`."""
    keep = _wanted(codes)
    schedules: dict[str, dict[Any, ScheduleFact]] = defaultdict(dict)
    records: dict[str, dict[Any, RecordFact]] = defaultdict(dict)
    reports: dict[str, dict[Any, tuple[int, datetime]]] = defaultdict(dict)
    months = sorted(m.key for m in selection.fact_months)
    if months:
        for code, kind, month, *fact in core(
            session,
            select(
                MeetingSchedule.unit_code,
                MeetingSchedule.kind,
                MeetingSchedule.month,
                MeetingSchedule.id,
                MeetingSchedule.registered_at,
                MeetingSchedule.planned_at,
                MeetingSchedule.status,
                MeetingSchedule.updated_at,
            ).where(
                MeetingSchedule.month.in_(months),
                _codes_clause(MeetingSchedule.unit_code, codes),
            ),
        ):
            if keep is None or code in keep:
                sid, registered_at, planned_at, status, updated_at = fact
                schedules[code][(kind, month)] = ScheduleFact(
                    sid, registered_at, planned_at, status == "cancelled", updated_at
                )
        for code, kind, month, *fact in core(
            session,
            select(
                MeetingRecord.unit_code,
                MeetingRecord.kind,
                MeetingRecord.month,
                MeetingRecord.id,
                MeetingRecord.held,
                MeetingRecord.recorded_at,
                MeetingRecord.held_on,
                MeetingRecord.not_held_excused,
                MeetingRecord.not_held_reason,
                QualityRating.id,
                QualityRating.rated_at,
                MeetingRecord.present,
                MeetingRecord.total_members,
                QualityRating.level,
            )
            .outerjoin(QualityRating, QualityRating.record_id == MeetingRecord.id)
            .where(
                MeetingRecord.month.in_(months),
                _codes_clause(MeetingRecord.unit_code, codes),
            ),
        ):
            if keep is None or code in keep:
                records[code][(kind, month)] = RecordFact(*fact)
    periods = sorted({period for _, period in selection.reports})
    if periods:
        wanted_reports = selection.reports
        for code, report_type, period, sid, sent_at in core(
            session,
            select(
                ReportSubmission.unit_code,
                ReportSubmission.report_type,
                ReportSubmission.period,
                ReportSubmission.id,
                ReportSubmission.sent_at,
            ).where(
                ReportSubmission.period.in_(periods),
                _codes_clause(ReportSubmission.unit_code, codes),
            ),
        ):
            if (keep is None or code in keep) and (report_type, period) in wanted_reports:
                reports[code][(report_type, period)] = (sid, sent_at)
    directives = _directive_facts(session, codes, selection.directives, keep)
    cluster_meetings = _cluster_facts(session, codes, selection.cluster_meetings, keep)
    every = set(schedules) | set(records) | set(reports) | set(directives) | set(cluster_meetings)
    return {
        code: UnitFacts(
            schedules.get(code, {}),
            records.get(code, {}),
            reports.get(code, {}),
            directives.get(code, {}),
            cluster_meetings.get(code, {}),
        )
        for code in every
    }


def _ids(keys: Iterable[str]) -> list[int]:
    return sorted(int(k) for k in keys)


def _directive_facts(
    session: Session,
    codes: Collection[str] | None,
    wanted: frozenset[str],
    keep: frozenset[str] | None,
) -> dict[str, dict[str, DirectiveFact]]:
    found: dict[str, dict[str, DirectiveFact]] = defaultdict(dict)
    if not wanted:
        return found
    for code, directive_id, target_id, issued_at, due_on, done_at in session.execute(
        select(
            DirectiveTarget.unit_code,
            Directive.id,
            DirectiveTarget.id,
            Directive.issued_at,
            Directive.due_on,
            DirectiveTarget.done_at,
        )
        .join(Directive, Directive.id == DirectiveTarget.directive_id)
        .where(Directive.id.in_(_ids(wanted)), _codes_clause(DirectiveTarget.unit_code, codes))
    ):
        if keep is None or code in keep:
            found[code][str(directive_id)] = DirectiveFact(target_id, issued_at, due_on, done_at)
    return found


def _cluster_facts(
    session: Session,
    codes: Collection[str] | None,
    wanted: frozenset[str],
    keep: frozenset[str] | None,
) -> dict[str, dict[str, ClusterMeetingFact]]:
    found: dict[str, dict[str, ClusterMeetingFact]] = defaultdict(dict)
    if not wanted:
        return found
    for code, meeting_id, *fact in session.execute(
        select(
            ClusterInvitation.unit_code,
            ClusterMeeting.id,
            ClusterInvitation.id,
            ClusterMeeting.created_at,
            ClusterMeeting.starts_at,
            ClusterInvitation.attended,
            ClusterInvitation.reason_accepted,
            ClusterInvitation.reason,
            ClusterInvitation.marked_at,
        )
        .join(ClusterMeeting, ClusterMeeting.id == ClusterInvitation.meeting_id)
        .where(
            ClusterMeeting.id.in_(_ids(wanted)), _codes_clause(ClusterInvitation.unit_code, codes)
        )
    ):
        if keep is None or code in keep:
            found[code][str(meeting_id)] = ClusterMeetingFact(*fact)  # type: ignore[arg-type]  # the row's columns in the fact's order
    return found


def issued_due_from(session: Session, day: date) -> tuple[frozenset[str], frozenset[str]]:
    """The directives and cluster meetings due on or after `day` (ids as strings): what a
    refresh of the calendar from `day` must recompute besides the calendar's periods."""
    directives = session.scalars(select(Directive.id).where(Directive.due_on >= day))
    meetings = session.scalars(
        select(ClusterMeeting.id).where(ClusterMeeting.starts_at >= at_local(day, time(0, 0)))
    )
    return frozenset(map(str, directives)), frozenset(map(str, meetings))


def _selection_clause(selection: Selection) -> ColumnElement[bool]:
    months = sorted(m.key for m in selection.months)
    quarters = sorted(q.key for q in selection.quarters)
    periods = sorted({p for _, p in selection.reports})
    return or_(
        (LedgerEntry.kind.in_(sorted(MONTH_KINDS)) & LedgerEntry.period.in_(months)),
        (LedgerEntry.kind == ObligationKind.THEMATIC) & LedgerEntry.period.in_(quarters),
        (LedgerEntry.kind == ObligationKind.REPORT) & LedgerEntry.period.in_(periods),
        (LedgerEntry.kind == ObligationKind.DIRECTIVE)
        & LedgerEntry.subject.in_(sorted(selection.directives)),
        (LedgerEntry.kind == ObligationKind.CLUSTER_MEETING)
        & LedgerEntry.subject.in_(sorted(selection.cluster_meetings)),
    )


Stored = tuple[int, Obligation, str]  # id, the obligation, the unit's path


def load_entries(
    session: Session, codes: Collection[str] | None, selection: Selection
) -> dict[EntryKey, Stored]:
    """The stored rows behind `selection`, by key, with their ids and paths."""
    keep = _wanted(codes)
    found: dict[EntryKey, Stored] = {}
    for row in core(
        session,
        select(LedgerEntry.id, LedgerEntry.unit_path, *OBLIGATION_COLUMNS).where(
            _selection_clause(selection), _codes_clause(LedgerEntry.unit_code, codes)
        ),
    ):
        obligation = obligation_of(row[2:])
        if keep is not None and obligation.unit_code not in keep:
            continue
        if selection.holds(obligation.kind, obligation.subject, obligation.period):
            found[obligation.key] = (row[0], obligation, row[1])
    return found


def _values(o: Obligation, path: str, now: datetime) -> dict[str, Any]:
    return {
        "unit_code": o.unit_code,
        "unit_path": path,
        "kind": o.kind.value,
        "subject": o.subject,
        "period": o.period,
        "due_on": o.due_on,
        "resolution": o.resolution.value,
        "done_on": o.done_on,
        "resolved_at": o.resolved_at,
        "planned_at": o.planned_at,
        "since": o.since,
        "note": o.note,
        "source": o.source,
        "present": o.present,
        "total": o.total,
        "level": o.level,
        "updated_at": now,
    }


def write_changes(
    session: Session,
    wanted: Iterable[Obligation],
    existing: dict[EntryKey, Stored],
    paths: Mapping[str, str],
    now: datetime,
) -> int:
    """Make the stored rows equal `wanted` (on units at `paths`): insert, update and
    delete what differs."""
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    left = dict(existing)
    for obligation in wanted:
        path = paths[obligation.unit_code]
        found = left.pop(obligation.key, None)
        if found is None:
            new.append(_values(obligation, path, now))
        elif found[1] != obligation or found[2] != path:
            changed.append({"id": found[0], **_values(obligation, path, now)})
    gone = [row_id for row_id, _, _ in left.values()]
    # Two refreshes racing on a new period (a reader and the planner) compute the same
    # rows: the second insert yields instead of failing.
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for chunk in _chunks(new):
        core(session, dialect.insert(LedgerEntry).on_conflict_do_nothing(), chunk)
    for chunk in _chunks(changed):
        session.execute(update(LedgerEntry), chunk)
    for chunk in _chunks(gone):
        core(session, delete(LedgerEntry).where(LedgerEntry.id.in_(chunk)))
    return len(new) + len(changed) + len(gone)


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), WRITE_CHUNK):
        yield items[start : start + WRITE_CHUNK]


def delete_outside(session: Session, start: date) -> None:
    """Rows due before the ledger's start (after `chibo ledger rebuild --from`)."""
    session.execute(
        delete(LedgerEntry)
        .where(LedgerEntry.due_on < start)
        .execution_options(synchronize_session=False)
    )


def earliest_facts(session: Session) -> tuple[str | None, str | None, date | None]:
    """The earliest month any schedule or record is for, and the earliest report due date."""
    return (
        session.scalar(select(func.min(MeetingSchedule.month))),
        session.scalar(select(func.min(MeetingRecord.month))),
        session.scalar(select(func.min(ReportSubmission.due_on))),
    )


# ---------------------------------------------------------------------------
# How far the ledger reaches


def load_state(session: Session) -> LedgerState | None:
    return session.get(LedgerState, 1)


def save_state(session: Session, start_on: date, extended_through: date, now: datetime) -> None:
    state = session.get(LedgerState, 1)
    if state is None:
        session.add(
            LedgerState(id=1, start_on=start_on, extended_through=extended_through, updated_at=now)
        )
    else:
        state.start_on, state.extended_through, state.updated_at = start_on, extended_through, now
    session.flush()


# ---------------------------------------------------------------------------
# Reading a unit's rows


def unit_entries(
    session: Session, unit_code: str, *, due_from: date, due_to: date | None = None
) -> list[Obligation]:
    """A unit's obligations due from `due_from` (to `due_to`), oldest due first."""
    clauses = [LedgerEntry.unit_code == unit_code, LedgerEntry.due_on >= due_from]
    if due_to is not None:
        clauses.append(LedgerEntry.due_on <= due_to)
    rows = core(
        session,
        select(*OBLIGATION_COLUMNS).where(*clauses).order_by(LedgerEntry.due_on, LedgerEntry.kind),
    )
    return [obligation_of(row) for row in rows]


def unit_open_directives(session: Session, unit_code: str, *, due_before: date) -> list[Obligation]:
    """A unit's directives due before `due_before` and still not done."""
    rows = session.execute(
        select(*OBLIGATION_COLUMNS).where(
            LedgerEntry.unit_code == unit_code,
            LedgerEntry.kind == ObligationKind.DIRECTIVE.value,
            LedgerEntry.resolution == Resolution.OPEN.value,
            LedgerEntry.due_on < due_before,
        )
    )
    return [obligation_of(row) for row in rows]


def entries_for_periods(
    session: Session, unit_code: str, keys: Iterable[tuple[ObligationKind, str]]
) -> list[Obligation]:
    """A unit's obligations of these (kind, period) pairs."""
    wanted = set(keys)
    periods = sorted({p for _, p in wanted})
    rows = core(
        session,
        select(*OBLIGATION_COLUMNS).where(
            LedgerEntry.unit_code == unit_code, LedgerEntry.period.in_(periods)
        ),
    )
    found = [obligation_of(row) for row in rows]
    return [o for o in found if (o.kind, o.period) in wanted]
