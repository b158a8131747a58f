from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from domain.compliance import (
    DutyStatus,
    HeldMeeting,
    MonthActivity,
    Problem,
    assess_month,
    attendance_rate,
    meets_attendance_target,
    registration_due,
    registration_status,
    thematic_status,
)
from domain.deadlines import DeadlineStatus
from domain.meeting_kinds import MeetingKind
from domain.periods import Month, Quarter
from domain.policy import Policy

NOV = Month(2026, 11)
REGULAR, COMMITTEE, THEMATIC = MeetingKind.REGULAR, MeetingKind.COMMITTEE, MeetingKind.THEMATIC


def regular(day: date, present: int | None = 19, members: int | None = 20) -> HeldMeeting:
    return HeldMeeting(REGULAR, day, present, members)


@pytest.mark.parametrize(
    ("month", "due"),
    [
        (Month(2026, 12), date(2026, 11, 25)),
        (Month(2027, 1), date(2026, 12, 25)),  # December → January
        (Month(2027, 3), date(2027, 2, 25)),
    ],
)
def test_registration_due(policy: Policy, month: Month, due: date) -> None:
    assert registration_due(policy, month) == due


def test_registration_due_day_clamps_in_february(raw_policy: dict[str, Any]) -> None:
    raw_policy["registration"]["due_day"] = 30
    policy = Policy.from_dict(raw_policy)
    assert registration_due(policy, Month(2027, 3)) == date(2027, 2, 28)
    assert registration_due(policy, Month(2028, 3)) == date(2028, 2, 29)
    assert registration_due(policy, Month(2026, 12)) == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("registered_on", "today", "status"),
    [
        (date(2026, 11, 20), date(2026, 11, 26), DeadlineStatus.ON_TIME),
        (date(2026, 11, 25), date(2026, 11, 26), DeadlineStatus.ON_TIME),
        (date(2026, 11, 27), date(2026, 11, 28), DeadlineStatus.LATE),
        (None, date(2026, 11, 25), DeadlineStatus.PENDING),
        (None, date(2026, 11, 26), DeadlineStatus.MISSING),
    ],
)
def test_registration_status(
    policy: Policy, registered_on: date | None, today: date, status: DeadlineStatus
) -> None:
    assert registration_status(policy, Month(2026, 12), registered_on, today) == status


def test_compliant_month(policy: Policy) -> None:
    activity = MonthActivity(
        NOV,
        has_committee=True,
        registered_on=date(2026, 10, 20),
        meetings=(regular(date(2026, 11, 3)), HeldMeeting(COMMITTEE, date(2026, 11, 2))),
    )
    result = assess_month(policy, activity, today=date(2026, 12, 10))
    assert result.compliant
    assert result.problems == ()
    assert result.registration == DeadlineStatus.ON_TIME
    assert (result.regular, result.committee) == (DutyStatus.DONE, DutyStatus.DONE)
    assert result.attendance_rate == Fraction(19, 20)
    assert result.attendance_ok is True
    assert result.final


def test_month_in_progress_is_pending_not_failing(policy: Policy) -> None:
    activity = MonthActivity(NOV, has_committee=False, registered_on=date(2026, 10, 25))
    result = assess_month(policy, activity, today=date(2026, 11, 15))
    assert result.regular == DutyStatus.PENDING
    assert result.committee == DutyStatus.NOT_REQUIRED
    assert result.attendance_rate is None
    assert result.attendance_ok is None
    assert result.compliant
    assert not result.final


def test_month_over_without_meetings(policy: Policy) -> None:
    activity = MonthActivity(NOV, has_committee=True, registered_on=None)
    result = assess_month(policy, activity, today=date(2026, 12, 1))
    assert result.problems == (
        Problem.REGISTRATION_MISSING,
        Problem.REGULAR_MISSING,
        Problem.COMMITTEE_MISSING,
    )
    assert not result.compliant
    assert not result.final  # records may still arrive until 05/12
    assert assess_month(policy, activity, today=date(2026, 12, 5)).final is False
    assert assess_month(policy, activity, today=date(2026, 12, 6)).final is True


def test_last_day_of_month_is_still_pending(policy: Policy) -> None:
    activity = MonthActivity(Month(2027, 2), has_committee=False, registered_on=date(2027, 1, 2))
    assert assess_month(policy, activity, date(2027, 2, 28)).regular == DutyStatus.PENDING
    assert assess_month(policy, activity, date(2027, 3, 1)).regular == DutyStatus.MISSING
    leap = MonthActivity(Month(2028, 2), has_committee=False, registered_on=date(2028, 1, 2))
    assert assess_month(policy, leap, date(2028, 2, 29)).regular == DutyStatus.PENDING
    assert assess_month(policy, leap, date(2028, 3, 1)).regular == DutyStatus.MISSING


def test_excused_meetings(policy: Policy) -> None:
    activity = MonthActivity(
        NOV,
        has_committee=True,
        registered_on=date(2026, 10, 25),
        excused=frozenset({REGULAR, COMMITTEE}),
    )
    result = assess_month(policy, activity, today=date(2026, 12, 10))
    assert (result.regular, result.committee) == (DutyStatus.EXCUSED, DutyStatus.EXCUSED)
    assert result.problems == (Problem.REGULAR_EXCUSED, Problem.COMMITTEE_EXCUSED)
    assert result.regular.label_vi == "Không tổ chức, có lý do"


def test_meetings_in_other_months_do_not_count(policy: Policy) -> None:
    activity = MonthActivity(
        NOV,
        has_committee=False,
        registered_on=date(2026, 10, 25),
        meetings=(regular(date(2026, 10, 31)), regular(date(2026, 12, 1))),
    )
    result = assess_month(policy, activity, today=date(2026, 12, 10))
    assert result.regular == DutyStatus.MISSING
    assert result.attendance_rate is None


def test_base_committee_holds_committee_meetings_only(policy: Policy) -> None:
    activity = MonthActivity(
        NOV,
        has_committee=True,
        holds_regular=False,
        registered_on=date(2026, 10, 25),
        meetings=(HeldMeeting(COMMITTEE, date(2026, 11, 30)),),
    )
    result = assess_month(policy, activity, today=date(2026, 12, 10))
    assert result.regular == DutyStatus.NOT_REQUIRED
    assert result.committee == DutyStatus.DONE
    assert result.compliant


@pytest.mark.parametrize(
    ("present", "members", "ok"),
    [(19, 20, True), (20, 20, True), (37, 39, False), (18, 20, False)],
)
def test_attendance_against_target(policy: Policy, present: int, members: int, ok: bool) -> None:
    activity = MonthActivity(
        NOV,
        has_committee=False,
        registered_on=date(2026, 10, 25),
        meetings=(regular(date(2026, 11, 3), present, members),),
    )
    result = assess_month(policy, activity, today=date(2026, 12, 10))
    assert result.attendance_ok is ok
    assert (Problem.ATTENDANCE_BELOW_TARGET in result.problems) is not ok


def test_attendance_is_pooled_over_regular_meetings_with_figures(policy: Policy) -> None:
    activity = MonthActivity(
        NOV,
        has_committee=False,
        registered_on=date(2026, 10, 25),
        meetings=(
            regular(date(2026, 11, 3), 10, 10),
            regular(date(2026, 11, 20), 8, 10),
            regular(date(2026, 11, 25), None, None),
            HeldMeeting(THEMATIC, date(2026, 11, 10), 1, 10),
        ),
    )
    result = assess_month(policy, activity, today=date(2026, 12, 10))
    assert result.attendance_rate == Fraction(18, 20)


def test_late_registration_is_a_problem(policy: Policy) -> None:
    activity = MonthActivity(
        NOV,
        has_committee=False,
        registered_on=date(2026, 10, 28),
        meetings=(regular(date(2026, 11, 3)),),
    )
    result = assess_month(policy, activity, today=date(2026, 11, 10))
    assert result.registration == DeadlineStatus.LATE
    assert result.problems == (Problem.REGISTRATION_LATE,)
    assert Problem.REGISTRATION_LATE.label_vi == "Đăng ký lịch sinh hoạt chậm"


def test_thematic_once_per_quarter() -> None:
    q4 = Quarter(2026, 4)
    held = (HeldMeeting(THEMATIC, date(2026, 10, 1)),)
    assert thematic_status(q4, held, date(2026, 10, 2)) == DutyStatus.DONE
    assert thematic_status(q4, (), date(2026, 12, 31)) == DutyStatus.PENDING
    assert thematic_status(q4, (), date(2027, 1, 1)) == DutyStatus.MISSING
    assert thematic_status(q4, (), date(2027, 1, 1), excused=True) == DutyStatus.EXCUSED
    # Held at the end of the previous quarter, or a regular meeting: does not count.
    other = (HeldMeeting(THEMATIC, date(2026, 9, 30)), regular(date(2026, 11, 3)))
    assert thematic_status(q4, other, date(2027, 1, 1)) == DutyStatus.MISSING
    q1 = Quarter(2028, 1)
    leap_day = (HeldMeeting(THEMATIC, date(2028, 2, 29)),)
    assert thematic_status(q1, leap_day, date(2028, 4, 1)) == DutyStatus.DONE


def test_attendance_helpers(policy: Policy) -> None:
    assert attendance_rate(19, 20) == Fraction(19, 20)
    assert meets_attendance_target(policy, Fraction(19, 20))
    assert not meets_attendance_target(policy, Fraction(94, 100))
    for present, members in ((1, 0), (-1, 5), (6, 5)):
        with pytest.raises(ValueError):
            attendance_rate(present, members)
