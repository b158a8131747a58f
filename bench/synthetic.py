"""A synthetic bloc for load: the demo bloc (bot/demo/org.csv) copied until it has N cells.

`build_org(cells)` returns the rows of units, people and role assignments (a
secretary for every cell and base committee, an officer per cluster, a leader
and an admin); `build_activity(org, now)` adds 24 months of history
(schedules, records, ratings, thematic meetings, periodic reports) with a
realistic share of late, missing and not-held items. `load(db, ...)` writes it
with bulk INSERTs: no use-case code, so building 10,000 cells takes seconds.

Everything is deterministic (a seeded random generator): two runs build the
same bloc.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from domain.localtime import at_local, local_date
from domain.meeting_kinds import MeetingKind
from domain.obligations import registration_due
from domain.org import fold
from domain.periods import Month
from domain.policy import Policy, default_policy
from domain.reports import deadlines_between
from services import ledger
from storage.db import Database
from storage.models import (
    MeetingRecord,
    MeetingSchedule,
    Person,
    QualityRating,
    ReportSubmission,
    RoleAssignment,
    Unit,
)

DEMO_ORG = Path(__file__).resolve().parent.parent / "bot" / "demo" / "org.csv"
CELL_KINDS = ("base_cell", "sub_cell")
FIRST_USER_ID = 1_000_000_000
BATCH = 5_000


@dataclass
class SyntheticOrg:
    bloc: str
    units: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    # unit code → Telegram user id of its secretary
    secretaries: dict[str, int] = field(default_factory=dict)
    leader_id: int = 0

    @property
    def cells(self) -> list[dict[str, Any]]:
        return [u for u in self.units if u["kind"] in CELL_KINDS]

    @property
    def committees(self) -> list[dict[str, Any]]:
        return [u for u in self.units if u["kind"] == "base_committee"]


def _demo_rows() -> list[dict[str, str]]:
    with DEMO_ORG.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build_org(cells: int, *, now: datetime, with_people: bool = True) -> SyntheticOrg:
    """The demo bloc, its clusters and base organisations copied until it has `cells` cells.

    Copy 0 keeps the demo codes; copy k appends "-K<k>" to every code below the bloc.
    """
    demo = _demo_rows()
    bloc_row = next(r for r in demo if r["kind"] == "bloc")
    bloc = bloc_row["code"]
    org = SyntheticOrg(bloc)

    def unit(code: str, name: str, kind: str, parent: str | None, path: str, members: Any) -> None:
        org.units.append(
            {
                "code": code,
                "name": name,
                "name_folded": fold(name),
                "kind": kind,
                "parent_code": parent,
                "path": path,
                "members": int(members) if members else None,
                "active": True,
                "updated_at": now,
            }
        )

    unit(bloc, bloc_row["name"], "bloc", None, f"/{bloc}/", None)
    paths = {bloc: f"/{bloc}/"}
    made = 0
    copy = 0
    while made < cells:
        suffix = "" if copy == 0 else f"-K{copy}"
        for row in demo:
            if row["kind"] == "bloc":
                continue
            if made >= cells and row["kind"] != "cluster":
                break
            code = row["code"] + suffix
            parent = row["parent"] + (suffix if row["parent"] != bloc else "")
            name = row["name"] if copy == 0 else f"{row['name']} ({copy + 1})"
            paths[code] = f"{paths[parent]}{code}/"
            unit(code, name, row["kind"], parent, paths[code], row["members"])
            if row["kind"] in CELL_KINDS:
                made += 1
        copy += 1
    if with_people:
        _add_people(org, now)
    return org


def _add_people(org: SyntheticOrg, now: datetime) -> None:
    next_id = iter(range(1, 10_000_000))

    def person(role: str, unit_code: str, name: str) -> int:
        pid = next(next_id)
        user_id = FIRST_USER_ID + pid
        org.people.append(
            {
                "id": pid,
                "telegram_user_id": user_id,
                "full_name": name,
                "username": None,
                "locale": "vi",
                "unreachable_since": None,
                "away_until": None,
                "created_at": now,
            }
        )
        org.roles.append(
            {"person_id": pid, "role": role, "unit_code": unit_code, "created_at": now}
        )
        return user_id

    org.leader_id = person("leader", org.bloc, "Lãnh đạo Khối")
    person("admin", org.bloc, "Văn phòng Khối")
    for u in org.units:
        if u["kind"] == "cluster":
            person("cluster_officer", u["code"], f"Cán bộ {u['code']}")
        elif u["kind"] in (*CELL_KINDS, "base_committee"):
            org.secretaries[u["code"]] = person("secretary", u["code"], f"Bí thư {u['code']}")


@dataclass
class Activity:
    schedules: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.schedules) + len(self.records) + len(self.ratings) + len(self.reports)


def build_activity(
    org: SyntheticOrg, *, now: datetime, policy: Policy, months: int = 24, seed: int = 7
) -> Activity:
    """`months` complete months before `now`'s month, plus the current and next month so far.

    Per cell and month: the regular meeting registered (93%, most on time), held
    (95% of those), rated (85% of held); a thematic meeting in the middle month of
    each quarter (80%); base committees register and hold the committee meeting.
    Base organisations send their periodic reports (90%, most on time). Next month
    is registered by about 40% of the units, so /schedule and the digest have work.
    """
    rng = random.Random(seed)
    act = Activity()
    today = local_date(now)
    current = Month.of(today)
    history = [current.plus(-k) for k in range(months, 0, -1)]
    record_ids = iter(range(1, 100_000_000))

    def schedule(code: str, kind: MeetingKind, month: Month, planned: datetime) -> None:
        due = registration_due(policy, month)
        late = rng.random() < 0.1
        day = (
            due + timedelta(days=rng.randint(1, 6)) if late else due - timedelta(rng.randint(0, 9))
        )
        registered = at_local(day, time(9, rng.randint(0, 59)))
        if registered > now:
            return
        act.schedules.append(
            {
                "unit_code": code,
                "kind": kind,
                "month": month.key,
                "planned_at": planned,
                "place": "Hội trường cơ quan",
                "theme": "Chuyên đề học tập và làm theo tư tưởng Hồ Chí Minh"
                if kind == MeetingKind.THEMATIC
                else None,
                "status": "planned",
                "source": "import",
                "registered_at": registered,
                "updated_at": registered,
            }
        )

    def record(code: str, kind: MeetingKind, month: Month, planned: datetime, members: int) -> None:
        recorded = planned + timedelta(days=1)
        if recorded > now:
            return
        held = rng.random() < 0.95
        rid = next(record_ids)
        present = max(1, members - rng.choice((0, 0, 0, 1, 1, 2, 3))) if held else None
        act.records.append(
            {
                "id": rid,
                "unit_code": code,
                "kind": kind,
                "month": month.key,
                "held": held,
                "held_on": local_date(planned) if held else None,
                "duration_minutes": rng.choice((90, 100, 120, 150)) if held else None,
                "present": present,
                "total_members": members if held else None,
                "excused_absent": 0 if held else None,
                "higher_attendee": None,
                "theme": None,
                "minutes_taken": True if held else None,
                "not_held_reason": None if held else "Trùng lịch công tác",
                "not_held_excused": None if held else rng.random() < 0.6,
                "recorded_at": recorded,
                "updated_at": recorded,
            }
        )
        if held and rng.random() < 0.85:
            score = rng.randint(62, 98)
            level = "tot" if score >= 90 else "kha" if score >= 70 else "trung_binh"
            flags = ["tot_low_attendance"] if level == "tot" and rng.random() < 0.05 else []
            act.ratings.append(
                {
                    "record_id": rid,
                    "answers": {},
                    "score": score,
                    "level": level,
                    "flags": flags,
                    "rated_at": recorded + timedelta(hours=2),
                }
            )

    def meetings(code: str, kind: MeetingKind, members: int, month: Month, register: float) -> None:
        planned = at_local(month.day(rng.randint(5, 20)), time(14, 0))
        if rng.random() < register:
            schedule(code, kind, month, planned)
            record(code, kind, month, planned, members)
        elif rng.random() < 0.5:
            record(code, kind, month, planned, members)

    for u in org.units:
        kind = u["kind"]
        if kind not in (*CELL_KINDS, "base_committee"):
            continue
        code = u["code"]
        members = u["members"] or 7
        monthly = MeetingKind.REGULAR if kind in CELL_KINDS else MeetingKind.COMMITTEE
        for month in [*history, current]:
            meetings(code, monthly, members, month, 0.93)
            if kind in CELL_KINDS and month.number_in_year % 3 == 2:
                meetings(code, MeetingKind.THEMATIC, members, month, 0.8)
        if rng.random() < 0.4:
            planned = at_local(current.next().day(rng.randint(5, 20)), time(14, 0))
            schedule(code, monthly, current.next(), planned)

    start = history[0].first_day
    deadlines = deadlines_between(policy, start, today + timedelta(days=40))
    for u in org.units:
        if u["kind"] not in ("base_committee", "base_cell"):
            continue
        for due in deadlines:
            if rng.random() >= 0.9:
                continue
            day = due.due - timedelta(days=rng.randint(0, 5))
            if rng.random() < 0.15:
                day = due.due + timedelta(days=rng.randint(1, 7))
            sent = at_local(day, time(10, 0))
            if sent > now:
                continue
            act.reports.append(
                {
                    "unit_code": u["code"],
                    "report_type": due.report_type.code,
                    "period": due.period.key,
                    "due_on": due.due,
                    "sent_at": sent,
                    "document_file_id": None,
                    "document_name": None,
                    "confirmed_by": None,
                }
            )
    return act


def _chunks(rows: list[dict[str, Any]], size: int = BATCH) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def load(
    db: Database, org: SyntheticOrg, activity: Activity | None = None, policy: Policy | None = None
) -> None:
    """Bulk INSERTs of everything, parents before children, in one transaction; then the
    ledger is built from those facts (`chibo ledger rebuild`)."""
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (Unit, org.units),
        (Person, org.people),
        (RoleAssignment, org.roles),
    ]
    if activity is not None:
        tables += [
            (MeetingSchedule, activity.schedules),
            (MeetingRecord, activity.records),
            (QualityRating, activity.ratings),
            (ReportSubmission, activity.reports),
        ]
    with db.transaction() as session:
        for model, rows in tables:
            for chunk in _chunks(rows):
                # Core INSERT (not the ORM bulk path): about twice as fast, same rows.
                session.execute(model.__table__.insert(), chunk)
    ledger.rebuild(db, bench_now(), policy or default_policy())
    if db.engine.dialect.name == "postgresql":
        # Explicit ids were inserted: move the sequences past them, then refresh statistics.
        with db.engine.begin() as connection:
            for table in ("people", "meeting_records"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    else:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def bench_now() -> datetime:
    """09:00 in Hà Nội on Thursday 26/11/2026: after the registration deadline of December."""
    return datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
