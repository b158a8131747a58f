"""What counts as compliant for a unit in a month (and for thematic meetings, a quarter).

Pure functions over small dataclasses; the weekly digest and the "what is due?"
view build their lists from these results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction

from domain.deadlines import DeadlineStatus, deadline_status
from domain.meeting_kinds import MeetingKind
from domain.periods import Month, Quarter, edit_window_closes
from domain.policy import Policy


class DutyStatus(StrEnum):
    """Whether a meeting that must happen in a period happened."""

    DONE = "done"
    PENDING = "pending"  # not held yet, but the period is not over
    MISSING = "missing"  # the period is over and it was not held, without a reason
    EXCUSED = "excused"  # not held, with an accepted reason (có lý do)
    NOT_REQUIRED = "not_required"  # e.g. a committee meeting for a cell without a committee

    @property
    def label_vi(self) -> str:
        return _DUTY_LABELS[self]


_DUTY_LABELS = {
    DutyStatus.DONE: "Đã tổ chức",
    DutyStatus.PENDING: "Chưa tổ chức",
    DutyStatus.MISSING: "Không tổ chức, không có lý do",
    DutyStatus.EXCUSED: "Không tổ chức, có lý do",
    DutyStatus.NOT_REQUIRED: "Không áp dụng",
}


class Problem(StrEnum):
    """One reason a month is not compliant; codes for queries, labels for lists."""

    REGISTRATION_LATE = "registration_late"
    REGISTRATION_MISSING = "registration_missing"
    REGULAR_MISSING = "regular_missing"
    REGULAR_EXCUSED = "regular_excused"
    COMMITTEE_MISSING = "committee_missing"
    COMMITTEE_EXCUSED = "committee_excused"
    ATTENDANCE_BELOW_TARGET = "attendance_below_target"

    @property
    def label_vi(self) -> str:
        return _PROBLEM_LABELS[self]


_PROBLEM_LABELS = {
    Problem.REGISTRATION_LATE: "Đăng ký lịch sinh hoạt chậm",
    Problem.REGISTRATION_MISSING: "Không đăng ký lịch sinh hoạt",
    Problem.REGULAR_MISSING: "Không sinh hoạt chi bộ thường kỳ, không có lý do",
    Problem.REGULAR_EXCUSED: "Không sinh hoạt chi bộ thường kỳ, có lý do",
    Problem.COMMITTEE_MISSING: "Không sinh hoạt cấp ủy, không có lý do",
    Problem.COMMITTEE_EXCUSED: "Không sinh hoạt cấp ủy, có lý do",
    Problem.ATTENDANCE_BELOW_TARGET: "Tỷ lệ đảng viên dự sinh hoạt dưới chỉ tiêu",
}


@dataclass(frozen=True)
class HeldMeeting:
    """A meeting that took place; attendance is optional (committee meetings may omit it)."""

    kind: MeetingKind
    held_on: date
    present: int | None = None
    total_members: int | None = None


@dataclass(frozen=True)
class MonthActivity:
    """What a unit did for one month, as the storage layer knows it.

    `holds_regular` is False for a base committee (its sub-cells hold the regular
    meetings); `has_committee` is True for a base committee and for a cell that
    has elected a chi ủy. `excused` lists meeting kinds not held with an accepted reason.
    """

    month: Month
    has_committee: bool
    registered_on: date | None  # local date the month's schedule was registered
    meetings: tuple[HeldMeeting, ...] = ()
    excused: frozenset[MeetingKind] = field(default_factory=frozenset)
    holds_regular: bool = True


@dataclass(frozen=True)
class MonthCompliance:
    month: Month
    registration: DeadlineStatus
    regular: DutyStatus
    committee: DutyStatus
    attendance_rate: Fraction | None  # of the regular meeting(s); None if unknown
    attendance_ok: bool | None  # rate >= target; None if unknown
    final: bool  # the month's edit window has closed, so this will not change
    problems: tuple[Problem, ...]

    @property
    def compliant(self) -> bool:
        """No problem so far (pending duties are not problems yet; see `final`)."""
        return not self.problems


def registration_due(policy: Policy, month: Month) -> date:
    """When the schedule for `month` must be registered (default: the 25th of the month before)."""
    rule = policy.registration
    return month.plus(rule.due_month_offset).day(rule.due_day)


def registration_status(
    policy: Policy, month: Month, registered_on: date | None, today: date
) -> DeadlineStatus:
    return deadline_status(registration_due(policy, month), registered_on, today)


def attendance_rate(present: int, total_members: int) -> Fraction:
    if total_members <= 0 or not 0 <= present <= total_members:
        raise ValueError(f"bad attendance {present}/{total_members}")
    return Fraction(present, total_members)


def meets_attendance_target(policy: Policy, rate: Fraction) -> bool:
    return rate >= policy.attendance_target


def meeting_status(
    kind: MeetingKind,
    period_first: date,
    period_last: date,
    meetings: Iterable[HeldMeeting],
    today: date,
    excused: bool = False,
) -> DutyStatus:
    """Whether a meeting of `kind` was held between the two dates (inclusive)."""
    if any(m.kind == kind and period_first <= m.held_on <= period_last for m in meetings):
        return DutyStatus.DONE
    if excused:
        return DutyStatus.EXCUSED
    return DutyStatus.PENDING if today <= period_last else DutyStatus.MISSING


def thematic_status(
    quarter: Quarter, meetings: Iterable[HeldMeeting], today: date, excused: bool = False
) -> DutyStatus:
    """Sinh hoạt chuyên đề: at least once in the quarter."""
    return meeting_status(
        MeetingKind.THEMATIC, quarter.first_day, quarter.last_day, meetings, today, excused
    )


def assess_month(policy: Policy, activity: MonthActivity, today: date) -> MonthCompliance:
    """Registration, regular and committee meetings and attendance for one month."""
    month = activity.month
    meetings = activity.meetings

    def status(kind: MeetingKind, required: bool) -> DutyStatus:
        if not required:
            return DutyStatus.NOT_REQUIRED
        excused = kind in activity.excused
        return meeting_status(kind, month.first_day, month.last_day, meetings, today, excused)

    registration = registration_status(policy, month, activity.registered_on, today)
    regular = status(MeetingKind.REGULAR, activity.holds_regular)
    committee = status(MeetingKind.COMMITTEE, activity.has_committee)
    rate = _regular_attendance(month, meetings)
    attendance_ok = None if rate is None else meets_attendance_target(policy, rate)

    problems: list[Problem] = []
    if registration == DeadlineStatus.LATE:
        problems.append(Problem.REGISTRATION_LATE)
    elif registration == DeadlineStatus.MISSING:
        problems.append(Problem.REGISTRATION_MISSING)
    problems += _meeting_problems(regular, Problem.REGULAR_MISSING, Problem.REGULAR_EXCUSED)
    problems += _meeting_problems(committee, Problem.COMMITTEE_MISSING, Problem.COMMITTEE_EXCUSED)
    if attendance_ok is False:
        problems.append(Problem.ATTENDANCE_BELOW_TARGET)

    return MonthCompliance(
        month=month,
        registration=registration,
        regular=regular,
        committee=committee,
        attendance_rate=rate,
        attendance_ok=attendance_ok,
        final=today > edit_window_closes(month, policy.edit_grace_days),
        problems=tuple(problems),
    )


def _meeting_problems(status: DutyStatus, missing: Problem, excused: Problem) -> list[Problem]:
    if status == DutyStatus.MISSING:
        return [missing]
    if status == DutyStatus.EXCUSED:
        return [excused]
    return []


def _regular_attendance(month: Month, meetings: Iterable[HeldMeeting]) -> Fraction | None:
    """Attendance over the month's regular meetings that have figures (pooled if several)."""
    present = total = 0
    for m in meetings:
        if (
            m.kind == MeetingKind.REGULAR
            and month.contains(m.held_on)
            and m.present is not None
            and m.total_members
        ):
            present += m.present
            total += m.total_members
    return Fraction(present, total) if total else None
