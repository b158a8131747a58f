"""A world for scheduler tests: people bound directly, a fake bot, a clock-driven loop.

Everything runs on a ManualClock; nothing sleeps. `Sim.run_until` steps the clock
(an hour by default: every slot of the default policy is on the hour), and at every
step plans and dispatches as the running bot's jobs would, so a test reads which
messages arrived at which local time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from domain.ledger_facts import selection_of_month, selection_of_report
from domain.localtime import VN_TZ, to_local
from domain.meeting_kinds import MeetingKind
from domain.org import MEETING_KINDS
from domain.periods import Month
from domain.policy import Policy, default_policy
from domain.roles import Role
from scheduler.dispatcher import Dispatcher
from scheduler.planner import plan_reminders
from services import ledger
from services.clock import ManualClock
from storage.db import Database
from storage.models import (
    MeetingRecord,
    MeetingSchedule,
    OutboxMessage,
    Person,
    QualityRating,
    ReportSubmission,
    RoleAssignment,
    Unit,
)


def local(text: str) -> datetime:
    """ "2026-12-22 08:00" in Hà Nội time."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VN_TZ)


def add_person(
    db: Database,
    telegram_id: int,
    name: str,
    role: Role,
    unit: str,
    *,
    now: datetime,
    away_until: date | None = None,
) -> int:
    with db.transaction() as s:
        person = s.scalar(select(Person).where(Person.telegram_user_id == telegram_id))
        if person is None:
            person = Person(telegram_user_id=telegram_id, full_name=name, created_at=now)
            s.add(person)
        person.away_until = away_until
        s.flush()
        s.add(RoleAssignment(person_id=person.id, role=role, unit_code=unit, created_at=now))
        return person.id


def register(
    db: Database,
    unit: str,
    month: str,
    planned_at: datetime,
    *,
    now: datetime,
    kind: MeetingKind = MeetingKind.REGULAR,
    status: str = "planned",
    place: str = "Hội trường",
) -> None:
    with db.transaction() as s:
        s.add(
            MeetingSchedule(
                unit_code=unit,
                kind=kind,
                month=month,
                planned_at=planned_at,
                place=place,
                status=status,
                registered_at=now,
                updated_at=now,
            )
        )
        _in_step(s, now, Month.parse(month), [unit])


def _in_step(
    s: Session,
    now: datetime,
    month: Month | None = None,
    units: list[str] | None = None,
    report: tuple[str, str] | None = None,
) -> None:
    """The facts went straight into the tables: bring the ledger in step with them."""
    s.flush()
    selection = selection_of_month(month) if month else selection_of_report(*report)  # type: ignore[misc]
    ledger.refresh(s, default_policy(), now, selection, units)


def settle_month(
    db: Database, month: str, *, now: datetime, day: int = 10, skip: tuple[str, ...] = ()
) -> None:
    """Every meeting unit (but `skip`) registered, held, recorded and rated its monthly
    meeting of `month`: nothing about that month is due any more."""
    planned = local(f"{month}-{day:02d} 14:00")
    with db.transaction() as s:
        units = s.execute(select(Unit.code, Unit.kind).where(Unit.kind.in_(MEETING_KINDS))).all()
        units = [(code, kind) for code, kind in units if code not in skip]
        kinds = {
            code: ("committee" if kind.value == "base_committee" else "regular")
            for code, kind in units
        }
        s.execute(
            insert(MeetingSchedule),
            [
                {
                    "unit_code": code,
                    "kind": kinds[code],
                    "month": month,
                    "planned_at": planned,
                    "place": "Hội trường",
                    "status": "planned",
                    "source": "manual",
                    "registered_at": now,
                    "updated_at": now,
                }
                for code, _ in units
            ],
        )
        s.execute(
            insert(MeetingRecord),
            [
                {
                    "unit_code": code,
                    "kind": kinds[code],
                    "month": month,
                    "held": True,
                    "held_on": planned.date(),
                    "recorded_at": now,
                    "updated_at": now,
                }
                for code, _ in units
            ],
        )
        ids = s.scalars(select(MeetingRecord.id).where(MeetingRecord.month == month)).all()
        s.execute(
            insert(QualityRating),
            [
                {
                    "record_id": i,
                    "answers": {},
                    "score": 90,
                    "level": "tot",
                    "flags": [],
                    "rated_at": now,
                }
                for i in ids
            ],
        )
        _in_step(s, now, Month.parse(month), [code for code, _ in units])


def submit_all_reports(
    db: Database, report_type: str, period: str, due: date, now: datetime
) -> None:
    """Every base organisation confirmed this report."""
    with db.transaction() as s:
        codes = s.scalars(
            select(Unit.code).where(Unit.kind.in_(["base_committee", "base_cell"]))
        ).all()
        s.execute(
            insert(ReportSubmission),
            [
                {
                    "unit_code": c,
                    "report_type": report_type,
                    "period": period,
                    "due_on": due,
                    "sent_at": now,
                }
                for c in codes
            ],
        )
        _in_step(s, now, units=list(codes), report=(report_type, period))


def record(
    db: Database,
    unit: str,
    month: str,
    *,
    now: datetime,
    held: bool = True,
    held_on: date | None = None,
    kind: MeetingKind = MeetingKind.REGULAR,
    rated: bool = False,
) -> None:
    with db.transaction() as s:
        row = MeetingRecord(
            unit_code=unit,
            kind=kind,
            month=month,
            held=held,
            held_on=held_on,
            recorded_at=now,
            updated_at=now,
        )
        s.add(row)
        s.flush()
        if rated:
            s.add(
                QualityRating(
                    record_id=row.id, answers={}, score=90, level="tot", flags=[], rated_at=now
                )
            )
        _in_step(s, now, Month.parse(month), [unit])


def submit_report(
    db: Database, unit: str, report_type: str, period: str, due: date, now: datetime
) -> None:
    with db.transaction() as s:
        s.add(
            ReportSubmission(
                unit_code=unit, report_type=report_type, period=period, due_on=due, sent_at=now
            )
        )
        _in_step(s, now, units=[unit], report=(report_type, period))


def outbox(db: Database) -> list[OutboxMessage]:
    with db.transaction() as s:
        rows = list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for r in rows:
            s.expunge(r)
        return rows


@dataclass
class Sent:
    at: datetime  # local
    chat_id: int
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)
    document: str | None = None
    photo: bool = False  # sent with sendPhoto (shown in the chat), not as a file

    @property
    def when(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"


class FakeBot:
    """Stands in for telegram.Bot: records what is sent; can be told to fail."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.sent: list[Sent] = []
        self.failures: list[Exception] = []  # raised by the next calls, in order
        self.failures_for: dict[int, list[Exception]] = {}  # … by the next calls to a chat
        self.calls = 0

    def _maybe_fail(self, chat_id: int) -> None:
        self.calls += 1
        if self.failures_for.get(int(chat_id)):
            raise self.failures_for[int(chat_id)].pop(0)
        if self.failures:
            raise self.failures.pop(0)

    def _record(
        self, chat_id: int, text: str, reply_markup: Any, document: Any = None, photo: bool = False
    ) -> Sent:
        buttons = []
        if reply_markup is not None:
            buttons = [
                (b.text, b.callback_data or b.url or "")
                for row in reply_markup.inline_keyboard
                for b in row
            ]
        sent = Sent(to_local(self.clock.now()), int(chat_id), text, buttons, document, photo)
        self.sent.append(sent)
        return sent

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Sent:
        self._maybe_fail(chat_id)
        return self._record(chat_id, text, kwargs.get("reply_markup"))

    async def send_document(self, chat_id: int, document: Any, **kwargs: Any) -> Sent:
        self._maybe_fail(chat_id)
        return self._record(
            chat_id, kwargs.get("caption") or "", kwargs.get("reply_markup"), document.filename
        )

    async def send_photo(self, chat_id: int, photo: Any, **kwargs: Any) -> Sent:
        self._maybe_fail(chat_id)
        return self._record(
            chat_id, kwargs.get("caption") or "", kwargs.get("reply_markup"), photo.filename, True
        )

    def to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    def take(self) -> list[Sent]:
        sent, self.sent = self.sent, []
        return sent


class Sim:
    """The scheduler's two jobs, driven by the test's clock."""

    def __init__(self, db: Database, clock: ManualClock, policy: Policy) -> None:
        self.db, self.clock, self.policy = db, clock, policy
        self.bot = FakeBot(clock)
        self.sleeps: list[float] = []

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        self.dispatcher = Dispatcher(db, self.bot, clock, policy, sleep=sleep)  # type: ignore[arg-type]

    def plan(self) -> int:
        return plan_reminders(self.db, self.clock.now(), self.policy)

    async def dispatch(self) -> None:
        while (await self.dispatcher.dispatch_once()).claimed:
            pass

    async def tick(self) -> None:
        self.plan()
        await self.dispatch()

    async def run_until(self, end: datetime, step: timedelta = timedelta(hours=1)) -> None:
        """Tick at the current time, then every `step` up to and including `end`."""
        await self.tick()
        while self.clock.now() + step <= end:
            self.clock.advance(step)
            await self.tick()
        if self.clock.now() < end:
            self.clock.set(end)
            await self.tick()

    def jump(self, when: datetime) -> None:
        """Move the clock without running anything (the bot was down)."""
        self.clock.set(when)
