"""The leadership digest: from per-unit facts to totals, lists, week-on-week changes, trend.

Pure: the storage layer loads `Facts` for a subtree with a fixed number of
queries (`storage.digest_queries`), and everything here is arithmetic on them.
The same facts answer "as of" any earlier day, because every fact carries the
instant it became known (registered_at, recorded_at, rated_at, sent_at,
unreachable_since): the previous week and the 8-week trend are recomputed, not
stored.

What counts (also in README, "Leadership digest"):

- Units counted: cells (base_cell, sub_cell) hold the regular meeting every
  month and a thematic meeting every quarter; base committees hold the
  committee meeting every month. Base organisations (base_committee,
  base_cell) send the periodic reports to the bloc.
- Registration month: the latest month whose registration deadline (policy
  `registration`) is on or before the digest day. A unit is registered when it
  has a schedule for its monthly meeting kind in that month; on time when the
  first one was registered (local date) on or before the deadline.
- Meeting month: the previous month while its edit window (`edit_grace_days`)
  is still open, else the current month. Held = a MeetingRecord with
  held=true; not held = a record with held=false, excused or unexcused by
  `not_held_excused`; no record once the month is over = unexcused ("chưa báo
  cáo kết quả"); no record before = pending.
- Rated = a held monthly meeting with a QualityRating. Attendance = the mean of
  present/total over held regular meetings with figures, against the policy
  target. Implausible = a rating of the month with plausibility flags.
- Thematic = a cell with a held thematic record in any month of the meeting
  month's quarter.
- Reports: for each report type, the latest due date on or before the digest
  day (domain.reports.latest_due); on time / late by the local date sent,
  missing if not sent.
- Unreachable = a secretary or deputy in scope whose `unreachable_since` is set.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any

from domain.compliance import (
    DutyStatus,
    attendance_rate,
    meets_attendance_target,
    registration_due,
)
from domain.deadlines import DeadlineStatus, deadline_status
from domain.localtime import at_local, local_date
from domain.meeting_kinds import MONTHLY_KIND, MeetingKind
from domain.org import REPORTING_KINDS, UnitKind
from domain.periods import Month, Quarter, edit_window_closes
from domain.policy import Policy
from domain.quality import QualityLevel
from domain.reports import ReportDue, deadlines_between, latest_due

SCHEMA = "chibo.digest/1"
TREND_WEEKS = 8

# The meeting every unit of a kind must hold each month.
THEMATIC_KINDS = frozenset({UnitKind.BASE_CELL, UnitKind.SUB_CELL})
QUALITY_ORDER = (QualityLevel.TOT, QualityLevel.KHA, QualityLevel.TRUNG_BINH, QualityLevel.KEM)


# ---------------------------------------------------------------------------
# Facts: what storage hands in


@dataclass(frozen=True, slots=True)
class UnitInfo:
    code: str
    name: str
    kind: UnitKind
    path: str
    parent_code: str | None
    members: int | None = None


@dataclass(frozen=True, slots=True)
class ScheduleFact:
    """The first registration of a unit's meeting of `kind` for `month` (a "YYYY-MM" key)."""

    unit_code: str
    kind: MeetingKind
    month: str
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class RecordFact:
    unit_code: str
    kind: MeetingKind
    month: str
    held: bool
    recorded_at: datetime
    held_on: date | None = None
    present: int | None = None
    total_members: int | None = None
    not_held_excused: bool | None = None
    not_held_reason: str | None = None
    rating_level: str | None = None
    rating_score: int | None = None
    rating_flags: tuple[str, ...] = ()
    rated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReportFact:
    unit_code: str
    report_type: str
    period: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class UnreachableFact:
    unit_code: str
    role: str
    person_name: str
    since: datetime


@dataclass(frozen=True)
class Facts:
    scope: UnitInfo
    units: tuple[UnitInfo, ...]  # the scope's active subtree, scope included
    schedules: tuple[ScheduleFact, ...] = ()
    records: tuple[RecordFact, ...] = ()
    reports: tuple[ReportFact, ...] = ()
    unreachable: tuple[UnreachableFact, ...] = ()

    def restricted_to(self, path: str) -> Facts:
        """The same facts for a smaller subtree (a cluster of the bloc, say)."""
        units = tuple(u for u in self.units if u.path.startswith(path))
        codes = {u.code for u in units}
        scope = next(u for u in units if u.path == path)
        return Facts(
            scope=scope,
            units=units,
            schedules=tuple(s for s in self.schedules if s.unit_code in codes),
            records=tuple(r for r in self.records if r.unit_code in codes),
            reports=tuple(r for r in self.reports if r.unit_code in codes),
            unreachable=tuple(u for u in self.unreachable if u.unit_code in codes),
        )


# ---------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class DigestPeriods:
    at: date
    registration_month: Month
    registration_due: date
    meeting_month: Month
    quarter: Quarter
    reports: tuple[ReportDue, ...]

    @property
    def meeting_month_over(self) -> bool:
        return self.at > self.meeting_month.last_day


def registration_month_at(policy: Policy, at: date) -> Month:
    """The latest month whose schedule registration was due on or before `at`."""
    month = Month.of(at).plus(1 - policy.registration.due_month_offset)
    while registration_due(policy, month) > at:
        month = month.prev()
    return month


def meeting_month_at(policy: Policy, at: date) -> Month:
    """The previous month while it can still be recorded, else the current one."""
    previous = Month.of(at).prev()
    if at <= edit_window_closes(previous, policy.edit_grace_days):
        return previous
    return Month.of(at)


def periods_at(policy: Policy, at: date) -> DigestPeriods:
    registration_month = registration_month_at(policy, at)
    meeting_month = meeting_month_at(policy, at)
    return DigestPeriods(
        at=at,
        registration_month=registration_month,
        registration_due=registration_due(policy, registration_month),
        meeting_month=meeting_month,
        quarter=meeting_month.quarter,
        reports=tuple(latest_due(rt, at) for rt in policy.report_types),
    )


def trend_days(at: date, weeks: int = TREND_WEEKS) -> tuple[date, ...]:
    """`weeks` digest days a week apart, the last one being `at`."""
    return tuple(at - timedelta(days=7 * k) for k in range(weeks - 1, -1, -1))


@dataclass(frozen=True)
class FactsNeeded:
    """Which months and report periods the facts must cover for a set of digest days."""

    months: frozenset[str]
    report_periods: frozenset[str]


def facts_needed(policy: Policy, days: Iterable[date]) -> FactsNeeded:
    months: set[str] = set()
    report_periods: set[str] = set()
    for day in days:
        p = periods_at(policy, day)
        months.add(p.registration_month.key)
        months.add(p.meeting_month.key)
        months.update(m.key for m in p.quarter.months)
        report_periods.update(r.period.key for r in p.reports)
    return FactsNeeded(frozenset(months), frozenset(report_periods))


def end_of_day(day: date) -> datetime:
    """The instant the local day ends: facts known before it count for that day."""
    return at_local(day + timedelta(days=1), time(0, 0))


# ---------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name}


@dataclass(frozen=True)
class Totals:
    registration_expected: int = 0
    registration_on_time: int = 0
    registration_late: int = 0
    registration_missing: int = 0
    registration_pending: int = 0
    meetings_expected: int = 0
    meetings_held: int = 0
    meetings_excused: int = 0
    meetings_unexcused: int = 0
    meetings_pending: int = 0
    rated: int = 0
    quality: Mapping[str, int] = field(default_factory=dict)
    attendance_meetings: int = 0
    attendance_average: Fraction | None = None
    attendance_below_target: int = 0
    thematic_expected: int = 0
    thematic_held: int = 0
    reports_expected: int = 0
    reports_on_time: int = 0
    reports_late: int = 0
    reports_missing: int = 0
    unreachable: int = 0

    @property
    def registered(self) -> int:
        return self.registration_on_time + self.registration_late

    def as_dict(self, target: Fraction) -> dict[str, Any]:
        return {
            "registration": {
                "expected": self.registration_expected,
                "registered": self.registered,
                "on_time": self.registration_on_time,
                "late": self.registration_late,
                "missing": self.registration_missing,
                "pending": self.registration_pending,
            },
            "meetings": {
                "expected": self.meetings_expected,
                "held": self.meetings_held,
                "excused": self.meetings_excused,
                "unexcused": self.meetings_unexcused,
                "pending": self.meetings_pending,
            },
            "rated": {"held": self.meetings_held, "rated": self.rated},
            "quality": {level.value: self.quality.get(level.value, 0) for level in QUALITY_ORDER},
            "attendance": {
                "meetings": self.attendance_meetings,
                "average": _rate(self.attendance_average),
                "target": _rate(target),
                "below_target": self.attendance_below_target,
            },
            "thematic": {"expected": self.thematic_expected, "held": self.thematic_held},
            "reports": {
                "expected": self.reports_expected,
                "on_time": self.reports_on_time,
                "late": self.reports_late,
                "missing": self.reports_missing,
            },
            "unreachable": self.unreachable,
        }


@dataclass(frozen=True)
class RegistrationGroup:
    """Units of one base committee (or the base cells) that did not register."""

    group: UnitRef | None  # None: base cells directly under a cluster or the bloc
    total: int
    units: tuple[UnitRef, ...]

    @property
    def missing(self) -> int:
        return len(self.units)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group.code if self.group else None,
            "group_name": self.group.name if self.group else None,
            "missing": self.missing,
            "total": self.total,
            "units": [u.code for u in self.units],
        }


@dataclass(frozen=True)
class LateRegistration:
    unit: UnitRef
    registered_on: date

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.code, "registered_on": self.registered_on.isoformat()}


@dataclass(frozen=True)
class ReportProblem:
    unit: UnitRef
    report_type: str
    report_name: str
    period: str  # key, e.g. "2026-11"
    period_label: str  # "11/2026", "Quý IV/2026"
    due: date
    status: DeadlineStatus  # LATE or MISSING
    sent_on: date | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "report_type": self.report_type,
            "period": self.period,
            "due": self.due.isoformat(),
            "status": self.status.value,
            "sent_on": self.sent_on.isoformat() if self.sent_on else None,
        }


@dataclass(frozen=True)
class MissedMeeting:
    unit: UnitRef
    kind: MeetingKind
    excused: bool
    recorded: bool  # False: no record at all after the month ended
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "kind": self.kind.value,
            "status": "excused" if self.excused else "unexcused",
            "recorded": self.recorded,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class FlaggedRating:
    unit: UnitRef
    kind: MeetingKind
    level: str
    score: int | None
    flags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "kind": self.kind.value,
            "level": self.level,
            "score": self.score,
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class LowAttendance:
    unit: UnitRef
    present: int
    total: int

    @property
    def rate(self) -> Fraction:
        return Fraction(self.present, self.total)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "present": self.present,
            "total": self.total,
            "rate": _rate(self.rate),
        }


@dataclass(frozen=True)
class Unreachable:
    unit: UnitRef
    role: str
    person_name: str
    since: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "role": self.role,
            "name": self.person_name,
            "since": local_date(self.since).isoformat(),
        }


@dataclass(frozen=True)
class Lists:
    not_registered: tuple[RegistrationGroup, ...] = ()
    registered_late: tuple[LateRegistration, ...] = ()
    reports: tuple[ReportProblem, ...] = ()
    meetings_not_held: tuple[MissedMeeting, ...] = ()
    implausible_ratings: tuple[FlaggedRating, ...] = ()
    attendance_below_target: tuple[LowAttendance, ...] = ()
    thematic_missing: tuple[UnitRef, ...] = ()
    unreachable: tuple[Unreachable, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "not_registered": [g.as_dict() for g in self.not_registered],
            "registered_late": [x.as_dict() for x in self.registered_late],
            "reports": [x.as_dict() for x in self.reports],
            "meetings_not_held": [x.as_dict() for x in self.meetings_not_held],
            "implausible_ratings": [x.as_dict() for x in self.implausible_ratings],
            "attendance_below_target": [x.as_dict() for x in self.attendance_below_target],
            "thematic_missing": [u.code for u in self.thematic_missing],
            "unreachable": [x.as_dict() for x in self.unreachable],
        }


@dataclass(frozen=True)
class Snapshot:
    """The digest's numbers and lists for one scope as of one day."""

    periods: DigestPeriods
    totals: Totals
    lists: Lists


@dataclass(frozen=True)
class TrendPoint:
    at: date
    totals: Totals

    def as_dict(self) -> dict[str, Any]:
        t = self.totals
        return {
            "at": self.at.isoformat(),
            "registered": t.registered,
            "registration_expected": t.registration_expected,
            "held": t.meetings_held,
            "meetings_expected": t.meetings_expected,
            "reports_on_time": t.reports_on_time,
            "reports_expected": t.reports_expected,
        }


@dataclass(frozen=True)
class Breakdown:
    """One child of the scope (a cluster of the bloc, a base organisation of a cluster)."""

    unit: UnitRef
    totals: Totals


# Headline numbers compared week on week, and the period each depends on.
CHANGE_KEYS: tuple[tuple[str, str], ...] = (
    ("registered", "registration"),
    ("meetings_held", "meeting"),
    ("rated", "meeting"),
    ("attendance_average", "meeting"),
    ("thematic_held", "quarter"),
    ("reports_on_time", "reports"),
    ("reports_late", "reports"),
    ("reports_missing", "reports"),
    ("unreachable", "always"),
)


@dataclass(frozen=True)
class Digest:
    scope: UnitInfo
    current: Snapshot
    previous: Snapshot
    breakdown: tuple[Breakdown, ...]
    trend: tuple[TrendPoint, ...]
    attendance_target: Fraction

    @property
    def at(self) -> date:
        return self.current.periods.at

    @property
    def totals(self) -> Totals:
        return self.current.totals

    @property
    def lists(self) -> Lists:
        return self.current.lists

    @property
    def periods(self) -> DigestPeriods:
        return self.current.periods

    @property
    def changes(self) -> dict[str, int | float | None]:
        """Current minus previous week, for numbers whose period did not change (else None)."""
        now, before = self.current, self.previous
        same = {
            "registration": now.periods.registration_month == before.periods.registration_month,
            "meeting": now.periods.meeting_month == before.periods.meeting_month,
            "quarter": now.periods.quarter == before.periods.quarter,
            "reports": [r.period for r in now.periods.reports]
            == [r.period for r in before.periods.reports],
            "always": True,
        }
        result: dict[str, int | float | None] = {}
        for key, period in CHANGE_KEYS:
            a = getattr(now.totals, key)
            b = getattr(before.totals, key)
            if not same[period] or a is None or b is None:
                result[key] = None
            elif isinstance(a, Fraction) or isinstance(b, Fraction):
                result[key] = round(float(a - b), 4)
            else:
                result[key] = a - b
        return result

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of `chibo digest --format json` (schema in README)."""
        p = self.periods
        return {
            "schema": SCHEMA,
            "scope": {"code": self.scope.code, "name": self.scope.name, "kind": self.scope.kind},
            "at": self.at.isoformat(),
            "periods": _periods_dict(p),
            "totals": self.totals.as_dict(self.attendance_target),
            "previous": {
                "at": self.previous.periods.at.isoformat(),
                "periods": _periods_dict(self.previous.periods),
                "totals": self.previous.totals.as_dict(self.attendance_target),
            },
            "changes": self.changes,
            "lists": self.lists.as_dict(),
            "breakdown": [
                {
                    "unit": b.unit.code,
                    "name": b.unit.name,
                    "totals": b.totals.as_dict(self.attendance_target),
                }
                for b in self.breakdown
            ],
            "trend": [t.as_dict() for t in self.trend],
        }


def _periods_dict(p: DigestPeriods) -> dict[str, Any]:
    return {
        "registration_month": p.registration_month.key,
        "registration_due": p.registration_due.isoformat(),
        "meeting_month": p.meeting_month.key,
        "quarter": p.quarter.key,
        "reports": [
            {"report_type": r.report_type.code, "period": r.period.key, "due": r.due.isoformat()}
            for r in p.reports
        ],
    }


# ---------------------------------------------------------------------------
# Computation
#
# The facts are indexed once per digest (`_Index`: the first registration and
# report per key with its local date, records per key, attendance per pair of
# figures). Each day of the digest is then one pass over the units in tree order
# that writes what every unit counts for as keys ("meetings", DONE), tallied with
# a Counter: the scope's totals, and on the current day also each child's
# (the breakdown) from the same pass. Lists are built only for the current day
# and the previous week; the trend points only count.


def build(policy: Policy, facts: Facts, at: date) -> Digest:
    """The digest as of the end of local day `at`, with last week, breakdown and trend."""
    index = _Index(facts)
    children = sorted(_children(facts), key=lambda u: u.path)
    current, by_child = _compute(policy, index, at, None, lists=True, groups=children)
    previous, _ = _compute(policy, index, at - timedelta(days=7), None, lists=True)
    breakdown = tuple(
        Breakdown(UnitRef(child.code, child.name), by_child[child.code]) for child in children
    )
    known = {at: current.totals, previous.periods.at: previous.totals}
    for day in trend_days(at):
        if day not in known:
            known[day] = _compute(policy, index, day, None)[0].totals
    trend = tuple(TrendPoint(day, known[day]) for day in trend_days(at))
    return Digest(facts.scope, current, previous, breakdown, trend, policy.attendance_target)


def totals(policy: Policy, facts: Facts, at: date) -> Totals:
    return snapshot(policy, facts, at).totals


def _children(facts: Facts) -> list[UnitInfo]:
    return [u for u in facts.units if u.parent_code == facts.scope.code]


def snapshot(
    policy: Policy, facts: Facts, at: date, periods: DigestPeriods | None = None
) -> Snapshot:
    """Totals and lists as of the end of local day `at` (periods derived from `at` by default)."""
    return _compute(policy, _Index(facts), at, periods, lists=True)[0]


_Key = tuple[str, MeetingKind, str]


class _Index:
    """The facts arranged for lookups; built once, read by every day of a digest."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        units = _by_path(facts.units)
        self.by_code = {u.code: u for u in units}
        self.expected = [u for u in units if u.kind in MONTHLY_KIND]
        self.expected_kinds = [MONTHLY_KIND[u.kind] for u in self.expected]
        self.thematic_units = [u for u in units if u.kind in THEMATIC_KINDS]
        self.reporting = [u for u in units if u.kind in REPORTING_KINDS]
        # The earliest registration (report) per key: the earliest one before a
        # cutoff is this one if it is before the cutoff, else there is none.
        self.registered = _earliest(
            ((s.unit_code, s.kind, s.month), s.registered_at) for s in facts.schedules
        )
        self.sent = _earliest(
            ((r.unit_code, r.report_type, r.period), r.sent_at) for r in facts.reports
        )
        # Records per key in the facts' order: the last one known at a cutoff counts.
        records: dict[_Key, list[RecordFact]] = defaultdict(list)
        flagged: dict[str, list[RecordFact]] = defaultdict(list)
        for r in facts.records:
            records[(r.unit_code, r.kind, r.month)].append(r)
            if r.rating_level and r.rating_flags and r.unit_code in self.by_code:
                flagged[r.month].append(r)
        self.records = dict(records)
        self.flagged_by_month = dict(flagged)
        thematic: dict[str, list[RecordFact]] = defaultdict(list)
        for r in facts.records:
            if r.kind == MeetingKind.THEMATIC and r.held:
                thematic[r.unit_code].append(r)
        self.held_thematic = dict(thematic)
        self._attendance: dict[tuple[int, int], tuple[Fraction, bool] | None] = {}

    def record(self, key: _Key, cutoff: datetime) -> RecordFact | None:
        found = self.records.get(key)
        if not found:
            return None
        if found[-1].recorded_at < cutoff:
            return found[-1]
        for r in reversed(found):
            if r.recorded_at < cutoff:
                return r
        return None

    def attendance(self, policy: Policy, present: int, total: int) -> tuple[Fraction, bool] | None:
        """The rate and whether it meets the target; None for figures that do not add up."""
        pair = (present, total)
        if pair not in self._attendance:
            try:
                rate = attendance_rate(present, total)
            except ValueError:
                self._attendance[pair] = None
            else:
                self._attendance[pair] = (rate, meets_attendance_target(policy, rate))
        return self._attendance[pair]

    def child_of(self, scope_path: str, children: Sequence[UnitInfo]) -> dict[str, str]:
        """Unit code → the code of the scope's child whose subtree holds it."""
        by_path = {c.path: c.code for c in children}
        result: dict[str, str] = {}
        for u in self.facts.units:
            if u.path.startswith(scope_path):
                head = u.path[len(scope_path) :].split("/", 1)[0]
                child = by_path.get(f"{scope_path}{head}/")
                if child is not None:
                    result[u.code] = child
        return result


def _earliest(
    items: Iterable[tuple[tuple[str, Any, str], datetime]],
) -> dict[tuple[str, Any, str], tuple[datetime, date]]:
    first: dict[tuple[str, Any, str], datetime] = {}
    for key, moment in items:
        if key not in first or moment < first[key]:
            first[key] = moment
    return {key: (moment, local_date(moment)) for key, moment in first.items()}


# What a unit counts for, as Counter keys: (REGISTRATION, DeadlineStatus),
# (MEETINGS, DutyStatus), (QUALITY, level), (RATE, (present, total)), (BELOW,),
# (THEMATIC,), (THEMATIC_HELD,), (REPORTS, DeadlineStatus), (UNREACHABLE,).
REGISTRATION, MEETINGS, QUALITY, RATE, BELOW = "reg", "meet", "quality", "rate", "below"
THEMATIC, THEMATIC_HELD, REPORTS, UNREACHABLE = "thematic", "thematic_held", "reports", "unr"


def _totals(c: Counter[tuple[Any, ...]]) -> Totals:
    reg = {s: c[(REGISTRATION, s)] for s in DeadlineStatus}
    meet = {s: c[(MEETINGS, s)] for s in DutyStatus}
    reports = {s: c[(REPORTS, s)] for s in DeadlineStatus}
    quality: dict[str, int] = {level.value: 0 for level in QUALITY_ORDER}
    rates: dict[tuple[int, int], int] = {}
    for key, n in c.items():
        if key[0] == QUALITY:
            quality[key[1]] = quality.get(key[1], 0) + n
        elif key[0] == RATE:
            rates[key[1]] = n
    counted = sum(rates.values())
    average = (
        sum((Fraction(p, t) * n for (p, t), n in rates.items()), Fraction(0)) / counted
        if counted
        else None
    )
    expected = sum(reg.values())
    return Totals(
        registration_expected=expected,
        registration_on_time=reg[DeadlineStatus.ON_TIME],
        registration_late=reg[DeadlineStatus.LATE],
        registration_missing=reg[DeadlineStatus.MISSING],
        registration_pending=reg[DeadlineStatus.PENDING],
        meetings_expected=expected,
        meetings_held=meet[DutyStatus.DONE],
        meetings_excused=meet[DutyStatus.EXCUSED],
        meetings_unexcused=meet[DutyStatus.MISSING],
        meetings_pending=meet[DutyStatus.PENDING],
        rated=sum(quality.values()),
        quality=quality,
        attendance_meetings=counted,
        attendance_average=average,
        attendance_below_target=c[(BELOW,)],
        thematic_expected=c[(THEMATIC,)],
        thematic_held=c[(THEMATIC_HELD,)],
        reports_expected=sum(reports.values()),
        reports_on_time=reports[DeadlineStatus.ON_TIME],
        reports_late=reports[DeadlineStatus.LATE],
        reports_missing=reports[DeadlineStatus.MISSING],
        unreachable=c[(UNREACHABLE,)],
    )


class _Pass:
    """One day's pass: the keys every unit counts for and, for a breakdown, whose they are."""

    def __init__(self, track_owners: bool) -> None:
        self.keys: list[tuple[Any, ...]] = []
        self.owners: list[str] = []
        self.track_owners = track_owners

    def adder(self) -> Callable[[str, tuple[Any, ...]], None]:
        """A fast `add(unit_code, key)` for the loops below."""
        keys, owners = self.keys.append, self.owners.append
        if not self.track_owners:
            return lambda _code, key: keys(key)

        def add(code: str, key: tuple[Any, ...]) -> None:
            keys(key)
            owners(code)

        return add


def _compute(
    policy: Policy,
    index: _Index,
    at: date,
    periods: DigestPeriods | None,
    *,
    lists: bool = False,
    groups: Sequence[UnitInfo] = (),
) -> tuple[Snapshot, dict[str, Totals]]:
    """One day: the snapshot (with lists only if asked) and the totals of each of `groups`."""
    p = periods or periods_at(policy, at)
    cutoff = end_of_day(at)
    counted = _Pass(track_owners=bool(groups))
    registration = _registration(p, index, cutoff, counted, lists)
    meetings = _meetings(policy, p, index, cutoff, counted, lists)
    thematic_missing = _thematic(p, index, cutoff, counted, lists)
    report_problems = _reports(p, index, cutoff, at, counted, lists)
    by_code = index.by_code
    known = [f for f in index.facts.unreachable if f.since < cutoff and f.unit_code in by_code]
    add = counted.adder()
    for f in known:
        add(f.unit_code, (UNREACHABLE,))

    result_lists = Lists()
    if lists:
        result_lists = Lists(
            not_registered=registration.groups,
            registered_late=registration.late,
            reports=report_problems,
            meetings_not_held=meetings.missed,
            implausible_ratings=_flagged(p, index, cutoff),
            attendance_below_target=meetings.low,
            thematic_missing=thematic_missing,
            unreachable=tuple(
                Unreachable(_ref(by_code[f.unit_code]), f.role, f.person_name, f.since)
                for f in sorted(known, key=lambda f: (by_code[f.unit_code].path, f.role))
            ),
        )
    by_group: dict[str, Totals] = {}
    if groups:
        child_of = index.child_of(index.facts.scope.path, groups)
        split: dict[str, Counter[tuple[Any, ...]]] = {g.code: Counter() for g in groups}
        pairs = Counter(zip((child_of.get(o) for o in counted.owners), counted.keys, strict=True))
        for (child, key), n in pairs.items():
            if child is not None:
                split[child][key] += n
        by_group = {code: _totals(c) for code, c in split.items()}
    return Snapshot(p, _totals(Counter(counted.keys)), result_lists), by_group


def _ref(unit: UnitInfo) -> UnitRef:
    return UnitRef(unit.code, unit.name)


def _by_path(units: Iterable[UnitInfo]) -> list[UnitInfo]:
    return sorted(units, key=lambda u: u.path)


@dataclass(frozen=True)
class _Registration:
    groups: tuple[RegistrationGroup, ...] = ()
    late: tuple[LateRegistration, ...] = ()


def _registration(
    p: DigestPeriods, index: _Index, cutoff: datetime, counted: _Pass, lists: bool
) -> _Registration:
    month = p.registration_month.key
    found = index.registered.get
    add = counted.adder()
    statuses: list[tuple[UnitInfo, DeadlineStatus, date | None]] = []
    for unit, kind in zip(index.expected, index.expected_kinds, strict=True):
        first = found((unit.code, kind, month))
        registered_on = first[1] if first is not None and first[0] < cutoff else None
        status = deadline_status(p.registration_due, registered_on, p.at)
        add(unit.code, (REGISTRATION, status))
        if lists:
            statuses.append((unit, status, registered_on))
    if not lists:
        return _Registration()

    group_total: Counter[str | None] = Counter()
    group_missing: dict[str | None, list[UnitInfo]] = defaultdict(list)
    late: list[LateRegistration] = []
    for unit, status, registered_on in statuses:
        group = _registration_group(unit)
        group_total[group] += 1
        if status == DeadlineStatus.MISSING:
            group_missing[group].append(unit)
        elif status == DeadlineStatus.LATE:
            assert registered_on is not None
            late.append(LateRegistration(_ref(unit), registered_on))
    by_code = index.by_code

    def group_ref(code: str | None) -> UnitRef | None:
        if code is None:
            return None
        # A sub-cell seen on its own: its committee lies outside the facts.
        return _ref(by_code[code]) if code in by_code else UnitRef(code, code)

    def group_path(code: str | None) -> str:
        unit = by_code.get(code) if code is not None else None
        return unit.path if unit is not None else ""

    # Base committees in tree order, then the base cells together.
    order = sorted(group_missing, key=lambda g: (g is None, group_path(g)))
    groups = tuple(
        RegistrationGroup(group_ref(g), group_total[g], tuple(_ref(u) for u in group_missing[g]))
        for g in order
    )
    return _Registration(groups, tuple(late))


def _registration_group(unit: UnitInfo) -> str | None:
    """The base committee a unit belongs to (itself for a committee); None for a base cell."""
    if unit.kind == UnitKind.BASE_COMMITTEE:
        return unit.code
    if unit.kind == UnitKind.SUB_CELL:
        return unit.parent_code
    return None


@dataclass
class _Meetings:
    low: tuple[LowAttendance, ...]
    missed: tuple[MissedMeeting, ...]


def _meetings(
    policy: Policy,
    p: DigestPeriods,
    index: _Index,
    cutoff: datetime,
    counted: _Pass,
    lists: bool,
) -> _Meetings:
    low: list[LowAttendance] = []
    missed: list[MissedMeeting] = []
    month = p.meeting_month.key
    over = p.meeting_month_over
    add = counted.adder()
    record_at = index.record
    for unit, kind in zip(index.expected, index.expected_kinds, strict=True):
        record = record_at((unit.code, kind, month), cutoff)
        status = _status_of(record, over)
        add(unit.code, (MEETINGS, status))
        if lists and status in (DutyStatus.EXCUSED, DutyStatus.MISSING):
            missed.append(
                MissedMeeting(
                    _ref(unit),
                    kind,
                    excused=status == DutyStatus.EXCUSED,
                    recorded=record is not None,
                    reason=record.not_held_reason if record else None,
                )
            )
        if status != DutyStatus.DONE or record is None:
            continue
        if record.rating_level and record.rated_at and record.rated_at < cutoff:
            add(unit.code, (QUALITY, record.rating_level))
        if kind == MeetingKind.REGULAR and record.present is not None and record.total_members:
            attendance = index.attendance(policy, record.present, record.total_members)
            if attendance is None:
                continue  # figures that do not add up are left out rather than guessed
            add(unit.code, (RATE, (record.present, record.total_members)))
            if not attendance[1]:
                add(unit.code, (BELOW,))
                if lists:
                    low.append(LowAttendance(_ref(unit), record.present, record.total_members))
    return _Meetings(tuple(low), tuple(missed))


def _meeting_status(record: RecordFact | None, p: DigestPeriods) -> DutyStatus:
    return _status_of(record, p.meeting_month_over)


def _status_of(record: RecordFact | None, month_over: bool) -> DutyStatus:
    if record is None:
        return DutyStatus.MISSING if month_over else DutyStatus.PENDING
    if record.held:
        return DutyStatus.DONE
    return DutyStatus.EXCUSED if record.not_held_excused else DutyStatus.MISSING


def _thematic(
    p: DigestPeriods, index: _Index, cutoff: datetime, counted: _Pass, lists: bool
) -> tuple[UnitRef, ...]:
    months = {m.key for m in p.quarter.months}
    missing: list[UnitRef] = []
    add = counted.adder()
    record_at = index.record
    held = index.held_thematic
    for unit in index.thematic_units:
        add(unit.code, (THEMATIC,))
        # Held in the quarter: a held record that is the one known at the cutoff.
        if any(
            r.month in months and record_at((r.unit_code, r.kind, r.month), cutoff) is r
            for r in held.get(unit.code, ())
        ):
            add(unit.code, (THEMATIC_HELD,))
        elif lists:
            missing.append(_ref(unit))
    return tuple(missing)


def _reports(
    p: DigestPeriods,
    index: _Index,
    cutoff: datetime,
    at: date,
    counted: _Pass,
    lists: bool,
) -> tuple[ReportProblem, ...]:
    problems: list[ReportProblem] = []
    found = index.sent.get
    add = counted.adder()
    for due in p.reports:
        code, period = due.report_type.code, due.period.key
        for unit in index.reporting:
            first = found((unit.code, code, period))
            sent_on = first[1] if first is not None and first[0] < cutoff else None
            status = deadline_status(due.due, sent_on, at)
            add(unit.code, (REPORTS, status))
            if lists and status in (DeadlineStatus.LATE, DeadlineStatus.MISSING):
                problems.append(
                    ReportProblem(
                        _ref(unit),
                        code,
                        due.report_type.name_vi,
                        period,
                        str(due.period),
                        due.due,
                        status,
                        sent_on,
                    )
                )
    # Missing before late, then by unit in tree order.
    order = {u.code: i for i, u in enumerate(index.reporting)}
    problems.sort(key=lambda x: (x.status != DeadlineStatus.MISSING, order[x.unit.code], x.due))
    return tuple(problems)


def _flagged(p: DigestPeriods, index: _Index, cutoff: datetime) -> tuple[FlaggedRating, ...]:
    by_code = index.by_code
    result = [
        FlaggedRating(
            _ref(by_code[r.unit_code]), r.kind, r.rating_level or "", r.rating_score, r.rating_flags
        )
        for r in index.flagged_by_month.get(p.meeting_month.key, ())
        if index.record((r.unit_code, r.kind, r.month), cutoff) is r
        and r.rated_at is not None
        and r.rated_at < cutoff
    ]
    return tuple(sorted(result, key=lambda x: (by_code[x.unit.code].path, x.kind.value)))


def _rate(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


def periods_for_month(policy: Policy, month: Month, at: date) -> DigestPeriods:
    """Periods for an export of one month: its registration, meetings, quarter and the
    report deadlines that fall inside it."""
    return DigestPeriods(
        at=at,
        registration_month=month,
        registration_due=registration_due(policy, month),
        meeting_month=month,
        quarter=month.quarter,
        reports=tuple(deadlines_between(policy, month.first_day, month.last_day)),
    )


@dataclass(frozen=True)
class UnitRow:
    """One unit's line in an export: every status the digest counts."""

    unit: UnitInfo
    cluster: str | None
    registration: DeadlineStatus | None  # None: the unit does not register
    registered_on: date | None
    meeting: DutyStatus | None
    record: RecordFact | None
    thematic_held: bool | None
    reports: tuple[tuple[ReportDue, DeadlineStatus, date | None], ...]
    unreachable: tuple[str, ...]  # "Nguyễn Văn An (secretary)"


def unit_rows(policy: Policy, facts: Facts, periods: DigestPeriods) -> list[UnitRow]:
    """Per-unit statuses for `periods`, in tree order, for units that hold meetings."""
    cutoff = end_of_day(periods.at)
    by_code = {u.code: u for u in facts.units}
    registered: dict[tuple[str, MeetingKind, str], datetime] = {}
    for s in facts.schedules:
        key = (s.unit_code, s.kind, s.month)
        if s.registered_at < cutoff and (
            key not in registered or s.registered_at < registered[key]
        ):
            registered[key] = s.registered_at
    records = {(r.unit_code, r.kind, r.month): r for r in facts.records if r.recorded_at < cutoff}
    sent: dict[tuple[str, str, str], datetime] = {}
    for r in facts.reports:
        key = (r.unit_code, r.report_type, r.period)
        if r.sent_at < cutoff and (key not in sent or r.sent_at < sent[key]):
            sent[key] = r.sent_at
    quarter_months = [m.key for m in periods.quarter.months]
    rows = []
    for unit in _by_path(u for u in facts.units if u.kind in MONTHLY_KIND):
        kind = MONTHLY_KIND[unit.kind]
        at_reg = registered.get((unit.code, kind, periods.registration_month.key))
        registered_on = local_date(at_reg) if at_reg else None
        record = records.get((unit.code, kind, periods.meeting_month.key))
        thematic = None
        if unit.kind in THEMATIC_KINDS:
            thematic = any(
                (r := records.get((unit.code, MeetingKind.THEMATIC, m))) is not None and r.held
                for m in quarter_months
            )
        reports = []
        if unit.kind in REPORTING_KINDS:
            for due in periods.reports:
                sent_at = sent.get((unit.code, due.report_type.code, due.period.key))
                sent_on = local_date(sent_at) if sent_at else None
                reports.append((due, deadline_status(due.due, sent_on, periods.at), sent_on))
        rows.append(
            UnitRow(
                unit=unit,
                cluster=_cluster_of(unit, by_code),
                registration=deadline_status(periods.registration_due, registered_on, periods.at),
                registered_on=registered_on,
                meeting=_meeting_status(record, periods),
                record=record,
                thematic_held=thematic,
                reports=tuple(reports),
                unreachable=tuple(
                    f"{f.person_name} ({f.role})"
                    for f in facts.unreachable
                    if f.unit_code == unit.code and f.since < cutoff
                ),
            )
        )
    return rows


def _cluster_of(unit: UnitInfo, by_code: Mapping[str, UnitInfo]) -> str | None:
    current: UnitInfo | None = unit
    while current is not None:
        if current.kind == UnitKind.CLUSTER:
            return current.code
        current = by_code.get(current.parent_code) if current.parent_code else None
    return None
