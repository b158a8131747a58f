"""The current window: which period of each kind "counts" on a day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from domain.edit_window import edit_window_closes
from domain.obligations import Obligation, ObligationKind, Status, registration_due
from domain.periods import Month, Quarter
from domain.policy import Policy
from domain.reports import (
    ReportDue,
    deadlines_between,
    latest_due,
)


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
