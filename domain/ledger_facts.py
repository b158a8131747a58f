"""What the ledger derives obligations from: the unit, the span and selection of
periods a refresh covers, and the facts (schedules, records, ratings, reports,
directives, cluster meetings) as storage hands them in."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from domain.meeting_kinds import MeetingKind
from domain.obligations import MONTH_KINDS, ObligationKind, registration_opens
from domain.org import UnitKind
from domain.periods import Month, Quarter, parse_period_key
from domain.policy import Policy
from domain.reports import (
    period_containing,
)


@dataclass(frozen=True, slots=True)
class LedgerUnit:
    code: str
    kind: UnitKind
    active: bool = True


@dataclass(frozen=True)
class Span:
    """The ledger covers obligations due on or after `start` that have opened by `today`.

    An obligation opens when its period starts (a registration: the first day of the
    month its due date falls in), so what is due ahead is known before it is due.
    """

    start: date
    today: date

    def covers(self, opens_on: date, due_on: date) -> bool:
        return due_on >= self.start and opens_on <= self.today


@dataclass(frozen=True)
class Selection:
    """Which periods a refresh recomputes: months (registration, meeting, rating),
    quarters (thematic), report periods (type code, period key), and directives and
    cluster meetings (their ids, as strings: the subject of their obligations)."""

    months: frozenset[Month] = frozenset()
    quarters: frozenset[Quarter] = frozenset()
    reports: frozenset[tuple[str, str]] = frozenset()
    directives: frozenset[str] = frozenset()
    cluster_meetings: frozenset[str] = frozenset()

    def __or__(self, other: Selection) -> Selection:
        return Selection(
            self.months | other.months,
            self.quarters | other.quarters,
            self.reports | other.reports,
            self.directives | other.directives,
            self.cluster_meetings | other.cluster_meetings,
        )

    @property
    def empty(self) -> bool:
        return not (
            self.months or self.quarters or self.reports or self.directives or self.cluster_meetings
        )

    @property
    def fact_months(self) -> frozenset[Month]:
        """The months whose schedules and records a refresh must read."""
        return self.months | {m for q in self.quarters for m in q.months}

    def by_quarter(self) -> Iterator[Selection]:
        """The same periods cut into one selection per quarter (of a period's start), so
        a rebuild of years holds one quarter's rows in memory at a time."""
        parts: dict[Quarter, tuple[set[Month], set[Quarter], set[tuple[str, str]]]] = {}

        def part(quarter: Quarter) -> tuple[set[Month], set[Quarter], set[tuple[str, str]]]:
            return parts.setdefault(quarter, (set(), set(), set()))

        for month in self.months:
            part(month.quarter)[0].add(month)
        for quarter in self.quarters:
            part(quarter)[1].add(quarter)
        for code, period in self.reports:
            part(Quarter.of(parse_period_key(period).first_day))[2].add((code, period))
        for quarter in sorted(parts):
            months, quarters, reports = parts[quarter]
            yield Selection(frozenset(months), frozenset(quarters), frozenset(reports))
        if self.directives or self.cluster_meetings:  # owed from their issue: few, one part
            yield Selection(directives=self.directives, cluster_meetings=self.cluster_meetings)

    def holds(self, kind: ObligationKind, subject: str, period: str) -> bool:
        if kind in MONTH_KINDS:
            return Month.parse(period) in self.months
        if kind == ObligationKind.THEMATIC:
            return parse_period_key(period) in self.quarters
        if kind == ObligationKind.DIRECTIVE:
            return subject in self.directives
        if kind == ObligationKind.CLUSTER_MEETING:
            return subject in self.cluster_meetings
        return (subject, period) in self.reports


def selection_of_month(month: Month) -> Selection:
    """Everything a schedule or record of `month` can change."""
    return Selection(frozenset({month}), frozenset({month.quarter}))


def selection_of_report(report_type: str, period: str) -> Selection:
    return Selection(reports=frozenset({(report_type, period)}))


def selection_of_directive(directive_id: int) -> Selection:
    return Selection(directives=frozenset({str(directive_id)}))


def selection_of_cluster_meeting(meeting_id: int) -> Selection:
    return Selection(cluster_meetings=frozenset({str(meeting_id)}))


def selection_between(policy: Policy, first: date, last: date) -> Selection:
    """Every period with an obligation that opens in [first, last]."""
    months: set[Month] = set()
    quarters: set[Quarter] = set()
    month, end = Month.of(first).plus(-13), Month.of(last).plus(13)
    while month <= end:
        planned = registration_opens(policy, month)
        if first <= month.first_day <= last or first <= planned <= last:
            months.add(month)
        if month == month.quarter.first_month and first <= planned <= last:
            quarters.add(month.quarter)
        month = month.next()
    reports: set[tuple[str, str]] = set()
    for report_type in policy.report_types:
        period = period_containing(report_type, first)
        while period.first_day <= last:
            if period.first_day >= first and report_type.applies_to(period):
                reports.add((report_type.code, period.key))
            period = period.next()
    return Selection(frozenset(months), frozenset(quarters), frozenset(reports))


@dataclass(frozen=True, slots=True)
class ScheduleFact:
    """A unit's registered meeting of one kind and month."""

    id: int
    registered_at: datetime
    planned_at: datetime
    cancelled: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RecordFact:
    """A unit's meeting record of one kind and month, with its rating if any."""

    id: int
    held: bool
    recorded_at: datetime
    held_on: date | None = None
    excused: bool | None = None
    reason: str | None = None
    rating_id: int | None = None
    rated_at: datetime | None = None
    present: int | None = None
    total_members: int | None = None
    rating_level: str | None = None


@dataclass(frozen=True, slots=True)
class DirectiveFact:
    """A directive a unit was given: when it was issued, its due date, and when the unit
    confirmed it done (with its document), if it has."""

    target_id: int
    issued_at: datetime
    due_on: date
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClusterMeetingFact:
    """A cluster meeting a unit must send a delegate to, and the officer's marking:
    `attended` None until marked; an absence with `reason_accepted` is excused."""

    invitation_id: int
    created_at: datetime
    starts_at: datetime
    attended: bool | None = None
    reason_accepted: bool | None = None
    reason: str | None = None
    marked_at: datetime | None = None


@dataclass(frozen=True)
class UnitFacts:
    """What the derivation reads for one unit."""

    schedules: Mapping[tuple[MeetingKind, str], ScheduleFact] = field(default_factory=dict)
    records: Mapping[tuple[MeetingKind, str], RecordFact] = field(default_factory=dict)
    reports: Mapping[tuple[str, str], tuple[int, datetime]] = field(default_factory=dict)
    directives: Mapping[str, DirectiveFact] = field(default_factory=dict)  # by directive id
    cluster_meetings: Mapping[str, ClusterMeetingFact] = field(default_factory=dict)
