"""services.duties: what is due per unit, for one unit or all, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from domain.meeting_kinds import MeetingKind
from domain.periods import Month, Quarter
from domain.policy import Policy
from services.clock import ManualClock
from services.duties import duties_for_units
from storage.db import Database
from tests.scheduler.helpers import (
    local,
    record,
    register,
    settle_month,
    submit_all_reports,
    submit_report,
)


@contextmanager
def count_queries(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_what_is_due_for_one_unit(
    db: Database, clock: ManualClock, policy: Policy, demo_org: None
) -> None:
    settle_month(db, "2026-12", now=clock.now(), skip=("VPUBND-01", "NTM"))
    register(db, "VPUBND-01", "2026-12", local("2026-12-05 14:00"), now=clock.now())
    register(db, "NTM", "2026-12", local("2026-12-23 14:00"), now=clock.now())
    register(
        db,
        "NTM",
        "2026-12",
        local("2026-12-18 09:00"),
        now=clock.now(),
        kind=MeetingKind.THEMATIC,
    )
    record(
        db,
        "NTM",
        "2026-12",
        now=clock.now(),
        kind=MeetingKind.THEMATIC,
        held_on=date(2026, 12, 18),
    )
    submit_report(db, "NTM", "monthly", "2026-12", date(2026, 12, 20), clock.now())
    now = local("2026-12-22 10:00")
    with db.transaction() as session:
        found = duties_for_units(session, ["VPUBND-01", "NTM"], now, policy)
    cell = found["VPUBND-01"]
    assert [(r.month, r.due) for r in cell.registrations] == [(Month(2027, 1), date(2026, 12, 25))]
    assert [(r.kind, r.month) for r in cell.records] == [(MeetingKind.REGULAR, Month(2026, 12))]
    assert cell.reports == []  # a sub-cell does not send the periodic reports
    ntm = found["NTM"]
    assert [(m.kind, m.local_day) for m in ntm.meetings] == [
        (MeetingKind.REGULAR, date(2026, 12, 23))
    ]
    assert [(r.kind, r.held_on) for r in ntm.ratings] == [
        (MeetingKind.THEMATIC, date(2026, 12, 18))
    ]
    assert [(r.report_type, r.period) for r in ntm.reports] == [("quarterly", Quarter(2026, 4))]
    assert ntm.reports[0].days_late(now.date()) == 7


def test_scope_forms_agree_and_empty_units_can_be_listed(
    db: Database, clock: ManualClock, policy: Policy, demo_org: None
) -> None:
    now = local("2026-12-22 10:00")
    with db.transaction() as session:
        everything = duties_for_units(session, None, now, policy)
        cluster = duties_for_units(session, "/DUK/C2/", now, policy)
        one = duties_for_units(session, "VPUBND-01", now, policy)
        listed = duties_for_units(session, sorted(cluster), now, policy)
        many = duties_for_units(
            session, [*sorted(everything), *(f"X{i}" for i in range(3000))], now, policy
        )
    assert len(everything) == 283  # every unit that holds meetings
    assert set(cluster) == {c for c, d in everything.items() if d.unit.path.startswith("/DUK/C2/")}
    assert set(one) == {"VPUBND-01"} and one["VPUBND-01"] == everything["VPUBND-01"]
    assert listed == cluster
    assert many == everything  # a long list is filtered in Python, not in SQL
    settle_month(db, "2026-12", now=clock.now())
    submit_all_reports(db, "monthly", "2026-11", date(2026, 11, 20), clock.now())
    submit_all_reports(db, "annual", "2026", date(2026, 11, 15), clock.now())
    with db.transaction() as session:
        none_due = duties_for_units(session, "/DUK/C2/", local("2026-12-05 10:00"), policy)
        with_empty = duties_for_units(
            session, "/DUK/C2/", local("2026-12-05 10:00"), policy, include_empty=True
        )
    assert none_due == {} and len(with_empty) == 44
    assert all(d.empty for d in with_empty.values())


def test_a_fixed_number_of_queries_whatever_the_number_of_units(
    db: Database, clock: ManualClock, policy: Policy, demo_org: None
) -> None:
    now = local("2026-12-22 10:00")
    with db.transaction() as session:
        duties_for_units(session, "VPUBND-01", now, policy)  # warm up
        with count_queries(db) as one:
            duties_for_units(session, "VPUBND-01", now, policy)
        with count_queries(db) as everything:
            duties_for_units(session, None, now, policy)
    assert len(one) == len(everything) <= 12
