"""domain.obligations: which obligations a unit has, when they are due, their status."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.derivation import derive
from domain.ledger_facts import (
    LedgerUnit,
    RecordFact,
    ScheduleFact,
    Selection,
    Span,
    UnitFacts,
    selection_between,
    selection_of_month,
)
from domain.localtime import at_local
from domain.meeting_kinds import MeetingKind
from domain.obligations import (
    Obligation,
    ObligationKind,
    Resolution,
    Status,
    end_of_day,
    registration_due,
)
from domain.org import UnitKind
from domain.periods import Month, Quarter
from domain.policy import Policy
from domain.todo import Action, todo
from domain.windows import window_at

R, C, T = MeetingKind.REGULAR, MeetingKind.COMMITTEE, MeetingKind.THEMATIC
K = ObligationKind
CELL = LedgerUnit("VP-01", UnitKind.SUB_CELL)
BASE_CELL = LedgerUnit("NTM", UnitKind.BASE_CELL)
COMMITTEE = LedgerUnit("TNMT", UnitKind.BASE_COMMITTEE)
SPAN = Span(date(2026, 10, 1), date(2026, 12, 1))


def local(y: int, m: int, d: int, h: int = 9) -> datetime:
    return at_local(date(y, m, d), datetime(2000, 1, 1, h).time())


NO_FACTS = UnitFacts()


def obligations(
    unit: LedgerUnit, policy: Policy, facts: UnitFacts = NO_FACTS, span: Span = SPAN
) -> dict[tuple[ObligationKind, str, str], Obligation]:
    first = span.start.replace(year=span.start.year - 2)
    selection = selection_between(policy, first, span.today)
    return {(o.kind, o.subject, o.period): o for o in derive(unit, policy, span, selection, facts)}


@pytest.mark.parametrize(
    ("done_on", "today", "status"),
    [
        (None, date(2026, 12, 31), Status.PENDING),  # the due day itself still counts
        (None, date(2027, 1, 1), Status.MISSING),
        (date(2026, 12, 31), date(2027, 3, 1), Status.ON_TIME),
        (date(2027, 1, 1), date(2027, 1, 1), Status.LATE),
    ],
)
def test_status_boundaries(done_on: date | None, today: date, status: Status) -> None:
    o = Obligation("X", K.REPORT, "monthly", "2026-12", date(2026, 12, 31))
    if done_on is not None:
        o = Obligation(
            "X",
            K.REPORT,
            "monthly",
            "2026-12",
            date(2026, 12, 31),
            Resolution.DONE,
            done_on=done_on,
            resolved_at=at_local(done_on, datetime(2000, 1, 1, 10).time()),
        )
    assert o.status_at(today, end_of_day(today)) == status


def test_a_fact_counts_only_once_it_is_known() -> None:
    o = Obligation(
        "X",
        K.MEETING,
        "regular",
        "2026-11",
        date(2026, 11, 30),
        Resolution.DONE,
        done_on=date(2026, 11, 20),
        resolved_at=local(2026, 12, 2),  # recorded after the month ended
    )
    assert o.status_at(date(2026, 12, 1), end_of_day(date(2026, 12, 1))) == Status.MISSING
    assert o.status_at(date(2026, 12, 2), end_of_day(date(2026, 12, 2))) == Status.ON_TIME
    assert o.status(local(2026, 12, 2, 8)) == Status.ON_TIME  # as of the end of today


def test_recorded_not_held_is_missing_or_excused_at_once() -> None:
    failed = Obligation(
        "X", K.MEETING, "regular", "2026-12", date(2026, 12, 31), Resolution.FAILED,
        resolved_at=local(2026, 12, 3),
    )  # fmt: skip
    excused = Obligation(
        "X", K.MEETING, "regular", "2026-12", date(2026, 12, 31), Resolution.EXCUSED,
        resolved_at=local(2026, 12, 3),
    )  # fmt: skip
    assert failed.status(local(2026, 12, 4)) == Status.MISSING
    assert excused.status(local(2026, 12, 4)) == Status.EXCUSED


def test_due_dates(policy: Policy) -> None:
    found = obligations(CELL, policy)
    assert found[(K.REGISTRATION, "regular", "2026-12")].due_on == date(2026, 11, 25)
    assert found[(K.MEETING, "regular", "2026-11")].due_on == date(2026, 11, 30)
    assert found[(K.THEMATIC, "thematic", "2026-Q4")].due_on == date(2026, 12, 31)
    assert registration_due(policy, Month(2027, 3)) == date(2027, 2, 25)


def test_what_each_kind_of_unit_owes(policy: Policy) -> None:
    cell = obligations(CELL, policy)
    assert {k for k, _, _ in cell} == {K.REGISTRATION, K.MEETING, K.THEMATIC}
    base = obligations(BASE_CELL, policy)
    assert {k for k, _, _ in base} == {K.REGISTRATION, K.MEETING, K.THEMATIC, K.REPORT}
    committee = obligations(COMMITTEE, policy)
    assert {(k, s) for k, s, _ in committee if k != K.REPORT} == {
        (K.REGISTRATION, "committee"),
        (K.MEETING, "committee"),
    }
    assert obligations(LedgerUnit("C1", UnitKind.CLUSTER), policy) == {}
    assert obligations(LedgerUnit("OLD", UnitKind.SUB_CELL, active=False), policy) == {}


def test_span_bounds_what_is_owed(policy: Policy) -> None:
    found = obligations(BASE_CELL, policy)
    # Due before the ledger starts: not owed. Opened by today: owed, even if due later.
    assert (K.REGISTRATION, "regular", "2026-10") not in found  # due 25/09
    assert (K.REGISTRATION, "regular", "2026-11") in found  # due 25/10
    assert (K.REGISTRATION, "regular", "2027-01") in found  # opens 01/12, due 25/12
    assert (K.MEETING, "regular", "2027-01") in found  # planned from 01/12 on
    assert (K.REGISTRATION, "regular", "2027-02") not in found  # opens 01/01
    assert (K.REPORT, "monthly", "2026-12") in found  # opens 01/12
    assert (K.REPORT, "annual", "2026") in found  # due 15/11, inside the span
    assert (K.REPORT, "six_month", "2026-H1") not in found  # due 15/06, before it


def test_facts_resolve_obligations(policy: Policy) -> None:
    def schedule(sid: int, registered: datetime, planned: datetime, off: bool) -> ScheduleFact:
        return ScheduleFact(sid, registered, planned, off, registered)

    facts = UnitFacts(
        schedules={
            (R, "2026-12"): schedule(1, local(2026, 11, 26), local(2026, 12, 5, 14), False),
            (R, "2026-11"): schedule(2, local(2026, 10, 20), local(2026, 11, 5, 14), True),
            (T, "2026-12"): schedule(3, local(2026, 11, 2), local(2026, 12, 18, 9), False),
        },
        records={
            (R, "2026-10"): RecordFact(
                10, True, local(2026, 10, 12), date(2026, 10, 10), rating_id=5,
                rated_at=local(2026, 10, 13),
            ),
            (R, "2026-11"): RecordFact(
                11, False, local(2026, 11, 29), excused=True, reason="Lũ lụt"
            ),
            (T, "2026-10"): RecordFact(12, True, local(2026, 10, 21), date(2026, 10, 20)),
        },
    )  # fmt: skip
    found = obligations(CELL, policy, facts)
    dec_reg = found[(K.REGISTRATION, "regular", "2026-12")]
    assert (dec_reg.resolution, dec_reg.done_on) == (Resolution.DONE, date(2026, 11, 26))
    assert dec_reg.status(local(2026, 12, 1)) == Status.LATE
    assert found[(K.MEETING, "regular", "2026-12")].planned_at == local(2026, 12, 5, 14)
    october = found[(K.MEETING, "regular", "2026-10")]
    assert (october.resolution, october.done_on) == (Resolution.DONE, date(2026, 10, 10))
    assert found[(K.RATING, "regular", "2026-10")].resolution == Resolution.DONE
    november = found[(K.MEETING, "regular", "2026-11")]
    assert (november.resolution, november.note) == (Resolution.EXCUSED, "Lũ lụt")
    assert november.planned_at is None  # recorded: nothing left to hold
    assert (K.RATING, "regular", "2026-11") not in found  # not held, nothing to rate
    thematic = found[(K.THEMATIC, "thematic", "2026-Q4")]
    assert thematic.resolution == Resolution.DONE and thematic.done_on == date(2026, 10, 20)
    # A second thematic meeting is still planned: it is still reminded.
    assert thematic.planned_at == local(2026, 12, 18, 9)


def test_a_cancelled_meeting_waits_for_a_new_date(policy: Policy) -> None:
    facts = UnitFacts(
        schedules={
            (R, "2026-12"): ScheduleFact(
                1, local(2026, 11, 20), local(2026, 12, 5, 14), True, local(2026, 12, 2)
            )
        }
    )
    meeting = obligations(CELL, policy, facts, Span(SPAN.start, date(2026, 12, 3)))[
        (K.MEETING, "regular", "2026-12")
    ]
    assert (meeting.planned_at, meeting.since) == (None, local(2026, 12, 2))
    overdue, soon = todo(
        [meeting], window_at(policy, date(2026, 12, 3)), local(2026, 12, 3), soon_days=7
    )
    assert overdue == [] and len(soon) == 1
    assert soon[0].rescheduling and soon[0].action == Action.SCHEDULE


def test_window_turns_over(policy: Policy) -> None:
    w = window_at(policy, date(2026, 11, 24))
    assert (w.registration_month, w.meeting_month) == (Month(2026, 11), Month(2026, 11))
    w = window_at(policy, date(2026, 11, 25))
    assert w.registration_month == Month(2026, 12)
    w = window_at(policy, date(2026, 12, 5))  # November still open for recording
    assert (w.meeting_month, w.quarter) == (Month(2026, 11), Quarter(2026, 4))
    w = window_at(policy, date(2026, 12, 6))
    assert w.meeting_month == Month(2026, 12)
    assert [r.period.key for r in w.reports] == ["2026-11", "2026-Q3", "2026-H1", "2026"]


def test_overdue_is_the_window_missing_and_soon_is_what_can_be_done(policy: Policy) -> None:
    now = local(2026, 12, 1, 10)
    rows = [
        Obligation("X", K.REGISTRATION, "regular", "2026-12", date(2026, 11, 25)),
        Obligation("X", K.MEETING, "regular", "2026-11", date(2026, 11, 30)),
        # Out of the window: missing, but no longer anyone's to-do.
        Obligation("X", K.MEETING, "regular", "2026-09", date(2026, 9, 30)),
        Obligation("X", K.REGISTRATION, "regular", "2027-01", date(2026, 12, 25)),
        Obligation("X", K.REPORT, "monthly", "2026-12", date(2026, 12, 7)),
        Obligation(
            "X", K.RATING, "regular", "2026-11", date(2026, 12, 5), since=local(2026, 11, 28)
        ),
    ]
    overdue, soon = todo(rows, window_at(policy, date(2026, 12, 1)), now, soon_days=7)
    assert [(t.obligation.kind, t.obligation.period, t.days_late) for t in overdue] == [
        (K.REGISTRATION, "2026-12", 6),
        (K.MEETING, "2026-11", 1),
    ]
    assert [t.action for t in overdue] == [Action.SCHEDULE, Action.RECORD]
    assert [(t.obligation.kind, t.obligation.period) for t in soon] == [
        (K.RATING, "2026-11"),
        (K.REPORT, "2026-12"),
    ]


def test_selection_covers_what_opens(policy: Policy) -> None:
    s = selection_between(policy, date(2026, 12, 1), date(2026, 12, 1))
    # On 1 December: December's meetings, January's registration, December's report.
    assert s.months == frozenset({Month(2026, 12), Month(2027, 1)})
    assert s.quarters == frozenset({Quarter(2027, 1)})  # its meetings are planned from now on
    assert s.reports == frozenset({("monthly", "2026-12")})
    assert selection_of_month(Month(2026, 11)) == Selection(
        frozenset({Month(2026, 11)}), frozenset({Quarter(2026, 4)})
    )


def test_end_of_day_is_local_midnight() -> None:
    assert end_of_day(date(2026, 12, 1)) == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def test_a_selection_cut_by_quarter_keeps_every_period_once(policy: Policy) -> None:
    whole = selection_between(policy, date(2025, 1, 1), date(2026, 12, 1))
    parts = list(whole.by_quarter())
    assert len(parts) > 4
    union = Selection()
    for part in parts:
        assert not (union.months & part.months or union.reports & part.reports)
        union = union | part
    assert union == whole
