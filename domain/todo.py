"""What a unit has to do: its /status, and the rows the reminders read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.localtime import local_date
from domain.obligations import Obligation, ObligationKind, Resolution, Status
from domain.periods import Month, Quarter, parse_period_key
from domain.windows import Window


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
