"""Numbers as typed on a phone: attendance, member counts, durations (domain/numbers_vi.py)."""

from __future__ import annotations

import pytest

from domain.errors import UserInputError
from domain.numbers_vi import parse_attendance, parse_count, parse_duration, parse_excused
from domain.text_vi import fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18", (18, 20)),
        ("18/20", (18, 20)),
        ("18 / 20", (18, 20)),
        ("18 người", (18, 20)),
        ("18 đ/c", (18, 20)),
        ("18 đồng chí", (18, 20)),
        ("18 đảng viên", (18, 20)),
        ("có 18", (18, 20)),
        ("đủ", (20, 20)),
        ("Đủ", (20, 20)),
        ("đủ cả", (20, 20)),
        ("đông đủ", (20, 20)),
        ("tất cả", (20, 20)),
        ("đủ 20/20", (20, 20)),
        ("vắng 2", (18, 20)),
        ("vắng 2 người", (18, 20)),
        ("0", (0, 20)),
        ("18/21", (18, 21)),  # the total changed: taken as the new total
    ],
)
def test_attendance(text: str, expected: tuple[int, int]) -> None:
    assert parse_attendance(text, 20, 10_000) == expected
    assert parse_attendance(fold(text), 20, 10_000) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("21", "từ 0 đến 20"),
        ("21/20", "không thể lớn hơn tổng số"),
        ("vắng 25", "không thể vắng 25"),
        ("-1", "số nguyên"),
        ("mười tám", "số nguyên"),
        ("5/0", "Tổng số đảng viên phải từ 1"),
    ],
)
def test_bad_attendance(text: str, fragment: str) -> None:
    with pytest.raises(UserInputError) as error:
        parse_attendance(text, 20, 10_000)
    assert fragment in str(error.value)
    assert "ví dụ: 19 hoặc 19/20" in str(error.value) or "Tổng số" in str(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90", 90),
        ("90 phút", 90),
        ("90p", 90),
        ("90'", 90),
        ("1h30", 90),
        ("1h30p", 90),
        ("1h 30", 90),
        ("1g30", 90),
        ("1:30", 90),
        ("1 tiếng rưỡi", 90),
        ("một tiếng rưỡi", 90),
        ("1 giờ rưỡi", 90),
        ("1 tiếng 30 phút", 90),
        ("1,5 giờ", 90),
        ("1.5h", 90),
        ("2 giờ", 120),
        ("2 tiếng", 120),
        ("hai tiếng", 120),
        ("2h", 120),
        ("2 tiếng kém 15", 105),
        ("nửa tiếng", 30),
        ("45 phút", 45),
    ],
)
def test_durations(text: str, expected: int) -> None:
    assert parse_duration(text) == expected
    assert parse_duration(fold(text)) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("mười", "Thời lượng chưa đúng"), ("2000", "từ 1 đến 1440"), ("0", "từ 1"), ("1h75", "chưa")],
)
def test_bad_durations(text: str, fragment: str) -> None:
    with pytest.raises(UserInputError, match=fragment):
        parse_duration(text)


def test_counts_and_excused() -> None:
    assert parse_count("25 người", 1, 10_000, "Tổng số đảng viên") == 25
    assert parse_count("8 điểm", 0, 10, "Điểm") == 8
    assert parse_excused("cả 2", 2) == 2
    assert parse_excused("tất cả", 3) == 3
    assert parse_excused("không", 3) == 0
    assert parse_excused("không ai", 3) == 0
    assert parse_excused("1 người", 3) == 1
    with pytest.raises(UserInputError, match="từ 0 đến 3"):
        parse_excused("4", 3)
    with pytest.raises(UserInputError, match="số nguyên, ví dụ: 1"):
        parse_count("nhiều", 1, 10_000, "Tổng số đảng viên")
