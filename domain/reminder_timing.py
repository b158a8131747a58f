"""When reminders go out: slots of the day, reminder days, quiet hours. Pure functions.

A *slot* is a local clock time at which the planner writes reminders: the policy's
`send_at` (deadlines: registration, reports, records, ratings, escalations),
`meeting.day_before_at` (meetings tomorrow) and `meeting.morning_of_at` (meetings
today). Times that coincide form one slot, so a person gets one message per slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.localtime import at_local, to_local
from domain.policy import DeadlineReminders, Escalation, QuietHours, RecordNudges, ReminderPolicy


@dataclass(frozen=True)
class Slot:
    at: time
    deadlines: bool = False
    meetings_tomorrow: bool = False
    meetings_today: bool = False

    @property
    def name(self) -> str:
        """ "0800": part of the outbox dedup key and of the planner run key."""
        return f"{self.at:%H%M}"

    def on(self, day: date) -> datetime:
        return at_local(day, self.at)


def reminder_slots(policy: ReminderPolicy) -> tuple[Slot, ...]:
    """The day's slots in clock order; parts planned at the same time share a slot."""
    parts: dict[time, dict[str, bool]] = {}
    parts.setdefault(policy.send_at, {})["deadlines"] = True
    parts.setdefault(policy.meeting.day_before_at, {})["meetings_tomorrow"] = True
    parts.setdefault(policy.meeting.morning_of_at, {})["meetings_today"] = True
    return tuple(Slot(at, **flags) for at, flags in sorted(parts.items()))


def is_deadline_reminder_day(rules: DeadlineReminders, due: date, day: date) -> bool:
    """`days_before` the due day, on it (if `on_due_day`), then every `overdue_every_days`."""
    delta = (day - due).days
    if delta < 0:
        return -delta in rules.days_before
    if delta == 0:
        return rules.on_due_day
    return delta % rules.overdue_every_days == 0


def is_nudge_day(rules: RecordNudges, base: date, day: date) -> bool:
    """`first_after_days` after `base`, then every `every_days`, at most `max_nudges` times."""
    delta = (day - base).days - rules.first_after_days
    if delta < 0 or delta % rules.every_days:
        return False
    return delta // rules.every_days < rules.max_nudges


def is_escalation_day(rules: Escalation, due: date, day: date) -> bool:
    """`after_days_overdue` days after the deadline, then every `repeat_every_days`."""
    delta = (day - due).days - rules.after_days_overdue
    return delta >= 0 and delta % rules.repeat_every_days == 0


def in_quiet_hours(moment: datetime, quiet: QuietHours) -> bool:
    return quiet.contains(to_local(moment).time().replace(tzinfo=None))


def after_quiet_hours(moment: datetime, quiet: QuietHours) -> datetime:
    """`moment` itself, or the end of the quiet hours it falls in (held until morning)."""
    if not in_quiet_hours(moment, quiet):
        return moment
    local = to_local(moment)
    end = at_local(local.date(), quiet.end)
    if end <= local:
        end = at_local(local.date() + timedelta(days=1), quiet.end)
    return end


def next_quiet_start(moment: datetime, quiet: QuietHours) -> datetime:
    """The first start of quiet hours after `moment`."""
    local = to_local(moment)
    start = at_local(local.date(), quiet.start)
    if start <= local:
        start = at_local(local.date() + timedelta(days=1), quiet.start)
    return start
