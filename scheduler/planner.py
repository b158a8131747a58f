"""Plans reminders: from the open obligations of the ledger to one outbox row per person per slot.

A run at `now` looks at the day's slots (`domain.reminder_timing`) whose time has come
and that have not been planned yet (a `planner_runs` row per slot and local day).
For each such slot it gathers, for every recipient, everything due, renders one
consolidated message and inserts it into the outbox, then writes the run row.
Planning again, after a restart or on a second instance, inserts nothing new: the
run row is there, and the outbox keys are unique.

Keys (see README, "Reminders and the outbox"):

- outbox `dedup_key` = "rem:{person_id}:{YYYY-MM-DD}:{HHMM}" — the recipient, the local
  day and the slot; `reason` = "reminder", `period` = "{YYYY-MM-DD}T{HHMM}";
- a snoozed copy: the original key + ":snooze";
- `planner_runs.key` = "reminders:{HHMM}:{YYYY-MM-DD}".

Who gets what:

- a unit's duties go to its secretaries; a secretary away (`Person.away_until` ≥
  today) or unreachable is replaced by the unit's deputies (an unreachable one is
  still tried, so unblocking the bot heals by itself); with no deputy, the
  secretary is still reminded (domain.stand_in, the rule /away tells the user);
- deadline items (registration, reports, directives: these follow the reports'
  timing) on their reminder days, records and ratings on their nudge days
  (bounded), meetings and cluster meetings on the day before and the morning of;
- a cluster meeting held and not marked yet: its cluster officers, on the record
  nudge days, to mark who came;
- escalations: a unit overdue `after_days_overdue` days (and every
  `repeat_every_days` after) is listed, all in one list, for each cluster officer
  whose cluster contains it.

Nothing is planned during quiet hours. Reminder days missed while the bot was down
(up to `catch_up_days`) are folded into the next deadline reminder, so what fell
due is sent once, with its current state; meeting reminders are never caught up
(the morning-of reminder supersedes the day-before one, a past meeting is stale).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from markupsafe import Markup
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from domain import stand_in
from domain.edit_window import edit_window_closes
from domain.localtime import at_local, local_date, to_local
from domain.obligations import Obligation, ObligationKind, Resolution
from domain.periods import Month, parse_period_key
from domain.policy import Policy
from domain.reminder_timing import (
    Slot,
    in_quiet_hours,
    is_deadline_reminder_day,
    is_escalation_day,
    is_nudge_day,
    next_quiet_start,
    reminder_slots,
)
from domain.roles import Role
from domain.todo import Action as FlowAction
from domain.unit_names import unit_label
from messages.flow_links import cluster_link, directive_link, open_link
from messages.render import render, render_plain
from messages.telegram_text import cut, fits
from services import ledger
from services.org import named_units
from storage import cluster_meetings as cluster_rows
from storage import directives as directive_rows
from storage import ledger as ledger_rows
from storage.db import Database
from storage.ledger import PlannedMeeting, UnitRef
from storage.models import OutboxMessage, Person, PlannerRun, RoleAssignment, Unit
from storage.outbox import Outgoing, enqueue
from storage.unit_of_work import core

log = logging.getLogger(__name__)

REASON = "reminder"
SUPERSEDED = "superseded"  # an undelivered reminder whose items a later one carries
RUN_PREFIX = "reminders"
SNOOZE_PLACEHOLDER = "{id}"  # the dispatcher puts the outbox row id here
MAX_TEXT = 3900  # Telegram allows 4096 UTF-16 units; leave room
MAX_ITEM_BUTTONS = 6
WRITE_CHUNK = 2000  # outbox rows per transaction
CALLBACK_LIMIT = 64  # bytes of callback_data Telegram accepts
_CELL_ROLES = (Role.SECRETARY, Role.DEPUTY)
_CODES_IN_SQL = 2000


def dedup_key(person_id: int, day: date, slot: Slot) -> str:
    return f"rem:{person_id}:{day.isoformat()}:{slot.name}"


def run_key(slot: Slot, day: date) -> str:
    return f"{RUN_PREFIX}:{slot.name}:{day.isoformat()}"


@dataclass(frozen=True)
class Recipient:
    person_id: int
    chat_id: int
    full_name: str
    locale: str | None
    away_until: date | None
    unreachable: bool

    def away(self, today: date) -> bool:
        return stand_in.is_away(self, today)


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


@dataclass(frozen=True)
class ReminderPlan:
    messages: tuple[PlannedReminder, ...]
    runs: tuple[str, ...]  # planner_runs keys this plan completes
    # Undelivered reminders of earlier days whose items this plan carries instead.
    superseded: tuple[int, ...] = ()


def plan_reminders(db: Database, now: datetime, policy: Policy) -> int:
    """The scheduler job: plan what is due and write it; returns how many rows were new.

    The outbox rows go in chunks, each its own short transaction (a large bloc never
    holds SQLite's write lock for long), and the run rows last: if the process dies
    in between, the next tick plans the slot again and the unique keys keep what
    was already written.
    """
    ledger.ensure_current(db, now, policy)  # periods that opened since the last tick
    with db.transaction() as session:
        plan = compute_plan(session, now, policy)
    if not plan.runs:
        return 0
    outgoing = [m.outgoing for m in plan.messages]
    new = 0
    for start in range(0, len(outgoing), WRITE_CHUNK):
        with db.transaction() as session:
            new += enqueue(session, outgoing[start : start + WRITE_CHUNK], now=now)
    with db.transaction() as session:
        if plan.superseded:
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(plan.superseded),
                    OutboxMessage.status.in_(("pending", "dropped")),
                )
                .values(status=SUPERSEDED, claimed_by=None, claimed_until=None)
                .execution_options(synchronize_session=False)
            )
        _record_runs(session, plan, now)
    if plan.messages:
        log.info("planned %d reminder(s) for %s", len(plan.messages), ", ".join(plan.runs))
    return new


def compute_plan(
    session: Session, now: datetime, policy: Policy, *, respect_runs: bool = True
) -> ReminderPlan:
    """What a run at `now` would enqueue; writes nothing.

    With `respect_runs=False` the slots already planned today are planned again
    (the preview shows what they contain).
    """
    rules = policy.reminders
    today = local_date(now)
    if in_quiet_hours(now, rules.quiet_hours):
        return ReminderPlan((), ())
    due_slots = [s for s in reminder_slots(rules) if s.on(today) <= now]
    if not due_slots:
        return ReminderPlan((), ())
    lookback = [today - timedelta(days=k) for k in range(rules.catch_up_days, 0, -1)]
    wanted = [run_key(s, d) for s in due_slots for d in [*lookback, today]]
    done = set(session.scalars(select(PlannerRun.key).where(PlannerRun.key.in_(wanted))))
    if respect_runs:
        due_slots = [s for s in due_slots if run_key(s, today) not in done]
    if not due_slots:
        return ReminderPlan((), ())

    dues = _load_dues(session, now, policy)
    titles = _directive_titles(session, dues)
    unmarked = cluster_rows.unmarked(session, now - timedelta(days=31), now)
    people = _People.load(session, dues)
    # Namesakes ("Chi bộ Văn phòng" in many committees) get their parent (domain.unit_names).
    labels = {
        code: unit_label(named, with_code=False) for code, named in named_units(session).items()
    }

    messages: list[PlannedReminder] = []
    superseded: list[int] = []
    for slot in due_slots:
        days = _fold_days(slot, today, lookback, done)
        extra: dict[int, set[date]] = {}
        if slot.deadlines:
            extra, ids = _undelivered(session, slot, today, lookback)
            superseded += ids
        builder = _SlotBuilder(slot, today, now, days, policy, people, labels, extra, titles)
        for unit_due in dues.values():
            builder.add_unit(unit_due)
        for meeting, cluster_path in unmarked:
            builder.add_roll_call(meeting, cluster_path)
        messages += builder.messages()
    return ReminderPlan(
        tuple(messages), tuple(run_key(s, today) for s in due_slots), tuple(superseded)
    )


# A deadline this far past is no longer reminded of (it stays on /status and /overdue).
OVERDUE_DAYS = 31


@dataclass
class UnitDue:
    """What one unit has open around today: the ledger's rows and the meetings to hold."""

    unit: UnitRef
    obligations: list[Obligation] = field(default_factory=list)
    meetings: list[PlannedMeeting] = field(default_factory=list)
    cluster_meetings: list[cluster_rows.UnitInvitation] = field(default_factory=list)


def _load_dues(session: Session, now: datetime, policy: Policy) -> dict[str, UnitDue]:
    """Open obligations only: nothing for a meeting already held or a report sent."""
    rules = policy.reminders
    today = local_date(now)
    upcoming = max((*rules.registration.days_before, *rules.reports.days_before, 1))
    dues: dict[str, UnitDue] = {}

    def due(unit: UnitRef) -> UnitDue:
        found = dues.get(unit.code)
        if found is None:
            found = dues[unit.code] = UnitDue(unit)
        return found

    # A meeting that took place is nudged while its month is open (at most the month
    # and the grace days after it).
    lookback = today - timedelta(days=31 + policy.edit_grace_days)
    for unit, obligation in ledger_rows.open_entries(
        session,
        today=today,
        due_from=today - timedelta(days=OVERDUE_DAYS),
        due_to=today + timedelta(days=upcoming),
        planned_from=at_local(lookback, time(0, 0)),
        planned_before=now,
    ):
        due(unit).obligations.append(obligation)
    tomorrow_ends = at_local(today + timedelta(days=2), time(0, 0))
    for meeting in ledger_rows.planned_meetings(session, now, tomorrow_ends):
        due(meeting.unit).meetings.append(meeting)
    for invitation in cluster_rows.invitations_between(session, now, tomorrow_ends):
        unit = UnitRef(invitation.unit_code, invitation.unit_name, invitation.unit_path)
        due(unit).cluster_meetings.append(invitation)
    return dues


def _directive_titles(session: Session, dues: dict[str, UnitDue]) -> dict[str, str]:
    """Directive id → "Số 12-KH/ĐUK — title", for the open directives among the dues."""
    ids = {
        int(o.subject)
        for due in dues.values()
        for o in due.obligations
        if o.kind == ObligationKind.DIRECTIVE
    }
    return {
        str(i): f"{d.reference} — {d.title}" if d.reference else d.title
        for i, d in directive_rows.infos(session, ids).items()
    }


def _undelivered(
    session: Session, slot: Slot, today: date, lookback: list[date]
) -> tuple[dict[int, set[date]], list[int]]:
    """Deadline reminders of the last days that were planned but never delivered.

    The process died before sending them, or they expired waiting (a long network
    outage). Their days are folded into the recipient's next reminder, and the old
    rows are marked superseded, so what fell due is sent once, in its current state.
    """
    if not lookback:
        return {}, []
    periods = {f"{d.isoformat()}T{slot.name}": d for d in lookback}
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.person_id, OutboxMessage.period).where(
            OutboxMessage.status.in_(("pending", "dropped")),
            OutboxMessage.not_before >= slot.on(lookback[0]),
            OutboxMessage.not_before < slot.on(today),
            OutboxMessage.reason == REASON,
            OutboxMessage.period.in_(list(periods)),
        )
    )
    days: dict[int, set[date]] = defaultdict(set)
    ids = []
    for row_id, person_id, period in rows:
        ids.append(row_id)
        if person_id is not None:
            days[person_id].add(periods[period])
    return days, ids


def _fold_days(slot: Slot, today: date, lookback: list[date], done: set[str]) -> list[date]:
    """The days whose deadline reminders this run carries: today and any missed before it."""
    if not slot.deadlines:
        return [today]
    missed: list[date] = []
    for day in lookback:
        if run_key(slot, day) in done:
            missed = []
        else:
            missed.append(day)
    return [*missed, today]


def _record_runs(session: Session, plan: ReminderPlan, now: datetime) -> None:
    counts = defaultdict(int)
    for m in plan.messages:
        counts[m.slot] += 1
    rows = [{"key": key, "ran_at": now, "messages": counts[key.split(":")[1]]} for key in plan.runs]
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    session.execute(module.insert(PlannerRun).on_conflict_do_nothing(index_elements=["key"]), rows)


# ---------------------------------------------------------------------------
# Who receives a unit's reminders


@dataclass
class _People:
    by_unit: dict[str, dict[Role, list[Recipient]]]
    officers: dict[str, list[Recipient]]  # unit path of the assignment → officers

    @classmethod
    def load(cls, session: Session, dues: dict[str, UnitDue]) -> _People:
        columns = (
            RoleAssignment.role,
            RoleAssignment.unit_code,
            Unit.path,
            Person.id,
            Person.telegram_user_id,
            Person.full_name,
            Person.locale,
            Person.away_until,
            Person.unreachable_since,
        )
        base = (
            select(*columns)
            .join(Person, Person.id == RoleAssignment.person_id)
            .join(Unit, Unit.code == RoleAssignment.unit_code)
        )
        cell = base.where(RoleAssignment.role.in_(_CELL_ROLES))
        if len(dues) <= _CODES_IN_SQL:
            cell = cell.where(RoleAssignment.unit_code.in_(list(dues)))
        officer = base.where(RoleAssignment.role == Role.CLUSTER_OFFICER)
        people = cls(defaultdict(lambda: defaultdict(list)), defaultdict(list))
        for stmt in (cell, officer):
            for (
                role,
                unit_code,
                path,
                pid,
                chat,
                name,
                locale,
                away,
                unreachable,
            ) in core(session, stmt.order_by(Person.id)):
                r = Recipient(pid, chat, name, locale, away, unreachable is not None)
                if role == Role.CLUSTER_OFFICER:
                    people.officers[path].append(r)
                else:
                    people.by_unit[unit_code][role].append(r)
        return people

    def for_unit(self, code: str, today: date) -> tuple[list[Recipient], list[Recipient]]:
        """(recipients, secretaries they stand in for): the rule of domain.stand_in."""
        roles = self.by_unit.get(code, {})
        return stand_in.reminded(roles.get(Role.SECRETARY, []), roles.get(Role.DEPUTY, []), today)

    def officers_over(self, path: str, today: date) -> list[Recipient]:
        found: list[Recipient] = []
        prefix = ""
        for part in path.strip("/").split("/"):
            prefix = f"{prefix}/{part}" if prefix else f"/{part}"
            found += self.officers.get(prefix + "/", [])
        return stand_in.escalated_to(found, today)


# ---------------------------------------------------------------------------
# Building one message per person for a slot


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


class _SlotBuilder:
    def __init__(
        self,
        slot: Slot,
        today: date,
        now: datetime,
        days: list[date],
        policy: Policy,
        people: _People,
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
        text = _render_text(
            r, units, escalations, slot_at, self.today, self.policy, self.labels, box.roll_calls
        )
        buttons = _buttons(r, units, self.rules.snooze_minutes)
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


def _render_text(
    r: Recipient,
    units: list[_UnitSection],
    escalations: list[dict[str, Any]],
    slot_at: datetime,
    today: date,
    policy: Policy,
    labels: Mapping[str, str],
    roll_calls: Sequence[dict[str, Any]] = (),
) -> str:
    """The message, shortened (lists cut, "và N việc khác") to fit one Telegram message."""
    text = ""
    for limit in (1000, 40, 20, 10, 5, 2):
        shown_units, hidden = [], 0
        budget = limit
        for s in units:
            shown = s.items[:budget]
            hidden += len(s.items) - len(shown)
            budget -= len(shown)
            if shown:
                shown_units.append(
                    {
                        "code": s.unit.code,
                        "name": labels.get(s.unit.code, s.unit.name),
                        "lines": [_item_line(r.locale, _frozen(item)) for item in shown],
                        "stand_in_for": [
                            {"name": a.full_name, "away_until": a.away_until, "away": a.away(today)}
                            for a in s.stand_in_for
                        ],
                    }
                )
        text = render(
            "reminder",
            r.locale,
            when=slot_at,
            units=shown_units,
            hidden_items=hidden,
            escalations=[_escalation_line(r.locale, _frozen(e)) for e in escalations[:limit]],
            hidden_escalations=max(0, len(escalations) - limit),
            escalation_after=policy.reminders.escalation.after_days_overdue,
            roll_calls=roll_calls,
            snooze_minutes=policy.reminders.snooze_minutes,
        )
        if fits(text, MAX_TEXT):
            return text
    return cut(text, MAX_TEXT)


_NOT_SHOWN = frozenset({"callback", "unit", "path"})


def _frozen(fields: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A line's fields as a cache key (lists of problems become tuples)."""
    return tuple(
        sorted(
            (k, tuple(_frozen(p) for p in v) if isinstance(v, list) else v)
            for k, v in fields.items()
            if k not in _NOT_SHOWN
        )
    )


def _thawed(key: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    return {k: [_thawed(p) for p in v] if isinstance(v, tuple) else v for k, v in key}


@lru_cache(maxsize=65536)
def _item_line(locale: str | None, item: tuple[tuple[str, Any], ...]) -> Markup:
    # A morning's reminders share a handful of lines: each is rendered once.
    return Markup(render("reminder_line", locale, item=_thawed(item)))


@lru_cache(maxsize=65536)
def _escalation_line(locale: str | None, unit: tuple[tuple[str, Any], ...]) -> Markup:
    return Markup(render("reminder_line", locale, e=_thawed(unit)))


def _buttons(
    r: Recipient, units: list[_UnitSection], snooze_minutes: int
) -> list[list[dict[str, str]]]:
    several = len(units) > 1
    rows: list[list[dict[str, str]]] = []
    for section in units:
        for item in section.items:
            callback = item.get("callback")
            if not callback or len(callback.encode()) > CALLBACK_LIMIT:
                continue
            if len(rows) >= MAX_ITEM_BUTTONS:
                break
            fields = tuple(
                sorted(
                    (k, _BUTTON_TYPES.get(v, v) if k == "type" else v)
                    for k, v in item.items()
                    if k in _LABEL_FIELDS
                )
            )
            label = _button_label(r.locale, fields, section.unit.code if several else None)
            rows.append([{"text": label, "callback_data": callback}])
    rows.append([snooze_button(r.locale, snooze_minutes)])
    return rows


_LABEL_FIELDS = frozenset({"type", "month", "kind", "name", "period", "minutes"})
# A cluster meeting item's button answers the invitation.
_BUTTON_TYPES = {"cluster_meeting": "cluster"}


@lru_cache(maxsize=4096)
def _button_label(locale: str | None, fields: tuple[tuple[str, Any], ...], unit: str | None) -> str:
    # Thousands of reminders share a handful of labels: render each once.
    return render_plain("reminder_button", locale, item=dict(fields), unit=unit)


def snooze_button(locale: str | None, minutes: int) -> dict[str, str]:
    label = _button_label(locale, (("minutes", minutes), ("type", "snooze")), None)
    return {"text": label, "callback_data": f"snooze:{SNOOZE_PLACEHOLDER}"}


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
