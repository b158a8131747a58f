"""Builds a slot's reminders: one message per person, from what each unit has open.

Which items a unit's recipients see on a given slot and day (deadline reminder days,
nudge days, the day before and the morning of a meeting), which units are escalated
to the cluster officers over them, and the outbox row that carries it all
(messages.reminder_text writes the text and buttons).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.localtime import local_date, to_local
from domain.policy import Policy
from domain.reminder_recipients import Recipient, ReminderPeople
from domain.reminder_timing import Slot, is_nudge_day, next_quiet_start
from messages.reminder_text import reminder_buttons, reminder_text
from scheduler.reminder_items import ReminderItems, UnitDue
from storage import cluster_meetings as cluster_rows
from storage.outbox import Outgoing
from storage.planner_ledger import PlannedUnit

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
class _UnitSection:
    unit: PlannedUnit
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
        self.pick = ReminderItems(slot, today, now, policy, self.titles)
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
                items, earliest = self.pick.items(due, self._days_for(r.person_id))
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
                problems = self.pick.escalations(due, self._days_for(officer.person_id))
                if problems:
                    self._box(officer).escalations[due.unit.code] = {
                        "code": due.unit.code,
                        "name": self.labels.get(due.unit.code, due.unit.name),
                        "path": due.unit.path,
                        "problems": problems,
                    }

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
