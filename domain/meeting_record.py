"""A meeting record (held or not, when, who came) and the one check of it.

The bot and the CSV import of past activity both write `RecordInput`s and both
check them here. The bot asks for a complete record and shows the first problem
as a sentence; the import accepts what an old spreadsheet knows (attendance and
duration may be missing) and lists every problem with its column names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.errors import UserInputError
from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from domain.rubric import MeetingFacts


@dataclass(frozen=True)
class RecordInput:
    held: bool
    held_on: date | None = None
    duration_minutes: int | None = None
    present: int | None = None
    total_members: int | None = None
    excused_absent: int | None = None
    higher_attendee: str | None = None
    higher_attendee_code: str | None = None  # a committee member of the policy's list
    theme: str | None = None
    minutes_taken: bool | None = None
    not_held_reason: str | None = None
    not_held_excused: bool | None = None


class Problem(StrEnum):
    NO_REASON = "no_reason"  # not held, and no reason or no excused/unexcused
    NO_DATE = "no_date"
    DATE_OUTSIDE_MONTH = "date_outside_month"
    DATE_IN_FUTURE = "date_in_future"
    NO_ATTENDANCE = "no_attendance"
    PRESENT_OVER_TOTAL = "present_over_total"
    NO_DURATION = "no_duration"
    EXCUSED_OVER_ABSENT = "excused_over_absent"
    NO_THEME = "no_theme"  # a thematic meeting held without its theme


def problems(
    kind: MeetingKind, month: Month, record: RecordInput, today: date, *, complete: bool
) -> Iterator[Problem]:
    """What is wrong with `record` of `kind` in `month`, in the order the bot asks.

    `complete` also requires what the bot always asks for: the reason a meeting was
    not held, the attendance and the duration.
    """
    if not record.held:
        if complete and (
            not (record.not_held_reason or "").strip() or record.not_held_excused is None
        ):
            yield Problem.NO_REASON
        return
    if record.held_on is None:
        yield Problem.NO_DATE
    elif not month.contains(record.held_on):
        yield Problem.DATE_OUTSIDE_MONTH
    elif record.held_on > today:
        yield Problem.DATE_IN_FUTURE
    present, total, excused = record.present, record.total_members, record.excused_absent
    if present is None or total is None:
        if complete:
            yield Problem.NO_ATTENDANCE
    elif present > total:
        yield Problem.PRESENT_OVER_TOTAL
    if complete and not record.duration_minutes:
        yield Problem.NO_DURATION
    if (
        present is not None
        and total is not None
        and excused is not None
        and present <= total
        and not 0 <= excused <= total - present
    ):
        yield Problem.EXCUSED_OVER_ABSENT
    if kind == MeetingKind.THEMATIC and not (record.theme or "").strip():
        yield Problem.NO_THEME


# Found before the rubric's own range checks (MeetingFacts), which the bot shows first.
_BEFORE_FACTS = frozenset(
    {
        Problem.NO_REASON,
        Problem.NO_DATE,
        Problem.DATE_OUTSIDE_MONTH,
        Problem.DATE_IN_FUTURE,
        Problem.NO_ATTENDANCE,
    }
)


def validate(kind: MeetingKind, month: Month, record: RecordInput, today: date) -> None:
    """The bot's check of a complete record: raise UserInputError for its first problem."""
    found = next(problems(kind, month, record, today, complete=True), None)
    if found in _BEFORE_FACTS:
        raise UserInputError(_sentence(found, month, record))
    if record.held:
        facts_of(record)  # checks ranges, with a Vietnamese message
    if found is not None:
        raise UserInputError(_sentence(found, month, record))


def _sentence(problem: Problem, month: Month, record: RecordInput) -> str:
    match problem:
        case Problem.NO_REASON:
            return "Vui lòng nêu lý do không tổ chức và chọn có lý do hay không."
        case Problem.NO_DATE | Problem.DATE_OUTSIDE_MONTH:
            return f"Ngày sinh hoạt phải thuộc tháng {month}."
        case Problem.DATE_IN_FUTURE:
            return "Ngày sinh hoạt chưa tới. Vui lòng ghi nhận sau khi đã sinh hoạt."
        case Problem.NO_ATTENDANCE:
            return "Vui lòng nhập số đảng viên dự và tổng số đảng viên."
        case Problem.NO_DURATION:
            return "Thời lượng sinh hoạt phải lớn hơn 0 phút."
        case Problem.EXCUSED_OVER_ABSENT:
            assert record.total_members is not None and record.present is not None
            absent = record.total_members - record.present
            return f"Số vắng có lý do phải từ 0 đến {absent} (số đảng viên vắng)."
        case Problem.PRESENT_OVER_TOTAL:
            raise AssertionError("MeetingFacts refuses it first, with its own sentence")
        case Problem.NO_THEME:
            return "Vui lòng nhập chủ đề của buổi sinh hoạt chuyên đề."


def facts_of(record: RecordInput) -> MeetingFacts:
    """What the rubric scores of a held meeting with its attendance."""
    assert record.present is not None and record.total_members is not None
    return MeetingFacts(
        record.present,
        record.total_members,
        record.duration_minutes or 0,
        bool(record.minutes_taken),
    )
