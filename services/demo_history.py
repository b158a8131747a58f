"""A few months of plausible past activity for the demo bloc, so a newcomer sees a real digest.

`load_demo_history(db, now)` writes, for every cell and base committee of the loaded
org, the last months as a careful but imperfect bloc would have lived them:
schedules registered around the deadline (a few late, a few never), meetings held
(a few not, with or without a reason), attendance mostly near full, self-ratings,
a thematic meeting most quarters, and the periodic reports of base organisations
(mostly on time). It is deterministic (a fixed seed), so every run tells the same story.

Every fact goes through the normal write path: the rows are activity CSV files
(`domain.activity_csv`, as `chibo activity import` reads them), imported day by day
with `now` set to the day the fact was entered, so registration times, record and
rating times and the digest's weekly trend look as they would have.
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.activity_csv import KNOWN_COLUMNS
from domain.localtime import at_local, local_date
from domain.meeting_kinds import MONTHLY_KIND, MeetingKind, meeting_kinds_for
from domain.org import MEETING_KINDS, REPORTING_KINDS, UnitKind
from domain.periods import Month
from domain.policy import Policy, default_policy
from domain.reports import deadlines_between, latest_due
from services.activity_import import import_activity
from storage import org_queries
from storage.db import Database

SEED = 2026
PLACES = ("Phòng họp tầng 2", "Hội trường cơ quan", "Phòng họp số 1", "Phòng họp Đảng ủy")
THEMES = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Phòng, chống tham nhũng, lãng phí",
    "Xây dựng văn hóa công sở",
)
NOT_HELD = (
    ("Trùng đợt công tác của cơ quan", True),
    ("Nhiều đảng viên đi học tập trung", True),
    ("Chưa bố trí được thời gian", False),
)
HIGHER = "Đ/c Nguyễn Văn An, Ủy viên Ban Thường vụ Đảng ủy Khối"
ENTERED_AT = time(16, 0)  # facts are entered in the afternoon


@dataclass(frozen=True)
class DemoHistory:
    files: int  # imports run, one per day with something entered
    meeting_rows: int
    report_rows: int


def load_demo_history(
    db: Database, now: datetime, policy: Policy | None = None, *, months: int = 4
) -> DemoHistory:
    """Import `months` months of plausible activity up to `now` for the units in `db`."""
    policy = policy or default_policy()
    with db.transaction() as session:
        units = org_queries.sizes(session, MEETING_KINDS | REPORTING_KINDS)
    by_day = _History(local_date(now), policy, months).rows(units)
    meeting_rows = report_rows = 0
    for day in sorted(by_day):
        rows = by_day[day]
        moment = min(at_local(day, ENTERED_AT), now)
        import_activity(db, _csv(rows), now=moment, policy=policy, actor="demo")
        meeting_rows += sum(r["record_type"] == "meeting" for r in rows)
        report_rows += sum(r["record_type"] == "report" for r in rows)
    return DemoHistory(len(by_day), meeting_rows, report_rows)


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=KNOWN_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


class _History:
    def __init__(self, today: date, policy: Policy, months: int) -> None:
        self.today = today
        self.policy = policy
        self.rng = random.Random(SEED)
        this = Month.of(today)
        self.months = [this.plus(-i) for i in range(months, -1, -1)]
        # Next month's schedules exist once its registration deadline is near.
        due = self._registration_due(this.next())
        if (due - today).days <= 7:
            self.months.append(this.next())
        self.by_day: dict[date, list[dict[str, str]]] = defaultdict(list)

    def rows(self, units: list) -> dict[date, list[dict[str, str]]]:
        for code, kind, members in units:
            # Some units are diligent, a few are not: the lists of the digest need both.
            care = self.rng.choice((1.0, 1.0, 0.97, 0.95, 0.9, 0.8, 0.6))
            if kind in MEETING_KINDS:
                self._meetings(code, kind, members or self.rng.randint(6, 30), care)
            if kind in REPORTING_KINDS:
                self._reports(code, care)
        return self.by_day

    def _registration_due(self, month: Month) -> date:
        rule = self.policy.registration
        return month.plus(rule.due_month_offset).day(rule.due_day)

    # -- meetings -------------------------------------------------------------------

    def _meetings(self, code: str, kind: UnitKind, members: int, care: float) -> None:
        thematic_month: dict[str, Month] = {}  # one month of each quarter, chosen per unit
        for month in self.months:
            self._meeting(code, MONTHLY_KIND[kind], month, members, care)
            if MeetingKind.THEMATIC not in meeting_kinds_for(kind):
                continue
            quarter = month.quarter
            chosen = thematic_month.setdefault(quarter.key, self.rng.choice(quarter.months))
            if chosen == month and self.rng.random() < 0.8 * care + 0.15:
                self._meeting(code, MeetingKind.THEMATIC, month, members, care)

    def _meeting(
        self, code: str, kind: MeetingKind, month: Month, members: int, care: float
    ) -> None:
        rng = self.rng
        if rng.random() > care + 0.05:
            return  # never registered, never recorded: the digest lists it
        planned_day = self._working_day(month, rng.randint(3, 24))
        planned = datetime.combine(planned_day, time(rng.choice((8, 14))))
        due = self._registration_due(month)
        late = rng.random() > care
        registered = (
            due + timedelta(days=rng.randint(1, 4))
            if late
            else due - timedelta(days=rng.randint(0, 10))
        )
        registered = min(registered, planned_day - timedelta(days=1))
        if registered > self.today:
            return
        theme = rng.choice(THEMES) if kind == MeetingKind.THEMATIC else ""
        self.by_day[registered].append(
            {
                "record_type": "meeting",
                "unit": code,
                "month": month.key,
                "kind": kind.value,
                "planned": f"{planned:%d/%m/%Y %H:%M}",
                "place": rng.choice(PLACES),
                "registered_on": _day(registered),
                "theme": theme,
            }
        )
        entered = planned_day + timedelta(days=rng.choice((0, 1, 1, 2, 3)))
        if entered >= self.today or rng.random() > care + 0.1:
            return  # not recorded (yet): the reminders and the digest say so
        row = {"record_type": "meeting", "unit": code, "month": month.key, "kind": kind.value}
        if theme:
            row["theme"] = theme
        if rng.random() < 0.04 + (1 - care) / 2:
            reason, excused = rng.choice(NOT_HELD)
            row |= {
                "held": "không",
                "not_held_reason": reason,
                "not_held_excused": "có" if excused else "không",
            }
        else:
            absent = rng.choices((0, 0, 0, 1, 1, 2, 3), k=1)[0] if members > 3 else 0
            excused_absent = max(0, absent - rng.choice((0, 0, 1)))
            row |= {
                "held": "có",
                "held_on": _day(planned_day),
                "duration_minutes": str(rng.choice((60, 90, 90, 120, 120, 150))),
                "present": str(members - absent),
                "total_members": str(members),
                "excused_absent": str(excused_absent),
                "higher_attendee": HIGHER if rng.random() < 0.25 else "",
                "minutes_taken": "có" if rng.random() < 0.97 else "không",
            }
            if rng.random() < care:
                row["score"] = str(rng.randint(68, 97))
        self.by_day[entered].append(row)

    @staticmethod
    def _working_day(month: Month, day: int) -> date:
        chosen = month.day(day)
        while chosen.weekday() >= 5:
            chosen += timedelta(days=1)
        return chosen

    # -- periodic reports -------------------------------------------------------------

    def _reports(self, code: str, care: float) -> None:
        # From the oldest deadline the digest still looks at (the half-year report's, say).
        start = min(
            self.months[0].first_day,
            *(latest_due(t, self.today).due for t in self.policy.report_types),
        )
        for due in deadlines_between(self.policy, start, self.today):
            if self.rng.random() > care + 0.05:
                continue  # missing
            late = self.rng.random() > care + 0.02
            sent = (
                due.due + timedelta(days=self.rng.randint(1, 6))
                if late
                else due.due - timedelta(days=self.rng.randint(0, 6))
            )
            sent = max(sent, due.period.first_day)
            if sent > self.today:
                continue
            self.by_day[sent].append(
                {
                    "record_type": "report",
                    "unit": code,
                    "report_type": due.report_type.code,
                    "period": due.period.key,
                    "sent_on": _day(sent),
                }
            )
