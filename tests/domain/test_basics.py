"""Small helpers: text folding, percentages, local time, deadline status, levels."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from fractions import Fraction

import pytest

from domain.errors import UserInputError
from domain.localtime import VN_TZ, at_local, local_date, to_local
from domain.quality import QualityLevel, lower_of
from domain.text_vi import fold, format_percent, parse_yes_no


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Thứ Ba tuần đầu tiên", "thu ba tuan dau tien"),
        ("  ĐẢNG   bộ  ", "dang bo"),
        ("Chủ nhật", "chu nhat"),
        ("hằng tháng", "hang thang"),
        ("mồng 5", "mong 5"),
        ("thu 3 tuan dau", "thu 3 tuan dau"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_handles_decomposed_input() -> None:
    decomposed = "Thu\u031b\u0301 Ba"  # "Thứ Ba" typed with combining marks
    assert fold(decomposed) == "thu ba"


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (Fraction(19, 20), "95%"),
        (Fraction(1), "100%"),
        (Fraction(0), "0%"),
        (Fraction(6, 7), "85,7%"),
        (Fraction(17, 20), "85%"),
        (0.905, "90,5%"),
    ],
)
def test_format_percent(rate: Fraction | float, text: str) -> None:
    assert format_percent(rate) == text


def test_local_time() -> None:
    utc = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    assert to_local(utc) == datetime(2027, 1, 1, 0, 30, tzinfo=VN_TZ)
    assert local_date(utc) == date(2027, 1, 1)  # New Year has begun in Hà Nội
    assert local_date(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == date(2026, 12, 31)
    other = timezone(timedelta(hours=-5))
    assert local_date(datetime(2026, 6, 1, 20, 0, tzinfo=other)) == date(2026, 6, 2)
    moment = at_local(date(2026, 12, 5), time(14, 0))
    assert moment.astimezone(UTC) == datetime(2026, 12, 5, 7, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        to_local(datetime(2026, 12, 5, 14, 0))


def test_quality_levels() -> None:
    assert [level.label_vi for level in QualityLevel] == ["Tốt", "Khá", "Trung bình", "Kém"]
    assert QualityLevel("trung_binh") is QualityLevel.TRUNG_BINH
    assert QualityLevel.TOT.rank > QualityLevel.KHA.rank > QualityLevel.TRUNG_BINH.rank
    assert QualityLevel.TRUNG_BINH.rank > QualityLevel.KEM.rank
    assert lower_of(QualityLevel.TOT, QualityLevel.KHA) == QualityLevel.KHA
    assert lower_of(QualityLevel.KEM, QualityLevel.KHA) == QualityLevel.KEM


@pytest.mark.parametrize("typed", ["có", "Có", " co ", "c", "yes", "1"])
def test_typed_yes(typed: str) -> None:
    assert parse_yes_no(typed) is True


@pytest.mark.parametrize("typed", ["không", "KHONG", "k", "no", "0"])
def test_typed_no(typed: str) -> None:
    assert parse_yes_no(typed) is False


def test_neither_yes_nor_no_asks_for_a_button() -> None:
    with pytest.raises(UserInputError, match=r"^Vui lòng chọn Có hoặc Không\.$"):
        parse_yes_no("có lẽ")
