"""The leadership digest: from the ledger's counts to totals, lists, changes and trend.

Pure arithmetic. `storage.digest_queries` aggregates the ledger in SQL (a fixed
number of statements whatever the size of the subtree) and hands in counts; the
status of each count as of a day follows `domain.obligations`, the one definition
of what counts. Which periods a day is judged on is the obligations' `Window`.

As of an earlier day (last week, the 8-week trend) a count is resolved only if
its fact became known before that day ended; figures sent in a weekly digest are
frozen (`DigestSnapshot`), and a later correction is shown beside the frozen
figure, never silently written over it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain.localtime import local_date
from domain.meeting_kinds import MeetingKind
from domain.obligations import (
    Obligation,
    ObligationKind,
    Resolution,
    Status,
    Window,
    end_of_day,
    resolved_status,
    window_at,
)
from domain.org import UnitKind
from domain.quality import QualityLevel
from domain.reports import ReportDue

if TYPE_CHECKING:
    from domain.digest_duties import ClusterAbsence, DirectiveProblem

SCHEMA = "chibo.digest/1"
TREND_WEEKS = 8
QUALITY_ORDER = (QualityLevel.TOT, QualityLevel.KHA, QualityLevel.TRUNG_BINH, QualityLevel.KEM)
THEMATIC_SUBJECT = MeetingKind.THEMATIC.value
REGULAR = MeetingKind.REGULAR.value


# ---------------------------------------------------------------------------
# What storage hands in


@dataclass(frozen=True, slots=True)
class UnitInfo:
    code: str
    name: str
    kind: UnitKind
    path: str
    parent_code: str | None
    members: int | None = None


@dataclass(frozen=True, slots=True)
class LedgerCount:
    """How many obligations share these values (one GROUP BY row).

    `known_from` is the index of the first digest day by whose end the resolution was
    known (None: still open, or known only after the last day).
    """

    kind: ObligationKind
    subject: str
    period: str
    due_on: date
    resolution: Resolution
    on_time: bool
    known_from: int | None
    child: str | None
    count: int
    level: str | None = None  # ratings: the level given
    # Held meetings with attendance figures: how many, the sum of their rates
    # (present / members) and how many were below the target.
    measured: int = 0
    rate_sum: float = 0.0
    below_target: int = 0

    def status(self, day: date, index: int) -> Status:
        if self.known_from is not None and self.known_from <= index:
            if self.resolution == Resolution.DONE:
                return Status.ON_TIME if self.on_time else Status.LATE
            return resolved_status(self.resolution, None, self.due_on)
        return Status.MISSING if day > self.due_on else Status.PENDING


@dataclass(frozen=True, slots=True)
class UnreachableFact:
    unit: UnitInfo
    role: str
    person_name: str
    since: datetime


@dataclass(frozen=True, slots=True)
class FlaggedFact:
    unit: UnitInfo
    kind: MeetingKind
    level: str
    score: int | None
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LowAttendanceFact:
    unit: UnitInfo
    present: int
    total: int


@dataclass(frozen=True)
class DigestFacts:
    """Everything `build` needs, for `days` (ascending; the last one is the digest's)."""

    scope: UnitInfo
    children: tuple[UnitInfo, ...]
    days: tuple[date, ...]
    current: tuple[LedgerCount, ...]  # the digest day, by child
    history: tuple[LedgerCount, ...]  # every day, `known_from` over `days`, no child
    problems: tuple[tuple[UnitInfo, Obligation], ...]  # the digest day's non-compliant rows
    group_totals: Mapping[str | None, int]  # registration: units per base committee
    groups: Mapping[str, UnitInfo]
    flagged: tuple[FlaggedFact, ...] = ()
    low_attendance: tuple[LowAttendanceFact, ...] = ()
    unreachable: tuple[UnreachableFact, ...] = ()  # known by the end of the digest day
    unreachable_since: tuple[tuple[str | None, datetime], ...] = ()  # (child, since)
    frozen: Mapping[date, Mapping[str, Any]] = field(default_factory=dict)


def digest_days(at: date, weeks: int = TREND_WEEKS) -> tuple[date, ...]:
    """The digest day and the weekly days before it (the trend; the previous week is one)."""
    return tuple(at - timedelta(days=7 * k) for k in range(weeks - 1, -1, -1))


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

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Totals:
        """The inverse of `as_dict` (a frozen snapshot read back)."""
        reg, meet, att, rep = d["registration"], d["meetings"], d["attendance"], d["reports"]
        average = att.get("average")
        return cls(
            registration_expected=reg["expected"],
            registration_on_time=reg["on_time"],
            registration_late=reg["late"],
            registration_missing=reg["missing"],
            registration_pending=reg["pending"],
            meetings_expected=meet["expected"],
            meetings_held=meet["held"],
            meetings_excused=meet["excused"],
            meetings_unexcused=meet["unexcused"],
            meetings_pending=meet["pending"],
            rated=d["rated"]["rated"],
            quality=dict(d["quality"]),
            attendance_meetings=att["meetings"],
            attendance_average=None
            if average is None
            else Fraction(str(average)).limit_denominator(10_000),
            attendance_below_target=att["below_target"],
            thematic_expected=d["thematic"]["expected"],
            thematic_held=d["thematic"]["held"],
            reports_expected=rep["expected"],
            reports_on_time=rep["on_time"],
            reports_late=rep["late"],
            reports_missing=rep["missing"],
            unreachable=d["unreachable"],
        )


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
    status: Status  # LATE or MISSING
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
class ThematicMissing:
    """A cell without a thematic meeting in the quarter: pending while the quarter runs."""

    unit: UnitRef
    status: Status


@dataclass(frozen=True)
class Lists:
    not_registered: tuple[RegistrationGroup, ...] = ()
    registered_late: tuple[LateRegistration, ...] = ()
    reports: tuple[ReportProblem, ...] = ()
    meetings_not_held: tuple[MissedMeeting, ...] = ()
    implausible_ratings: tuple[FlaggedRating, ...] = ()
    attendance_below_target: tuple[LowAttendance, ...] = ()
    thematic_missing: tuple[ThematicMissing, ...] = ()
    unreachable: tuple[Unreachable, ...] = ()
    # Built by domain.digest_duties from their own query (storage.duty_queries).
    directives: tuple[DirectiveProblem, ...] = ()
    cluster_absences: tuple[ClusterAbsence, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "not_registered": [g.as_dict() for g in self.not_registered],
            "registered_late": [x.as_dict() for x in self.registered_late],
            "reports": [x.as_dict() for x in self.reports],
            "meetings_not_held": [x.as_dict() for x in self.meetings_not_held],
            "implausible_ratings": [x.as_dict() for x in self.implausible_ratings],
            "attendance_below_target": [x.as_dict() for x in self.attendance_below_target],
            "thematic_missing": [t.unit.code for t in self.thematic_missing],
            "unreachable": [x.as_dict() for x in self.unreachable],
            "directives": [x.as_dict() for x in self.directives],
            "cluster_absences": [x.as_dict() for x in self.cluster_absences],
        }


@dataclass(frozen=True)
class Snapshot:
    """The digest's numbers and lists for one scope as of one day."""

    periods: Window
    totals: Totals
    lists: Lists = field(default_factory=Lists)


@dataclass(frozen=True)
class Past:
    """A figure of an earlier day: frozen if a weekly digest sent it, else as recomputed.

    `corrected` holds the headline numbers that changed since they were frozen (a record
    of an old month corrected later), as recomputed now.
    """

    periods: Window
    totals: Totals
    frozen: bool = False
    corrected: Mapping[str, int | float | None] = field(default_factory=dict)

    def corrections_dict(self) -> dict[str, Any]:
        return dict(self.corrected)


@dataclass(frozen=True)
class TrendPoint:
    at: date
    totals: Totals
    frozen: bool = False

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
            "frozen": self.frozen,
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
    previous: Past
    breakdown: tuple[Breakdown, ...]
    trend: tuple[TrendPoint, ...]
    attendance_target: Fraction

    @property
    def at(self) -> date:
        return self.current.periods.day

    @property
    def totals(self) -> Totals:
        return self.current.totals

    @property
    def lists(self) -> Lists:
        return self.current.lists

    @property
    def periods(self) -> Window:
        return self.current.periods

    @property
    def changes(self) -> dict[str, int | float | None]:
        """Current minus previous week, for numbers whose period did not change (else None)."""
        return _differences(self.current, self.previous.periods, self.previous.totals)

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of `chibo digest --format json` (schema in README)."""
        return {
            "schema": SCHEMA,
            "scope": {"code": self.scope.code, "name": self.scope.name, "kind": self.scope.kind},
            "at": self.at.isoformat(),
            "periods": _periods_dict(self.periods),
            "totals": self.totals.as_dict(self.attendance_target),
            "previous": {
                "at": self.previous.periods.day.isoformat(),
                "periods": _periods_dict(self.previous.periods),
                "totals": self.previous.totals.as_dict(self.attendance_target),
                "frozen": self.previous.frozen,
                "corrected": self.previous.corrections_dict(),
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


def _differences(
    now: Snapshot, before_periods: Window, before: Totals
) -> dict[str, int | float | None]:
    p, q = now.periods, before_periods
    same = {
        "registration": p.registration_month == q.registration_month,
        "meeting": p.meeting_month == q.meeting_month,
        "quarter": p.quarter == q.quarter,
        "reports": [r.period for r in p.reports] == [r.period for r in q.reports],
        "always": True,
    }
    result: dict[str, int | float | None] = {}
    for key, period in CHANGE_KEYS:
        a = getattr(now.totals, key)
        b = getattr(before, key)
        if not same[period] or a is None or b is None:
            result[key] = None
        elif isinstance(a, Fraction) or isinstance(b, Fraction):
            result[key] = round(float(a - b), 4)
        else:
            result[key] = a - b
    return result


def _periods_dict(p: Window) -> dict[str, Any]:
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


def build(windows: Sequence[Window], facts: DigestFacts, target: Fraction) -> Digest:
    """The digest as of the end of the last of `facts.days` (`windows` in the same order)."""
    last = len(facts.days) - 1
    window = windows[last]
    by_child = _day_tallies(window, last, facts, facts.current)
    current = Snapshot(window, _combined(by_child.values()), _lists(window, facts))
    recomputed = {
        i: _combined(_day_tallies(windows[i], i, facts, facts.history).values())
        for i in range(last)
    }
    recomputed[last] = current.totals
    previous = _past(windows[max(0, last - 1)], recomputed[max(0, last - 1)], facts.frozen)
    trend = tuple(
        TrendPoint(day, *_frozen_or(recomputed[i], facts.frozen.get(day)))
        for i, day in enumerate(facts.days)
    )
    breakdown = tuple(
        Breakdown(UnitRef(c.code, c.name), _combined([by_child.get(c.code, _Tally())]))
        for c in facts.children
    )
    return Digest(facts.scope, current, previous, breakdown, trend, target)


def windows_for(policy: Any, days: Iterable[date]) -> tuple[Window, ...]:
    return tuple(window_at(policy, day) for day in days)


def _frozen_or(totals: Totals, frozen: Mapping[str, Any] | None) -> tuple[Totals, bool]:
    return (Totals.from_dict(frozen), True) if frozen is not None else (totals, False)


def _past(window: Window, recomputed: Totals, frozen: Mapping[date, Mapping[str, Any]]) -> Past:
    stored = frozen.get(window.day)
    if stored is None:
        return Past(window, recomputed)
    kept = Totals.from_dict(stored)
    corrected = {
        key: _plain(getattr(recomputed, key))
        for key, _ in CHANGE_KEYS
        if _plain(getattr(recomputed, key)) != _plain(getattr(kept, key))
    }
    return Past(window, kept, frozen=True, corrected=corrected)


def _plain(value: Any) -> Any:
    return _rate(value) if isinstance(value, Fraction) else value


class _Tally:
    """Counts of statuses per obligation kind, plus the measured facts, for one day."""

    def __init__(self) -> None:
        self.statuses: Counter[tuple[ObligationKind, Status]] = Counter()
        self.rated = 0
        self.quality: Counter[str] = Counter()
        self.meetings = 0
        self.rate_sum = 0.0
        self.below = 0
        self.unreachable = 0

    def add(self, count: LedgerCount, status: Status) -> None:
        done = status in (Status.ON_TIME, Status.LATE)
        if count.kind == ObligationKind.RATING:
            # The quality figures count ratings of the monthly meeting only.
            if count.subject != THEMATIC_SUBJECT and done:
                self.rated += count.count
                if count.level:
                    self.quality[count.level] += count.count
            return
        self.statuses[(count.kind, status)] += count.count
        # Attendance: held regular meetings with figures (committees count members apart).
        if count.kind == ObligationKind.MEETING and count.subject == REGULAR and done:
            self.meetings += count.measured
            self.rate_sum += count.rate_sum
            self.below += count.below_target

    def totals(self) -> Totals:
        s = self.statuses
        k = ObligationKind

        def of(kind: ObligationKind, *statuses: Status) -> int:
            return sum(s[(kind, status)] for status in statuses or tuple(Status))

        average = None
        if self.meetings:
            average = Fraction(self.rate_sum / self.meetings).limit_denominator(1_000_000)
        return Totals(
            registration_expected=of(k.REGISTRATION),
            registration_on_time=of(k.REGISTRATION, Status.ON_TIME),
            registration_late=of(k.REGISTRATION, Status.LATE),
            registration_missing=of(k.REGISTRATION, Status.MISSING, Status.EXCUSED),
            registration_pending=of(k.REGISTRATION, Status.PENDING),
            meetings_expected=of(k.MEETING),
            meetings_held=of(k.MEETING, Status.ON_TIME, Status.LATE),
            meetings_excused=of(k.MEETING, Status.EXCUSED),
            meetings_unexcused=of(k.MEETING, Status.MISSING),
            meetings_pending=of(k.MEETING, Status.PENDING),
            rated=self.rated,
            quality={level.value: self.quality.get(level.value, 0) for level in QUALITY_ORDER},
            attendance_meetings=self.meetings,
            attendance_average=average,
            attendance_below_target=self.below,
            thematic_expected=of(k.THEMATIC),
            thematic_held=of(k.THEMATIC, Status.ON_TIME, Status.LATE),
            reports_expected=of(k.REPORT),
            reports_on_time=of(k.REPORT, Status.ON_TIME),
            reports_late=of(k.REPORT, Status.LATE),
            reports_missing=of(k.REPORT, Status.MISSING, Status.EXCUSED),
            unreachable=self.unreachable,
        )


def _known(known_from: int | None, index: int) -> bool:
    return known_from is not None and known_from <= index


def _day_tallies(
    window: Window, index: int, facts: DigestFacts, counts: Iterable[LedgerCount]
) -> dict[str | None, _Tally]:
    """One day's tallies per child of the scope (None: the scope's own units)."""
    tallies: dict[str | None, _Tally] = {}

    def tally(child: str | None) -> _Tally:
        found = tallies.get(child)
        if found is None:
            found = tallies[child] = _Tally()
        return found

    for c in counts:
        if window.holds(c.kind, c.subject, c.period):
            tally(c.child).add(c, c.status(window.day, index))
    cutoff = end_of_day(window.day)
    for child, since in facts.unreachable_since:
        if since < cutoff:
            tally(child).unreachable += 1
    return tallies


def _combined(tallies: Iterable[_Tally]) -> Totals:
    total = _Tally()
    for t in tallies:
        total.statuses.update(t.statuses)
        total.rated += t.rated
        total.quality.update(t.quality)
        total.meetings += t.meetings
        total.rate_sum += t.rate_sum
        total.below += t.below
        total.unreachable += t.unreachable
    return total.totals()


# ---------------------------------------------------------------------------
# Lists


def _ref(unit: UnitInfo) -> UnitRef:
    return UnitRef(unit.code, unit.name)


def registration_group(unit: UnitInfo) -> str | None:
    """The base committee a unit belongs to (itself for a committee); None for a base cell."""
    if unit.kind == UnitKind.BASE_COMMITTEE:
        return unit.code
    if unit.kind == UnitKind.SUB_CELL:
        return unit.parent_code
    return None


def _lists(window: Window, facts: DigestFacts) -> Lists:
    day, cutoff = window.day, end_of_day(window.day)
    missing_by_group: dict[str | None, list[UnitInfo]] = {}
    late: list[LateRegistration] = []
    reports: list[tuple[int, ReportProblem]] = []
    meetings: list[MissedMeeting] = []
    thematic: list[ThematicMissing] = []
    dues = {(r.report_type.code, r.period.key): r for r in window.reports}
    rank: dict[str, int] = {}  # units in tree order
    for unit, o in sorted(facts.problems, key=lambda p: p[0].path):
        rank.setdefault(unit.code, len(rank))
        if not window.holds(o.kind, o.subject, o.period):
            continue
        status = o.status_at(day, cutoff)
        if o.kind == ObligationKind.REGISTRATION:
            if status == Status.MISSING:
                missing_by_group.setdefault(registration_group(unit), []).append(unit)
            elif status == Status.LATE and o.done_on is not None:
                late.append(LateRegistration(_ref(unit), o.done_on))
        elif o.kind == ObligationKind.REPORT and status in (Status.MISSING, Status.LATE):
            due = dues[(o.subject, o.period)]
            reports.append((rank[unit.code], _report_problem(unit, o, due, status)))
        elif o.kind == ObligationKind.MEETING and status in (Status.MISSING, Status.EXCUSED):
            known = o.resolved_at is not None and o.resolved_at < cutoff
            meetings.append(
                MissedMeeting(
                    _ref(unit),
                    MeetingKind(o.subject),
                    excused=status == Status.EXCUSED,
                    recorded=known and o.resolution != Resolution.OPEN,
                    reason=o.note if known else None,
                )
            )
        elif o.kind == ObligationKind.THEMATIC and status in (Status.PENDING, Status.MISSING):
            thematic.append(ThematicMissing(_ref(unit), status))
    # Missing before late, then by unit in tree order, then by due date.
    reports.sort(key=lambda x: (x[1].status != Status.MISSING, x[0], x[1].due))
    return Lists(
        not_registered=_registration_groups(missing_by_group, facts),
        registered_late=tuple(late),
        reports=tuple(r for _, r in reports),
        meetings_not_held=tuple(meetings),
        implausible_ratings=tuple(
            FlaggedRating(_ref(f.unit), f.kind, f.level, f.score, f.flags) for f in facts.flagged
        ),
        attendance_below_target=tuple(
            LowAttendance(_ref(a.unit), a.present, a.total) for a in facts.low_attendance
        ),
        thematic_missing=tuple(thematic),
        unreachable=tuple(
            Unreachable(_ref(u.unit), u.role, u.person_name, u.since) for u in facts.unreachable
        ),
    )


def _report_problem(unit: UnitInfo, o: Obligation, due: ReportDue, status: Status) -> ReportProblem:
    return ReportProblem(
        _ref(unit),
        o.subject,
        due.report_type.name_vi,
        o.period,
        str(due.period),
        o.due_on,
        status,
        o.done_on if status == Status.LATE else None,
    )


def _registration_groups(
    missing: Mapping[str | None, list[UnitInfo]], facts: DigestFacts
) -> tuple[RegistrationGroup, ...]:
    def ref(code: str | None) -> UnitRef | None:
        if code is None:
            return None
        found = facts.groups.get(code)
        # A sub-cell seen on its own: its committee lies outside the scope.
        return _ref(found) if found is not None else UnitRef(code, code)

    def path(code: str | None) -> str:
        found = facts.groups.get(code) if code is not None else None
        return found.path if found is not None else ""

    order = sorted(missing, key=lambda g: (g is None, path(g)))
    return tuple(
        RegistrationGroup(
            ref(g),
            facts.group_totals.get(g, len(missing[g])),
            tuple(_ref(u) for u in missing[g]),
        )
        for g in order
    )


def _rate(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


# ---------------------------------------------------------------------------
# One line per unit (the month export, /unit)


@dataclass(frozen=True)
class RecordDetail:
    """What a unit's monthly meeting record says, for its line."""

    held: bool
    held_on: date | None = None
    present: int | None = None
    total_members: int | None = None
    not_held_reason: str | None = None
    rating_level: str | None = None
    rating_score: int | None = None
    rating_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitRow:
    """One unit's line: every status the digest counts for it, from its obligations."""

    unit: UnitInfo
    cluster: str | None
    registration: Status | None  # None: the unit does not register
    registered_on: date | None
    meeting: Status | None
    recorded: bool
    record: RecordDetail | None
    thematic: Status | None  # None: the unit holds no thematic meetings
    reports: tuple[tuple[ReportDue, Status, date | None], ...]
    unreachable: tuple[str, ...]  # "Nguyễn Văn An (secretary)"

    @property
    def thematic_held(self) -> bool | None:
        return None if self.thematic is None else self.thematic in (Status.ON_TIME, Status.LATE)


def unit_row(
    unit: UnitInfo,
    cluster: str | None,
    window: Window,
    obligations: Iterable[Obligation],
    record: RecordDetail | None,
    unreachable: tuple[str, ...] = (),
) -> UnitRow:
    day, cutoff = window.day, end_of_day(window.day)
    registration = meeting = None
    registered_on = None
    recorded = False
    thematic = None
    reports: dict[tuple[str, str], tuple[Status, date | None]] = {}
    for o in obligations:
        if not window.holds(o.kind, o.subject, o.period):
            continue
        status = o.status_at(day, cutoff)
        known = o.resolved_at is not None and o.resolved_at < cutoff
        if o.kind == ObligationKind.REGISTRATION:
            registration = status
            registered_on = o.done_on if known else None
        elif o.kind == ObligationKind.MEETING:
            meeting = status
            recorded = known and o.resolution != Resolution.OPEN
        elif o.kind == ObligationKind.THEMATIC:
            thematic = status
        elif o.kind == ObligationKind.REPORT:
            sent = o.done_on if known and o.resolution == Resolution.DONE else None
            reports[(o.subject, o.period)] = (status, sent)
    due_reports = tuple(
        (due, *reports[(due.report_type.code, due.period.key)])
        for due in window.reports
        if (due.report_type.code, due.period.key) in reports
    )
    return UnitRow(
        unit=unit,
        cluster=cluster,
        registration=registration,
        registered_on=registered_on,
        meeting=meeting,
        recorded=recorded,
        record=record if recorded else None,
        thematic=thematic,
        reports=due_reports,
        unreachable=unreachable,
    )


@dataclass(frozen=True)
class MonthExport:
    scope: UnitInfo
    periods: Window
    rows: list[UnitRow]
