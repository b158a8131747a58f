"""What a unit's reminder says on a slot: its lines, and what is escalated about it.

A deadline (registration, report, directive) on its reminder days, a record or rating
on its nudge days, a meeting the day before and the morning of; the escalation list
for the cluster officers once a unit is `after_days_overdue` late. `days` are the
days a message carries (today, and those missed while the bot was down).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from domain.edit_window import edit_window_closes
from domain.localtime import local_date
from domain.obligations import Obligation, ObligationKind, Resolution
from domain.periods import Month, parse_period_key
from domain.policy import Policy
from domain.reminder_timing import (
    Slot,
    is_deadline_reminder_day,
    is_escalation_day,
    is_nudge_day,
)
from domain.todo import Action as FlowAction
from messages.flow_links import cluster_link, directive_link, open_link
from storage import cluster_meetings as cluster_rows
from storage.planner_ledger import PlannedMeeting, PlannedUnit


@dataclass
class UnitDue:
    """What one unit has open around today: the ledger's rows and the meetings to hold."""

    unit: PlannedUnit
    obligations: list[Obligation] = field(default_factory=list)
    meetings: list[PlannedMeeting] = field(default_factory=list)
    cluster_meetings: list[cluster_rows.UnitInvitation] = field(default_factory=list)


class ReminderItems:
    """The lines and escalations of a unit's reminder on one slot of `today`."""

    def __init__(
        self,
        slot: Slot,
        today: date,
        now: datetime,
        policy: Policy,
        titles: Mapping[str, str],
    ) -> None:
        self.slot, self.today, self.now = slot, today, now
        self.policy = policy
        self.rules = policy.reminders
        self.titles = titles

    def items(self, due: UnitDue, days: list[date]) -> tuple[list[dict[str, Any]], datetime | None]:
        """The unit's lines for a recipient whose message carries `days`, and the start of
        the earliest meeting among them (the message expires when it begins)."""

        def on_any_day(test: Any) -> bool:
            return any(test(day) for day in days)

        today = self.today
        code = due.unit.code
        items: list[dict[str, Any]] = []
        earliest: datetime | None = None
        if self.slot.meetings_today or self.slot.meetings_tomorrow:
            for m in due.meetings:
                day = local_date(m.planned_at)
                today_meeting = self.slot.meetings_today and day == today
                tomorrow = self.slot.meetings_tomorrow and day == today + timedelta(days=1)
                if not (today_meeting or tomorrow):
                    continue
                items.append(
                    {
                        "type": "meeting",
                        "kind": m.kind.value,
                        "month": str(Month.parse(m.month)),
                        "planned_at": m.planned_at,
                        "place": m.place,
                        "theme": m.theme,
                        "when": "today" if today_meeting else "tomorrow",
                    }
                )
                earliest = m.planned_at if earliest is None else min(earliest, m.planned_at)
            for c in due.cluster_meetings:
                day = local_date(c.starts_at)
                today_meeting = self.slot.meetings_today and day == today
                tomorrow = self.slot.meetings_tomorrow and day == today + timedelta(days=1)
                if not (today_meeting or tomorrow):
                    continue
                items.append(
                    {
                        "type": "cluster_meeting",
                        "cluster": c.cluster_name,
                        "planned_at": c.starts_at,
                        "place": c.place,
                        "answered": c.answered,
                        "when": "today" if today_meeting else "tomorrow",
                        "period": f"{day:%d/%m}",
                        "callback": None if c.answered else cluster_link(code, c.meeting_id),
                    }
                )
                earliest = c.starts_at if earliest is None else min(earliest, c.starts_at)
        if not self.slot.deadlines:
            return items, earliest
        for o in due.obligations:
            item = self._deadline_item(code, o, on_any_day)
            if item is not None:
                items.append(item)
        return items, earliest

    def _deadline_item(self, code: str, o: Obligation, on_any_day: Any) -> dict[str, Any] | None:
        """The reminder line for an open obligation, if today (or a folded day) is one of
        its reminder days."""
        today, rules = self.today, self.rules
        late = (today - o.due_on).days
        kind = ObligationKind(o.kind)
        if kind == ObligationKind.REGISTRATION and o.resolution == Resolution.OPEN:
            month = Month.parse(o.period)
            if month.last_day < today or not on_any_day(
                lambda d: is_deadline_reminder_day(rules.registration, o.due_on, d)
            ):
                return None
            return {
                "type": "registration",
                "month": str(month),
                "due": o.due_on,
                "days_late": late,
                "callback": open_link(FlowAction.SCHEDULE, code, month.key),
            }
        if kind == ObligationKind.REPORT and o.resolution == Resolution.OPEN:
            if not on_any_day(lambda d: is_deadline_reminder_day(rules.reports, o.due_on, d)):
                return None
            rtype = self.policy.report_type(o.subject)
            return {
                "type": "report",
                "report_type": o.subject,
                "name": rtype.name_vi,
                "period": str(parse_period_key(o.period)),
                "due": o.due_on,
                "days_late": late,
                "callback": open_link(FlowAction.REPORT, code, o.period, o.subject),
            }
        if kind == ObligationKind.DIRECTIVE and o.resolution == Resolution.OPEN:
            # Like the reports: before, on and after the due day.
            if not on_any_day(lambda d: is_deadline_reminder_day(rules.reports, o.due_on, d)):
                return None
            return {
                "type": "directive",
                "name": self.titles.get(o.subject, o.subject),
                "due": o.due_on,
                "days_late": late,
                "callback": directive_link(code, o.subject),
            }
        if kind == ObligationKind.RATING and o.resolution == Resolution.OPEN:
            if o.since is None or o.due_on < today:
                return None
            base = local_date(o.since)
            if not on_any_day(lambda d: is_nudge_day(rules.record_nudge, base, d)):
                return None
            return {
                "type": "rating",
                "kind": o.subject,
                "month": str(Month.parse(o.period)),
                "held_on": None,
                "callback": open_link(FlowAction.RATE, code, o.period, o.subject),
            }
        if kind == ObligationKind.MEETING and o.planned_at is None and o.since is not None:
            month = Month.parse(o.period)
            base = local_date(o.since)
            if month.last_day < today or not on_any_day(
                lambda d: is_nudge_day(rules.record_nudge, base, d)
            ):
                return None
            return {
                "type": "reschedule",
                "kind": o.subject,
                "month": str(month),
                "callback": open_link(FlowAction.SCHEDULE, code, month.key),
            }
        if o.planned_at is not None and o.planned_at <= self.now:
            month = Month.of(local_date(o.planned_at))
            base = local_date(o.planned_at)
            if today > edit_window_closes(month, self.policy.edit_grace_days) or not on_any_day(
                lambda d: is_nudge_day(rules.record_nudge, base, d)
            ):
                return None
            subject = "thematic" if kind == ObligationKind.THEMATIC else o.subject
            return {
                "type": "record",
                "kind": subject,
                "month": str(month),
                "planned_at": o.planned_at,
                "callback": open_link(FlowAction.RECORD, code, month.key, subject),
            }
        return None

    def escalations(self, due: UnitDue, days: list[date]) -> list[dict[str, Any]]:
        rules = self.rules.escalation
        today = self.today
        problems: list[dict[str, Any]] = []

        def due_now(day: date) -> bool:
            return any(is_escalation_day(rules, day, d) for d in days)

        first = self.rules.record_nudge.first_after_days
        for o in due.obligations:
            kind = ObligationKind(o.kind)
            if o.resolution != Resolution.OPEN and kind != ObligationKind.THEMATIC:
                continue
            if kind == ObligationKind.REGISTRATION and due_now(o.due_on):
                month = Month.parse(o.period)
                if month.last_day >= today:
                    problems.append(
                        {
                            "type": "registration",
                            "month": str(month),
                            "days_late": (today - o.due_on).days,
                        }
                    )
            elif kind == ObligationKind.REPORT and due_now(o.due_on):
                problems.append(
                    {
                        "type": "report",
                        "name": self.policy.report_type(o.subject).name_vi,
                        "period": str(parse_period_key(o.period)),
                        "days_late": (today - o.due_on).days,
                    }
                )
            elif kind == ObligationKind.DIRECTIVE and due_now(o.due_on):
                problems.append(
                    {
                        "type": "directive",
                        "name": self.titles.get(o.subject, o.subject),
                        "days_late": (today - o.due_on).days,
                    }
                )
            elif o.planned_at is not None and o.planned_at <= self.now:
                month = Month.of(local_date(o.planned_at))
                record_due = local_date(o.planned_at) + timedelta(days=first)
                if today <= edit_window_closes(month, self.policy.edit_grace_days) and due_now(
                    record_due
                ):
                    problems.append(
                        {
                            "type": "record",
                            "kind": "thematic" if kind == ObligationKind.THEMATIC else o.subject,
                            "month": str(month),
                            "days_late": (today - record_due).days,
                        }
                    )
        return problems
