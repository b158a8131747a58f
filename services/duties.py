"""What is due, per unit, as of `now`: set-based, for one unit or a whole bloc at once.

`duties_for_units` answers with a fixed number of queries whatever the number of
units (one per month of registration, one per report deadline, one each for
meetings, records and ratings): each query starts from the units in scope and
keeps only what is missing with a NOT EXISTS on the unique keys, so a bloc of
100,000 units returns just the gaps, and one unit costs a handful of index probes.

What counts (the reminders and /status read the same answer):

- registration: a unit holding meetings has no schedule for its monthly meeting kind
  (regular for cells, committee for base committees; `domain.digest.MONTHLY_KIND`)
  in a month whose registration deadline is at most `upcoming_days` ahead or at
  most `overdue_days` past, while the month has not ended and has no record yet;
- meetings: planned (not cancelled) schedules starting between `now` and the end of
  tomorrow (local time);
- records: planned meetings that have started, in months still open for editing
  (`edit_grace_days`), with no MeetingRecord for the unit, kind and month;
- ratings: held records in open months without a QualityRating;
- reports: base organisations (`domain.digest.REPORTING_KINDS`) without a
  ReportSubmission for the latest deadline of each report type (if at most
  `overdue_days` past) and for the next one (if at most `upcoming_days` ahead).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, select, true
from sqlalchemy.orm import Session

from domain.compliance import registration_due
from domain.localtime import at_local, local_date
from domain.meeting_kinds import MONTHLY_KIND, MeetingKind
from domain.org import MEETING_KINDS, REPORTING_KINDS, UnitKind
from domain.periods import Month, Period, edit_window_closes
from domain.policy import Policy
from domain.reports import latest_due, next_due
from storage.models import (
    MeetingRecord,
    MeetingSchedule,
    QualityRating,
    ReportSubmission,
    Unit,
)

# A list of unit codes longer than this is filtered in Python rather than in SQL
# (SQLite limits the number of bound parameters in one statement).
_MAX_SQL_CODES = 2000

Scope = Sequence[str] | str | None


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str
    kind: UnitKind
    path: str


@dataclass(frozen=True)
class RegistrationDue:
    """No schedule registered yet for `month` (its monthly meeting `kind`)."""

    unit_code: str
    kind: MeetingKind
    month: Month
    due: date

    def days_late(self, today: date) -> int:
        """Days past the deadline (negative: days left)."""
        return (today - self.due).days


@dataclass(frozen=True)
class UpcomingMeeting:
    unit_code: str
    kind: MeetingKind
    month: Month
    planned_at: datetime
    place: str
    theme: str | None

    @property
    def local_day(self) -> date:
        return local_date(self.planned_at)


@dataclass(frozen=True)
class RecordMissing:
    """A planned meeting has started but nothing was recorded (held or not)."""

    unit_code: str
    kind: MeetingKind
    month: Month
    planned_at: datetime

    @property
    def local_day(self) -> date:
        return local_date(self.planned_at)


@dataclass(frozen=True)
class RatingMissing:
    """A held meeting without its quality self-rating."""

    unit_code: str
    kind: MeetingKind
    month: Month
    held_on: date | None
    recorded_at: datetime

    @property
    def recorded_day(self) -> date:
        return local_date(self.recorded_at)


@dataclass(frozen=True)
class ReportMissing:
    """A periodic report not confirmed as sent, due on `due`."""

    unit_code: str
    report_type: str
    name_vi: str
    period: Period
    due: date

    @property
    def period_key(self) -> str:
        return self.period.key

    def days_late(self, today: date) -> int:
        return (today - self.due).days


@dataclass
class UnitDuties:
    unit: UnitRef
    registrations: list[RegistrationDue] = field(default_factory=list)
    meetings: list[UpcomingMeeting] = field(default_factory=list)
    records: list[RecordMissing] = field(default_factory=list)
    ratings: list[RatingMissing] = field(default_factory=list)
    reports: list[ReportMissing] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.registrations or self.meetings or self.records or self.ratings or self.reports
        )


def duties_for_units(
    session: Session,
    scope: Scope,
    now: datetime,
    policy: Policy,
    *,
    upcoming_days: int = 7,
    overdue_days: int = 31,
    include_empty: bool = False,
) -> dict[str, UnitDuties]:
    """What is due for the units in `scope` as of `now`, keyed by unit code.

    `scope` is None (every unit), a path prefix starting with "/" (a subtree, e.g.
    "/DUK/C1/"), a single unit code, or a sequence of unit codes. Only active units
    that hold meetings are considered. Units with nothing due are left out unless
    `include_empty` (then every unit in scope has an entry).
    """
    today = local_date(now)
    query = _Query(session, scope)
    result: dict[str, UnitDuties] = {}

    def entry(ref: UnitRef) -> UnitDuties:
        duties = result.get(ref.code)
        if duties is None:
            duties = result[ref.code] = UnitDuties(ref)
        return duties

    if include_empty:
        for ref in query.units(select(*_UNIT_COLUMNS).where(_meeting_unit())):
            entry(ref)

    for month in _registration_months(policy, today, upcoming_days, overdue_days):
        due = registration_due(policy, month)
        for kind, unit_kinds in _monthly_kinds().items():
            stmt = select(*_UNIT_COLUMNS).where(
                _meeting_unit(),
                Unit.kind.in_(unit_kinds),
                ~exists().where(
                    MeetingSchedule.unit_code == Unit.code,
                    MeetingSchedule.kind == kind,
                    MeetingSchedule.month == month.key,
                ),
                ~exists().where(
                    MeetingRecord.unit_code == Unit.code,
                    MeetingRecord.kind == kind,
                    MeetingRecord.month == month.key,
                ),
            )
            for ref in query.units(stmt):
                entry(ref).registrations.append(RegistrationDue(ref.code, kind, month, due))

    # Meetings starting from now until the end of tomorrow.
    horizon = at_local(today + timedelta(days=2), time(0, 0))
    months = sorted({Month.of(today).key, Month.of(today + timedelta(days=1)).key})
    stmt = (
        select(
            *_UNIT_COLUMNS,
            MeetingSchedule.kind,
            MeetingSchedule.month,
            MeetingSchedule.planned_at,
            MeetingSchedule.place,
            MeetingSchedule.theme,
        )
        .join(Unit, Unit.code == MeetingSchedule.unit_code)
        .where(
            _meeting_unit(),
            MeetingSchedule.status == "planned",
            MeetingSchedule.month.in_(months),
            MeetingSchedule.planned_at >= now,
            MeetingSchedule.planned_at < horizon,
        )
        .order_by(MeetingSchedule.planned_at)
    )
    for ref, (kind, month_key, planned_at, place, theme) in query.rows(stmt):
        entry(ref).meetings.append(
            UpcomingMeeting(ref.code, kind, Month.parse(month_key), planned_at, place, theme)
        )

    open_months = [m.key for m in _open_months(policy, today)]
    stmt = (
        select(
            *_UNIT_COLUMNS, MeetingSchedule.kind, MeetingSchedule.month, MeetingSchedule.planned_at
        )
        .join(Unit, Unit.code == MeetingSchedule.unit_code)
        .where(
            _meeting_unit(),
            MeetingSchedule.status == "planned",
            MeetingSchedule.month.in_(open_months),
            MeetingSchedule.planned_at < now,
            ~exists().where(
                MeetingRecord.unit_code == MeetingSchedule.unit_code,
                MeetingRecord.kind == MeetingSchedule.kind,
                MeetingRecord.month == MeetingSchedule.month,
            ),
        )
        .order_by(MeetingSchedule.planned_at)
    )
    for ref, (kind, month_key, planned_at) in query.rows(stmt):
        entry(ref).records.append(RecordMissing(ref.code, kind, Month.parse(month_key), planned_at))

    stmt = (
        select(
            *_UNIT_COLUMNS,
            MeetingRecord.kind,
            MeetingRecord.month,
            MeetingRecord.held_on,
            MeetingRecord.recorded_at,
        )
        .join(Unit, Unit.code == MeetingRecord.unit_code)
        .where(
            _meeting_unit(),
            MeetingRecord.held.is_(True),
            MeetingRecord.month.in_(open_months),
            ~exists().where(QualityRating.record_id == MeetingRecord.id),
        )
        .order_by(MeetingRecord.month, MeetingRecord.kind)
    )
    for ref, (kind, month_key, held_on, recorded_at) in query.rows(stmt):
        entry(ref).ratings.append(
            RatingMissing(ref.code, kind, Month.parse(month_key), held_on, recorded_at)
        )

    for report_type, period, due in _report_deadlines(policy, today, upcoming_days, overdue_days):
        stmt = select(*_UNIT_COLUMNS).where(
            _meeting_unit(),
            Unit.kind.in_(sorted(REPORTING_KINDS)),
            ~exists().where(
                ReportSubmission.unit_code == Unit.code,
                ReportSubmission.report_type == report_type.code,
                ReportSubmission.period == period.key,
            ),
        )
        for ref in query.units(stmt):
            entry(ref).reports.append(
                ReportMissing(ref.code, report_type.code, report_type.name_vi, period, due)
            )

    for duties in result.values():
        duties.reports.sort(key=lambda r: (r.due, r.report_type))
        duties.registrations.sort(key=lambda r: r.month)
    return result


# ---------------------------------------------------------------------------
# Which periods are in play on a given day (pure)


def _registration_months(
    policy: Policy, today: date, upcoming_days: int, overdue_days: int
) -> list[Month]:
    """Months not yet over whose registration deadline is in [today - overdue, today + upcoming]."""
    current = Month.of(today)
    months = []
    for offset in range(-1, 14):
        month = current.plus(offset)
        if month.last_day < today:
            continue
        due = registration_due(policy, month)
        if -overdue_days <= (due - today).days <= upcoming_days:
            months.append(month)
    return months


def _open_months(policy: Policy, today: date) -> list[Month]:
    """This month and earlier months whose edit window has not closed."""
    current = Month.of(today)
    months = [current]
    month = current.prev()
    while today <= edit_window_closes(month, policy.edit_grace_days):
        months.append(month)
        month = month.prev()
    return months


def _report_deadlines(policy: Policy, today: date, upcoming_days: int, overdue_days: int):  # type: ignore[no-untyped-def]
    for report_type in policy.report_types:
        latest = latest_due(report_type, today)
        if (today - latest.due).days <= overdue_days:
            yield report_type, latest.period, latest.due
        upcoming = next_due(report_type, today)
        if (upcoming.due - today).days <= upcoming_days:
            yield report_type, upcoming.period, upcoming.due


def _monthly_kinds() -> dict[MeetingKind, list[UnitKind]]:
    grouped: dict[MeetingKind, list[UnitKind]] = {}
    for unit_kind, meeting_kind in MONTHLY_KIND.items():
        grouped.setdefault(meeting_kind, []).append(unit_kind)
    return grouped


# ---------------------------------------------------------------------------
# The scope filter, shared by every query


_UNIT_COLUMNS = (Unit.code, Unit.name, Unit.kind, Unit.path)


def _meeting_unit() -> ColumnElement[bool]:
    return and_(Unit.active.is_(True), Unit.kind.in_(sorted(MEETING_KINDS)))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Query:
    """Runs statements that select the unit columns first, restricted to the scope."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.codes: frozenset[str] | None = None
        self.clause: ColumnElement[bool] = true()
        if isinstance(scope, str):
            if scope.startswith("/"):
                self.clause = Unit.path.like(_escape_like(scope) + "%", escape="\\")
            else:
                self.clause = Unit.code == scope
        elif scope is not None:
            codes = list(dict.fromkeys(scope))
            if len(codes) <= _MAX_SQL_CODES:
                self.clause = Unit.code.in_(codes)
            else:
                self.codes = frozenset(codes)

    def rows(self, stmt: Select) -> Iterable[tuple[UnitRef, tuple]]:  # type: ignore[type-arg]
        width = len(_UNIT_COLUMNS)
        for row in self.session.execute(stmt.where(self.clause)):
            if self.codes is not None and row[0] not in self.codes:
                continue
            yield UnitRef(*row[:width]), tuple(row[width:])

    def units(self, stmt: Select) -> Iterable[UnitRef]:  # type: ignore[type-arg]
        for ref, _ in self.rows(stmt.order_by(Unit.path)):
            yield ref
