"""The one check of a meeting record, as the bot asks it and as the import reads it."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import RatingInputError, UserInputError
from domain.meeting_kinds import MeetingKind
from domain.meeting_record import Problem, RecordInput, problems, validate
from domain.periods import Month

NOV = Month(2026, 11)
TODAY = date(2026, 11, 20)
HELD = RecordInput(
    held=True, held_on=date(2026, 11, 5), duration_minutes=90, present=10, total_members=12
)


def found(record: RecordInput, *, complete: bool, kind: MeetingKind = MeetingKind.REGULAR):
    return list(problems(kind, NOV, record, TODAY, complete=complete))


def test_a_complete_record_passes() -> None:
    assert found(HELD, complete=True) == []
    validate(MeetingKind.REGULAR, NOV, HELD, TODAY)


def test_the_import_accepts_what_an_old_sheet_lacks() -> None:
    partial = RecordInput(held=True, held_on=date(2026, 11, 5))
    assert found(partial, complete=False) == []
    assert found(partial, complete=True) == [Problem.NO_ATTENDANCE, Problem.NO_DURATION]
    assert found(RecordInput(held=False), complete=False) == []
    assert found(RecordInput(held=False), complete=True) == [Problem.NO_REASON]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"held_on": None}, Problem.NO_DATE),
        ({"held_on": date(2026, 10, 31)}, Problem.DATE_OUTSIDE_MONTH),
        ({"held_on": date(2026, 11, 21)}, Problem.DATE_IN_FUTURE),
        ({"present": 13}, Problem.PRESENT_OVER_TOTAL),
        ({"excused_absent": 3}, Problem.EXCUSED_OVER_ABSENT),
    ],
)
def test_both_callers_see_the_same_rules(changes: dict[str, object], problem: Problem) -> None:
    record = RecordInput(**{**HELD.__dict__, **changes})
    assert found(record, complete=False) == [problem]
    assert found(record, complete=True) == [problem]


def test_a_thematic_meeting_held_needs_its_theme() -> None:
    assert found(HELD, complete=False, kind=MeetingKind.THEMATIC) == [Problem.NO_THEME]
    themed = RecordInput(**{**HELD.__dict__, "theme": "Nghị quyết Đại hội"})
    assert found(themed, complete=True, kind=MeetingKind.THEMATIC) == []


def test_the_bot_says_the_first_problem_as_a_sentence() -> None:
    late = RecordInput(**{**HELD.__dict__, "held_on": date(2026, 10, 31), "excused_absent": 5})
    with pytest.raises(UserInputError, match=r"^Ngày sinh hoạt phải thuộc tháng 11/2026\.$"):
        validate(MeetingKind.REGULAR, NOV, late, TODAY)
    excused = RecordInput(**{**HELD.__dict__, "excused_absent": 3})
    with pytest.raises(UserInputError, match=r"từ 0 đến 2 \(số đảng viên vắng\)"):
        validate(MeetingKind.REGULAR, NOV, excused, TODAY)


def test_the_rubric_range_check_comes_before_duration_and_excused() -> None:
    over = RecordInput(**{**HELD.__dict__, "present": 13, "duration_minutes": 0})
    with pytest.raises(RatingInputError, match="Số đảng viên dự \\(13\\) phải từ 0 đến"):
        validate(MeetingKind.REGULAR, NOV, over, TODAY)
