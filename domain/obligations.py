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

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from domain.edit_window import edit_window_closes
from domain.localtime import at_local, local_date
from domain.periods import Month, Quarter
from domain.policy import Policy


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


def registration_opens(policy: Policy, month: Month) -> date:
    """A month's meetings can be planned (and are owed) from the first day of the month
    their registration is due in."""
    return Month.of(registration_due(policy, month)).first_day
