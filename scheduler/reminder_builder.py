"""Builds a slot's reminders: one message per person, from what each unit has open.

Which items a unit's recipients see on a given slot and day (deadline reminder days,
nudge days, the day before and the morning of a meeting), which units are escalated
to the cluster officers over them, and the outbox row that carries it all
(messages.reminder_text writes the text and buttons).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from domain.localtime import local_date, to_local
from domain.obligations import Action as FlowAction
from domain.obligations import Obligation, ObligationKind, Resolution
from domain.periods import Month, edit_window_closes, parse_period_key
from domain.policy import Policy
from domain.reminder_recipients import Recipient, ReminderPeople
from domain.reminder_timing import (
    Slot,
    is_deadline_reminder_day,
    is_escalation_day,
    is_nudge_day,
    next_quiet_start,
)
from messages.flow_links import cluster_link, directive_link, open_link
from messages.reminder_text import reminder_buttons, reminder_text
from storage import cluster_meetings as cluster_rows
from storage.ledger import PlannedMeeting, UnitRef
from storage.outbox import Outgoing

REASON = "reminder"


def dedup_key(person_id: int, day: date, slot: Slot) -> str:
    return f"rem:{person_id}:{day.isoformat()}:{slot.name}"


@dataclass(frozen=True)
class PlannedReminder:
    """One message of a plan, with what the preview prints about it."""

    outgoing: Outgoing
    person_name: str
    slot: str
    items: tuple[dict[str, Any], ...]
    escalated_units: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        o = self.outgoing
        return {
            "person_id": o.person_id,
            "chat_id": o.chat_id,
            "name": self.person_name,
            "slot": self.slot,
            "dedup_key": o.dedup_key,
            "not_before": to_local(o.not_before).isoformat(),
            "expires_at": to_local(o.expires_at).isoformat() if o.expires_at else None,
            "items": [_jsonable(i) for i in self.items],
            "escalated_units": list(self.escalated_units),
            "buttons": [b["callback_data"] for row in (o.buttons or []) for b in row],
            "text": o.text,
        }


@dataclass
class UnitDue:
    """What one unit has open around today: the ledger's rows and the meetings to hold."""

    unit: UnitRef
    obligations: list[Obligation] = field(default_factory=list)
    meetings: list[PlannedMeeting] = field(default_factory=list)
    cluster_meetings: list[cluster_rows.UnitInvitation] = field(default_factory=list)


@dataclass
class _UnitSection:
    unit: UnitRef
    stand_in_for: list[Recipient] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Box:
    recipient: Recipient
    units: dict[str, _UnitSection] = field(default_factory=dict)
    escalations: dict[str, dict[str, Any]] = field(default_factory=dict)
    roll_calls: list[dict[str, Any]] = field(default_factory=list)
    earliest_meeting: datetime | None = None


class SlotBuilder:
    """One message per person for a slot: the items of the units they are reminded for,
    the escalations of the units under them, the roll calls they owe."""

    def __init__(
        self,
        slot: Slot,
        today: date,
        now: datetime,
        days: list[date],
        policy: Policy,
        people: ReminderPeople,
        labels: Mapping[str, str],
        extra_days: dict[int, set[date]] | None = None,
        titles: Mapping[str, str] | None = None,
    ) -> None:
        self.slot, self.today, self.now, self.days = slot, today, now, days
        self.extra_days = extra_days or {}
        self.titles = titles or {}
        self.policy = policy
        self.rules = policy.reminders
        self.people = people
        self.labels = labels
        self.boxes: dict[int, _Box] = {}

    def _box(self, recipient: Recipient) -> _Box:
        box = self.boxes.get(recipient.person_id)
        if box is None:
            box = self.boxes[recipient.person_id] = _Box(recipient)
        return box

    def _days_for(self, person_id: int) -> list[date]:
        extra = self.extra_days.get(person_id)
        return sorted({*self.days, *extra}) if extra else self.days

    def add_roll_call(self, meeting: cluster_rows.MeetingInfo, cluster_path: str) -> None:
        """A cluster meeting held and not marked: its officers, on the nudge days."""
        if not self.slot.deadlines:
            return
        held = local_date(meeting.starts_at)
        for officer in self.people.officers_over(cluster_path, self.today):
            days = self._days_for(officer.person_id)
            if any(is_nudge_day(self.rules.record_nudge, held, d) for d in days):
                self._box(officer).roll_calls.append(
                    {"cluster": meeting.cluster_name, "starts_at": meeting.starts_at}
                )

    def add_unit(self, due: UnitDue) -> None:
        if due.obligations or due.meetings or due.cluster_meetings:
            recipients, absent = self.people.for_unit(due.unit.code, self.today)
            for r in recipients:
                items, earliest = self._items(due, self._days_for(r.person_id))
                if not items:
                    continue
                box = self._box(r)
                section = box.units.setdefault(due.unit.code, _UnitSection(due.unit))
                section.items += items
                section.stand_in_for = [a for a in absent if a.person_id != r.person_id]
                if earliest and (box.earliest_meeting is None or earliest < box.earliest_meeting):
                    box.earliest_meeting = earliest
        if self.slot.deadlines:
            for officer in self.people.officers_over(due.unit.path, self.today):
                problems = self._escalations(due, self._days_for(officer.person_id))
                if problems:
                    self._box(officer).escalations[due.unit.code] = {
                        "code": due.unit.code,
                        "name": self.labels.get(due.unit.code, due.unit.name),
                        "path": due.unit.path,
                        "problems": problems,
                    }

    def _items(
        self, due: UnitDue, days: list[date]
    ) -> tuple[list[dict[str, Any]], datetime | None]:
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

    def _escalations(self, due: UnitDue, days: list[date]) -> list[dict[str, Any]]:
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

    def messages(self) -> list[PlannedReminder]:
        out = []
        for box in self.boxes.values():
            if not box.units and not box.escalations and not box.roll_calls:
                continue
            out.append(self._message(box))
        return out

    def _message(self, box: _Box) -> PlannedReminder:
        r = box.recipient
        slot_at = self.slot.on(self.today)
        expires = next_quiet_start(slot_at, self.rules.quiet_hours)
        if box.earliest_meeting is not None:
            expires = min(expires, box.earliest_meeting)
        units = sorted(box.units.values(), key=lambda s: s.unit.path)
        escalations = sorted(box.escalations.values(), key=lambda e: e["path"])
        text = reminder_text(
            r, units, escalations, slot_at, self.today, self.policy, self.labels, box.roll_calls
        )
        buttons = reminder_buttons(r, units, self.rules.snooze_minutes)
        items = tuple({"unit": s.unit.code, **item} for s in units for item in s.items)
        return PlannedReminder(
            Outgoing(
                dedup_key=dedup_key(r.person_id, self.today, self.slot),
                chat_id=r.chat_id,
                reason=REASON,
                period=f"{self.today.isoformat()}T{self.slot.name}",
                text=text,
                not_before=slot_at,
                person_id=r.person_id,
                buttons=buttons,
                expires_at=expires,
            ),
            r.full_name,
            self.slot.name,
            items,
            tuple(e["code"] for e in escalations),
        )


def _jsonable(item: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in item.items():
        if isinstance(value, datetime):
            out[key] = to_local(value).isoformat()
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out
