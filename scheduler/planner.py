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
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.localtime import at_local, local_date
from domain.obligations import ObligationKind
from domain.policy import Policy
from domain.reminder_recipients import ReminderPeople
from domain.reminder_timing import Slot, in_quiet_hours, reminder_slots
from domain.unit_names import unit_label
from scheduler.reminder_builder import REASON, PlannedReminder, SlotBuilder
from scheduler.reminder_items import UnitDue
from services import ledger
from storage import cluster_meetings as cluster_rows
from storage import directives as directive_rows
from storage import planner_ledger
from storage import reminder_queries as reminder_rows
from storage.db import Database, Session
from storage.org_queries import named_units
from storage.outbox import enqueue
from storage.planner_ledger import PlannedUnit

log = logging.getLogger(__name__)

RUN_PREFIX = "reminders"
WRITE_CHUNK = 2000  # outbox rows per transaction


def run_key(slot: Slot, day: date) -> str:
    return f"{RUN_PREFIX}:{slot.name}:{day.isoformat()}"


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
            reminder_rows.supersede(session, plan.superseded)
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
    done = reminder_rows.planned_runs(session, wanted)
    if respect_runs:
        due_slots = [s for s in due_slots if run_key(s, today) not in done]
    if not due_slots:
        return ReminderPlan((), ())

    dues = _load_dues(session, now, policy)
    titles = _directive_titles(session, dues)
    unmarked = cluster_rows.unmarked(session, now - timedelta(days=31), now)
    people = ReminderPeople.of(reminder_rows.role_holders(session, dues))
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
        builder = SlotBuilder(slot, today, now, days, policy, people, labels, extra, titles)
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


def _load_dues(session: Session, now: datetime, policy: Policy) -> dict[str, UnitDue]:
    """Open obligations only: nothing for a meeting already held or a report sent."""
    rules = policy.reminders
    today = local_date(now)
    upcoming = max((*rules.registration.days_before, *rules.reports.days_before, 1))
    dues: dict[str, UnitDue] = {}

    def due(unit: PlannedUnit) -> UnitDue:
        found = dues.get(unit.code)
        if found is None:
            found = dues[unit.code] = UnitDue(unit)
        return found

    # A meeting that took place is nudged while its month is open (at most the month
    # and the grace days after it).
    lookback = today - timedelta(days=31 + policy.edit_grace_days)
    for unit, obligation in planner_ledger.open_entries(
        session,
        today=today,
        due_from=today - timedelta(days=OVERDUE_DAYS),
        due_to=today + timedelta(days=upcoming),
        planned_from=at_local(lookback, time(0, 0)),
        planned_before=now,
    ):
        due(unit).obligations.append(obligation)
    tomorrow_ends = at_local(today + timedelta(days=2), time(0, 0))
    for meeting in planner_ledger.planned_meetings(session, now, tomorrow_ends):
        due(meeting.unit).meetings.append(meeting)
    for invitation in cluster_rows.invitations_between(session, now, tomorrow_ends):
        unit = PlannedUnit(invitation.unit_code, invitation.unit_name, invitation.unit_path)
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
    rows = reminder_rows.undelivered(
        session, REASON, periods, since=slot.on(lookback[0]), before=slot.on(today)
    )
    days: dict[int, set[date]] = defaultdict(set)
    for row in rows:
        if row.person_id is not None:
            days[row.person_id].add(periods[row.period])
    return days, [row.id for row in rows]


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
    counts: defaultdict[str, int] = defaultdict(int)
    for m in plan.messages:
        counts[m.slot] += 1
    reminder_rows.record_runs(session, {key: counts[key.split(":")[1]] for key in plan.runs}, now)
