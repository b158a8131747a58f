"""The compliance ledger's rules: the one definition of "what counts".

For a unit and a period the policy gives obligations (register the monthly
schedule, hold and record the monthly meeting, rate it, hold a thematic meeting
each quarter, send each periodic report), each with a due date. The facts
(schedules, records, ratings, report submissions) resolve them. The status of an
obligation as of an instant follows from its due date and from when, and how, it
was resolved:

- on time / late: done (`done_on` on or before `due_on`, or after);
- excused: not done, with an accepted reason (a meeting not held "có lý do");
- missing: recorded as not done without an accepted reason, or not done once the
  due date has passed (the due day itself still counts as on time);
- pending: not done, not due yet.

Everything here is pure; `services.ledger` keeps the rows in step with the facts,
and every reader (/status, reminders, escalation, the digest, /unit, exports)
goes through these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from domain.edit_window import edit_window_closes
from domain.localtime import at_local, local_date
from domain.meeting_kinds import MONTHLY_KIND, MeetingKind
from domain.org import CELL_KINDS, REPORTING_KINDS, UnitKind
from domain.periods import Month, Quarter, parse_period_key
from domain.policy import Policy
from domain.reports import (
    ReportDue,
    deadlines_between,
    due_date,
    latest_due,
    period_containing,
)


class ObligationKind(StrEnum):
    REGISTRATION = "registration"  # register the monthly meeting's schedule (subject: kind)
    MEETING = "meeting"  # hold the monthly meeting and record it (subject: kind)
    RATING = "rating"  # self-rate a held meeting (subject: kind)
    THEMATIC = "thematic"  # hold a thematic meeting in the quarter (subject: "thematic")
    REPORT = "report"  # send a periodic report (subject: report type code)
    DIRECTIVE = "directive"  # complete a directive and send it back (subject: directive id)
    CLUSTER_MEETING = "cluster_meeting"  # send a delegate to a cluster meeting (subject: its id)


class Resolution(StrEnum):
    """What the facts say, whatever the date: the stored part of an obligation's state."""

    OPEN = "open"  # nothing settles it yet
    DONE = "done"
    EXCUSED = "excused"  # recorded as not done, with an accepted reason
    FAILED = "failed"  # recorded as not done, without an accepted reason


class Status(StrEnum):
    """An obligation's status as of an instant."""

    PENDING = "pending"
    ON_TIME = "on_time"
    LATE = "late"
    EXCUSED = "excused"
    MISSING = "missing"


# Kinds whose period is a month (the others: a quarter, a report period).
MONTH_KINDS = frozenset(
    {ObligationKind.REGISTRATION, ObligationKind.MEETING, ObligationKind.RATING}
)
# Kinds owed by one decision of leadership (a directive, a cluster meeting) rather than by
# the calendar: the subject is the id of that decision, the period the month it is due in.
ISSUED_KINDS = frozenset({ObligationKind.DIRECTIVE, ObligationKind.CLUSTER_MEETING})


@dataclass(frozen=True, slots=True)
class Obligation:
    unit_code: str
    kind: ObligationKind
    subject: str
    period: str  # period key: "2026-12", "2026-Q4", "2026-H1", "2026"
    due_on: date
    resolution: Resolution = Resolution.OPEN
    done_on: date | None = None  # the day it was done (held, registered, sent), local
    resolved_at: datetime | None = None  # when the resolving fact became known
    planned_at: datetime | None = None  # a registered meeting still to hold or record
    since: datetime | None = None  # when it became actionable: a rating, a cancelled meeting
    note: str | None = None  # why a meeting was not held
    source: str | None = None  # the fact that resolves it, "meeting_records/42"
    # What the facts measured, read with the status: a held meeting's attendance
    # (present of total members) and a rating's level.
    present: int | None = None
    total: int | None = None
    level: str | None = None

    @property
    def key(self) -> tuple[str, ObligationKind, str, str]:
        return (self.unit_code, self.kind, self.subject, self.period)

    def status_at(self, day: date, cutoff: datetime) -> Status:
        """The status as of `cutoff`, `day` being its local date (or, for "as of the end
        of day D", D with the cutoff at the end of D)."""
        known = self.resolved_at is not None and self.resolved_at < cutoff
        if known and self.resolution != Resolution.OPEN:
            return resolved_status(self.resolution, self.done_on, self.due_on)
        return open_status(self.kind, day, self.due_on)

    def status(self, now: datetime) -> Status:
        """The status today: as of the end of the local day, as the digest counts it
        (no fact is from the future, so this is also the status now)."""
        today = local_date(now)
        return self.status_at(today, end_of_day(today))


def resolved_status(resolution: Resolution, done_on: date | None, due_on: date) -> Status:
    if resolution == Resolution.DONE:
        return Status.ON_TIME if done_on is not None and done_on <= due_on else Status.LATE
    if resolution == Resolution.EXCUSED:
        return Status.EXCUSED
    return Status.MISSING


def open_status(kind: ObligationKind, day: date, due_on: date) -> Status:
    """An obligation nothing has settled yet, on `day`: missing once its due day has
    passed. A cluster meeting is the exception: whether a unit came is known only when
    the officer marks attendance, so until then it is pending, never missing."""
    if kind == ObligationKind.CLUSTER_MEETING:
        return Status.PENDING
    return Status.MISSING if day > due_on else Status.PENDING


def end_of_day(day: date) -> datetime:
    """The instant local day `day` ends: facts known before it count for that day."""
    return at_local(day + timedelta(days=1), time(0, 0))


# ---------------------------------------------------------------------------
# Due dates: one function per kind


def registration_due(policy: Policy, month: Month) -> date:
    """When the schedule for `month` must be registered (default: the 25th of the month before)."""
    rule = policy.registration
    return month.plus(rule.due_month_offset).day(rule.due_day)


def meeting_due(month: Month) -> date:
    return month.last_day


def rating_due(policy: Policy, month: Month) -> date:
    """A meeting can be rated until its month closes for editing."""
    return edit_window_closes(month, policy.edit_grace_days)


def thematic_due(quarter: Quarter) -> date:
    return quarter.last_day


# ---------------------------------------------------------------------------
# Which obligations a unit has


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
        planned = _registration_opens(policy, month)
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


def _registration_opens(policy: Policy, month: Month) -> date:
    """A month's meetings can be planned (and are owed) from the first day of the month
    their registration is due in."""
    return Month.of(registration_due(policy, month)).first_day


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


def derive(
    unit: LedgerUnit, policy: Policy, span: Span, selection: Selection, facts: UnitFacts
) -> Iterator[Obligation]:
    """The unit's obligations in `selection` (and inside `span`), resolved by `facts`."""
    if not unit.active:
        return
    monthly = MONTHLY_KIND.get(unit.kind)
    for month in sorted(selection.months):
        if monthly is not None:
            yield from _registration(unit.code, monthly, month, policy, span, facts)
            yield from _meeting(unit.code, monthly, month, policy, span, facts)
        yield from _ratings(unit.code, month, policy, span, facts)
    if unit.kind in CELL_KINDS:
        for quarter in sorted(selection.quarters):
            yield from _thematic(unit.code, quarter, policy, span, facts)
    if unit.kind in REPORTING_KINDS:
        for code, period_key in sorted(selection.reports):
            yield from _report(unit.code, policy, code, period_key, span, facts)
    # A directive or a cluster meeting is owed by the units it names (its facts).
    for directive_id in sorted(selection.directives):
        directive = facts.directives.get(directive_id)
        if directive is not None:
            yield from _directive(unit.code, directive_id, directive, span)
    for meeting_id in sorted(selection.cluster_meetings):
        invitation = facts.cluster_meetings.get(meeting_id)
        if invitation is not None:
            yield from _cluster_meeting(unit.code, meeting_id, invitation, span)


def _registration(
    code: str, kind: MeetingKind, month: Month, policy: Policy, span: Span, facts: UnitFacts
) -> Iterator[Obligation]:
    due = registration_due(policy, month)
    if not span.covers(_registration_opens(policy, month), due):
        return
    schedule = facts.schedules.get((kind, month.key))
    if schedule is None:
        yield Obligation(code, ObligationKind.REGISTRATION, kind.value, month.key, due)
        return
    yield Obligation(
        code,
        ObligationKind.REGISTRATION,
        kind.value,
        month.key,
        due,
        Resolution.DONE,
        done_on=local_date(schedule.registered_at),
        resolved_at=schedule.registered_at,
        source=f"meeting_schedules/{schedule.id}",
    )


def _meeting_state(
    kind: MeetingKind, month: Month, facts: UnitFacts
) -> tuple[datetime | None, datetime | None]:
    """(planned_at, since): the registered date of a meeting still to hold or record, or
    when its schedule was cancelled."""
    schedule = facts.schedules.get((kind, month.key))
    if schedule is None or (kind, month.key) in facts.records:
        return None, None
    if schedule.cancelled:
        return None, schedule.updated_at
    return schedule.planned_at, None


def _meeting(
    code: str,
    kind: MeetingKind,
    month: Month,
    policy: Policy,
    span: Span,
    facts: UnitFacts,
) -> Iterator[Obligation]:
    due = meeting_due(month)
    if not span.covers(_registration_opens(policy, month), due):
        return
    planned_at, since = _meeting_state(kind, month, facts)
    base = Obligation(
        code, ObligationKind.MEETING, kind.value, month.key, due, planned_at=planned_at, since=since
    )
    record = facts.records.get((kind, month.key))
    if record is None:
        yield base
        return
    source = f"meeting_records/{record.id}"
    if record.held:
        yield replace(
            base,
            resolution=Resolution.DONE,
            done_on=record.held_on,
            resolved_at=record.recorded_at,
            source=source,
            present=record.present,
            total=record.total_members,
        )
        return
    yield replace(
        base,
        resolution=Resolution.EXCUSED if record.excused else Resolution.FAILED,
        resolved_at=record.recorded_at,
        note=record.reason,
        source=source,
    )


def _ratings(
    code: str, month: Month, policy: Policy, span: Span, facts: UnitFacts
) -> Iterator[Obligation]:
    due = rating_due(policy, month)
    if not span.covers(month.first_day, meeting_due(month)):
        return
    for kind in MeetingKind:
        record = facts.records.get((kind, month.key))
        if record is None or not record.held:
            continue
        base = Obligation(
            code, ObligationKind.RATING, kind.value, month.key, due, since=record.recorded_at
        )
        if record.rating_id is None or record.rated_at is None:
            yield base
            continue
        yield replace(
            base,
            resolution=Resolution.DONE,
            done_on=local_date(record.rated_at),
            resolved_at=record.rated_at,
            source=f"quality_ratings/{record.rating_id}",
            level=record.rating_level,
        )


def _thematic(
    code: str, quarter: Quarter, policy: Policy, span: Span, facts: UnitFacts
) -> Iterator[Obligation]:
    due = thematic_due(quarter)
    if not span.covers(_registration_opens(policy, quarter.first_month), due):
        return
    kind = MeetingKind.THEMATIC
    # The next thematic meeting registered in the quarter and not recorded yet: it is
    # reminded even when another one already settled the quarter.
    planned = [p for m in quarter.months if (p := _meeting_state(kind, m, facts)[0]) is not None]
    base = Obligation(
        code,
        ObligationKind.THEMATIC,
        kind.value,
        quarter.key,
        due,
        planned_at=min(planned) if planned else None,
    )
    held = [
        r
        for m in quarter.months
        if (r := facts.records.get((kind, m.key))) is not None and r.held and r.held_on
    ]
    if not held:
        yield base
        return
    first = min(held, key=lambda r: (r.recorded_at, r.id))
    yield replace(
        base,
        resolution=Resolution.DONE,
        done_on=min(r.held_on for r in held if r.held_on),
        resolved_at=first.recorded_at,
        source=f"meeting_records/{first.id}",
    )


def _report(
    code: str, policy: Policy, report_type: str, period_key: str, span: Span, facts: UnitFacts
) -> Iterator[Obligation]:
    try:
        rtype = policy.report_type(report_type)
    except KeyError:
        return
    period = parse_period_key(period_key)
    if not rtype.applies_to(period):
        return
    due = due_date(rtype, period)
    if not span.covers(period.first_day, due):
        return
    base = Obligation(code, ObligationKind.REPORT, report_type, period_key, due)
    sent = facts.reports.get((report_type, period_key))
    if sent is None:
        yield base
        return
    submission_id, sent_at = sent
    yield replace(
        base,
        resolution=Resolution.DONE,
        done_on=local_date(sent_at),
        resolved_at=sent_at,
        source=f"report_submissions/{submission_id}",
    )


def _directive(
    code: str, directive_id: str, fact: DirectiveFact, span: Span
) -> Iterator[Obligation]:
    if not span.covers(local_date(fact.issued_at), fact.due_on):
        return
    period = Month.of(fact.due_on).key
    base = Obligation(code, ObligationKind.DIRECTIVE, directive_id, period, fact.due_on)
    if fact.done_at is None:
        yield base
        return
    yield replace(
        base,
        resolution=Resolution.DONE,
        done_on=local_date(fact.done_at),
        resolved_at=fact.done_at,
        source=f"directive_targets/{fact.target_id}",
    )


def _cluster_meeting(
    code: str, meeting_id: str, fact: ClusterMeetingFact, span: Span
) -> Iterator[Obligation]:
    due = local_date(fact.starts_at)
    if not span.covers(local_date(fact.created_at), due):
        return
    base = Obligation(code, ObligationKind.CLUSTER_MEETING, meeting_id, Month.of(due).key, due)
    if fact.attended is None or fact.marked_at is None:
        yield base
        return
    source = f"cluster_invitations/{fact.invitation_id}"
    if fact.attended:
        yield replace(
            base, resolution=Resolution.DONE, done_on=due, resolved_at=fact.marked_at, source=source
        )
        return
    yield replace(
        base,
        resolution=Resolution.EXCUSED if fact.reason_accepted else Resolution.FAILED,
        resolved_at=fact.marked_at,
        note=fact.reason,
        source=source,
    )


# ---------------------------------------------------------------------------
# The current window: which period of each kind "counts" on a day


@dataclass(frozen=True)
class Window:
    """The periods leadership and secretaries are judged on as of local day `day`.

    - registration month: the latest month whose registration was due on or before it;
    - meeting month: the previous month while it can still be recorded, else this month;
    - quarter: the meeting month's quarter (thematic meeting);
    - reports: for each report type, the latest period due on or before it;
    - directives: every one, while it is open (a directive past due and not done is
      overdue for its unit until it is done);
    - cluster meetings: those of the meeting month and of the day's month (an absence
      counts from the meeting until its month leaves the window).

    What is overdue for a unit (its /status) is exactly its obligations in the window
    whose status is missing, and that is what the digest and /unit list for it.
    """

    day: date
    registration_month: Month
    registration_due: date
    meeting_month: Month
    quarter: Quarter
    reports: tuple[ReportDue, ...]

    @property
    def cluster_months(self) -> tuple[str, ...]:
        """The months whose cluster-meeting absences count: the meeting month and the
        day's own month (an absence is known from the meeting on)."""
        return tuple(dict.fromkeys((self.meeting_month.key, Month.of(self.day).key)))

    @property
    def meeting_month_over(self) -> bool:
        return self.day > self.meeting_month.last_day

    def holds(self, kind: ObligationKind, subject: str, period: str) -> bool:
        if kind == ObligationKind.REGISTRATION:
            return period == self.registration_month.key
        if kind in (ObligationKind.MEETING, ObligationKind.RATING):
            return period == self.meeting_month.key
        if kind == ObligationKind.THEMATIC:
            return period == self.quarter.key
        if kind == ObligationKind.DIRECTIVE:
            return True
        if kind == ObligationKind.CLUSTER_MEETING:
            return period in self.cluster_months
        return any(r.report_type.code == subject and r.period.key == period for r in self.reports)

    def ledger_keys(self) -> tuple[tuple[ObligationKind, str | None, str], ...]:
        """(kind, subject or None for any, period) of the calendar's obligations in the
        window. Directives and cluster meetings are not keyed by the calendar: the
        digest reads them with their own queries (`storage.digest_queries.load_duties`)."""
        return (
            (ObligationKind.REGISTRATION, None, self.registration_month.key),
            (ObligationKind.MEETING, None, self.meeting_month.key),
            (ObligationKind.RATING, None, self.meeting_month.key),
            (ObligationKind.THEMATIC, None, self.quarter.key),
            *((ObligationKind.REPORT, r.report_type.code, r.period.key) for r in self.reports),
        )


def registration_month_at(policy: Policy, day: date) -> Month:
    """The latest month whose schedule registration was due on or before `day`."""
    month = Month.of(day).plus(1 - policy.registration.due_month_offset)
    while registration_due(policy, month) > day:
        month = month.prev()
    return month


def meeting_month_at(policy: Policy, day: date) -> Month:
    """The previous month while it can still be recorded, else the current one."""
    previous = Month.of(day).prev()
    if day <= edit_window_closes(previous, policy.edit_grace_days):
        return previous
    return Month.of(day)


def window_at(policy: Policy, day: date) -> Window:
    registration_month = registration_month_at(policy, day)
    meeting_month = meeting_month_at(policy, day)
    return Window(
        day=day,
        registration_month=registration_month,
        registration_due=registration_due(policy, registration_month),
        meeting_month=meeting_month,
        quarter=meeting_month.quarter,
        reports=tuple(latest_due(rt, day) for rt in policy.report_types),
    )


def window_for_month(policy: Policy, month: Month, day: date) -> Window:
    """A month seen whole (an export): its registration, meetings, quarter and the
    report deadlines that fall inside it."""
    return Window(
        day=day,
        registration_month=month,
        registration_due=registration_due(policy, month),
        meeting_month=month,
        quarter=month.quarter,
        reports=tuple(deadlines_between(policy, month.first_day, month.last_day)),
    )


def overdue(obligations: Iterable[Obligation], window: Window, now: datetime) -> list[Obligation]:
    """What a unit has not done and should have: its window's missing obligations."""
    return [
        o
        for o in obligations
        if window.holds(o.kind, o.subject, o.period) and o.status(now) == Status.MISSING
    ]


# ---------------------------------------------------------------------------
# What a unit has to do (its /status; the reminders read the same rows)


class Action(StrEnum):
    """The flow that settles an obligation."""

    SCHEDULE = "schedule"
    RECORD = "record"
    RATE = "rate"
    REPORT = "report"
    DIRECTIVE = "complete"  # complete a directive: confirm it done, with its document
    CLUSTER = "attend"  # answer a cluster meeting's invitation (who will come)


@dataclass(frozen=True)
class Todo:
    obligation: Obligation
    status: Status
    action: Action | None  # None: nothing is left to do in the bot (only to explain)
    days_late: int  # days past the due date (0 when not late)
    rescheduling: bool = False  # a cancelled meeting waiting for a new date


def todo(
    obligations: Iterable[Obligation], window: Window, now: datetime, *, soon_days: int
) -> tuple[list[Todo], list[Todo]]:
    """(overdue, to do soon) for one unit's obligations.

    Overdue is exactly the window's missing obligations (what the digest and /unit list
    for the unit). To do soon: what can and should be done now but is not late yet —
    a registration or report due within `soon_days`, a meeting that took place and is
    not recorded, a cancelled meeting without a new date, a held meeting not rated.
    """
    today = local_date(now)
    items = list(obligations)
    settled_months = {
        (o.subject, o.period)
        for o in items
        if o.kind == ObligationKind.MEETING and o.resolution != Resolution.OPEN
    }
    overdue: list[Todo] = []
    soon: list[Todo] = []
    for o in items:
        status = o.status(now)
        late = max(0, (today - o.due_on).days)
        if status == Status.MISSING and window.holds(o.kind, o.subject, o.period):
            overdue.append(Todo(o, status, _action(o, now, settled_months), late))
        elif status == Status.PENDING and _due_soon(o, now, today, soon_days):
            rescheduling = o.kind == ObligationKind.MEETING and o.since is not None
            soon.append(Todo(o, status, _action(o, now, settled_months), 0, rescheduling))
    order = _TODO_ORDER.index
    overdue.sort(key=lambda t: (t.obligation.due_on, order(t.obligation.kind)))
    soon.sort(key=lambda t: (order(t.obligation.kind), t.obligation.due_on))
    return overdue, soon


_TODO_ORDER = (
    ObligationKind.REGISTRATION,
    ObligationKind.MEETING,
    ObligationKind.THEMATIC,
    ObligationKind.RATING,
    ObligationKind.REPORT,
    ObligationKind.DIRECTIVE,
    ObligationKind.CLUSTER_MEETING,
)


def _due_soon(o: Obligation, now: datetime, today: date, soon_days: int) -> bool:
    if o.kind in (ObligationKind.REGISTRATION, ObligationKind.REPORT, ObligationKind.DIRECTIVE):
        return (o.due_on - today).days <= soon_days
    if o.kind == ObligationKind.CLUSTER_MEETING:
        return 0 <= (o.due_on - today).days <= soon_days
    if o.kind in (ObligationKind.MEETING, ObligationKind.THEMATIC):
        held_unrecorded = o.planned_at is not None and o.planned_at <= now
        return held_unrecorded or (o.kind == ObligationKind.MEETING and o.since is not None)
    return o.kind == ObligationKind.RATING


def _action(o: Obligation, now: datetime, settled_months: set[tuple[str, str]]) -> Action | None:
    if o.kind == ObligationKind.REGISTRATION:
        # A month whose meeting is already recorded can no longer be registered.
        return None if (o.subject, o.period) in settled_months else Action.SCHEDULE
    if o.kind == ObligationKind.REPORT:
        return Action.REPORT
    if o.kind == ObligationKind.DIRECTIVE:
        return Action.DIRECTIVE
    if o.kind == ObligationKind.CLUSTER_MEETING:
        # Before the meeting the unit says who comes; after it, only the officer marks.
        return (
            Action.CLUSTER
            if o.resolution == Resolution.OPEN and o.due_on >= local_date(now)
            else None
        )
    if o.kind == ObligationKind.RATING:
        return Action.RATE
    if o.kind == ObligationKind.MEETING:
        month = Month.parse(o.period)
        if o.resolution != Resolution.OPEN or local_date(now) > month.last_day:
            return Action.RECORD
        if o.planned_at is not None and o.planned_at <= now:
            return Action.RECORD
        return Action.SCHEDULE
    if o.planned_at is not None and o.planned_at <= now:  # thematic
        return Action.RECORD
    return Action.SCHEDULE


def action_month(todo_item: Todo, today: date) -> Month:
    """The month a flow button for this item opens."""
    o = todo_item.obligation
    if o.kind == ObligationKind.THEMATIC:
        if o.planned_at is not None:
            return Month.of(local_date(o.planned_at))
        quarter = parse_period_key(o.period)
        assert isinstance(quarter, Quarter)
        current = Month.of(today)
        return current if current in quarter.months else quarter.first_month
    return Month.parse(o.period)
