from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.dates_vi import (
    DateParseError,
    NeedsTime,
    parse_date,
    parse_datetime,
    parse_day_in_month,
    parse_time,
)
from domain.errors import UserInputError
from domain.localtime import VN_TZ
from domain.periods import Month

TODAY = date(2026, 11, 10)  # a Tuesday
NOW = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
DEC = Month(2026, 12)


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5/12", date(2026, 12, 5)),
        ("05/12", date(2026, 12, 5)),
        ("05/12/2026", date(2026, 12, 5)),
        ("5/12/26", date(2026, 12, 5)),
        ("5-12-2026", date(2026, 12, 5)),
        ("5.12.2026", date(2026, 12, 5)),
        ("5 / 12", date(2026, 12, 5)),
        ("ngày 5/12", date(2026, 12, 5)),
        ("Ngày 5/12/2026.", date(2026, 12, 5)),
        ("ngay 5/12", date(2026, 12, 5)),
        ("10/11", date(2026, 11, 10)),  # today
        ("1/3/2027", date(2027, 3, 1)),
    ],
)
def test_parse_date_formats(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


def test_year_is_the_nearest_occurrence() -> None:
    # Recently past dates stay in this year (recording last week's meeting)…
    assert parse_date("3/11", TODAY) == date(2026, 11, 3)
    assert parse_date("15/6", TODAY) == date(2026, 6, 15)
    # …dates far behind roll to next year.
    assert parse_date("5/3", TODAY) == date(2027, 3, 5)


def test_december_to_january() -> None:
    dec_20 = date(2026, 12, 20)
    assert parse_date("5/1", dec_20) == date(2027, 1, 5)
    assert parse_date("5/1", dec_20, future_only=True) == date(2027, 1, 5)
    jan_3 = date(2027, 1, 3)
    assert parse_date("28/12", jan_3) == date(2026, 12, 28)
    assert parse_date("28/12", jan_3, past_only=True) == date(2026, 12, 28)
    with pytest.raises(DateParseError, match=r"Ngày 28/12/2026 đã qua"):
        parse_date("28/12", jan_3, future_only=True)


def test_past_date_is_refused_when_future_only() -> None:
    with pytest.raises(DateParseError) as info:
        parse_date("3/11", TODAY, future_only=True)
    assert str(info.value) == (
        "Ngày 03/11/2026 đã qua: vui lòng nhập ngày từ hôm nay (10/11/2026) trở đi. "
        "Ví dụ: 3/11/2027."
    )
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, UserInputError)


def test_past_date_with_explicit_year_has_no_next_year_hint() -> None:
    with pytest.raises(DateParseError) as info:
        parse_date("09/11/2026", TODAY, future_only=True)
    assert str(info.value) == (
        "Ngày 09/11/2026 đã qua: vui lòng nhập ngày từ hôm nay (10/11/2026) trở đi. "
        "Ví dụ: 17/11 hoặc thứ 3 tuần sau."
    )


def test_today_is_not_past() -> None:
    assert parse_date("10/11", TODAY, future_only=True) == TODAY
    assert parse_date("10/11", TODAY, past_only=True) == TODAY


def test_future_date_is_refused_when_past_only() -> None:
    with pytest.raises(DateParseError, match=r"Ngày 05/12/2026 chưa tới"):
        parse_date("5/12", TODAY, past_only=True)


def test_future_only_and_past_only_are_exclusive() -> None:
    with pytest.raises(ValueError):
        parse_date("5/12", TODAY, future_only=True, past_only=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "31/02",
            "Ngày 31/02 không tồn tại. Ví dụ: 17/11 hoặc thứ 3 tuần sau.",
        ),
        ("31/04", "Ngày 31/04 không tồn tại."),
        ("31/4/2026", "Ngày 31/04/2026 không tồn tại."),
        ("29/02/2027", "Ngày 29/02/2027 không tồn tại."),
        ("30/2", "Ngày 30/02 không tồn tại."),
        ("32/1", "Ngày 32/01 không tồn tại."),
        ("0/5", "Ngày 00/05 không tồn tại."),
        ("5/13", "Ngày 05/13 không tồn tại."),
        ("29/2", "Ngày 29/02 chỉ có trong năm nhuận: vui lòng nhập cả năm. Ví dụ: 29/02/2028."),
    ],
)
def test_impossible_dates(text: str, message: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_date(text, TODAY)
    assert str(info.value).startswith(message)


def test_leap_day() -> None:
    assert parse_date("29/02/2028", TODAY) == date(2028, 2, 29)
    # Early in a leap year, "29/2" is this February.
    assert parse_date("29/2", date(2028, 1, 20)) == date(2028, 2, 29)
    assert parse_date("29/2", date(2028, 3, 10), past_only=True) == date(2028, 2, 29)
    # Late in the year before, it is the coming leap day.
    assert parse_date("29/2", date(2027, 12, 1)) == date(2028, 2, 29)


def test_past_leap_day_has_no_next_year_hint() -> None:
    with pytest.raises(DateParseError) as info:
        parse_date("29/2", date(2028, 3, 10), future_only=True)
    assert str(info.value).startswith(
        "Ngày 29/02/2028 đã qua: vui lòng nhập ngày từ hôm nay (10/03/2028) trở đi. Ví dụ: "
    )
    assert "2029" not in str(info.value)


def test_implausible_year() -> None:
    with pytest.raises(DateParseError, match="Năm 2062 có vẻ chưa đúng"):
        parse_date("05/12/2062", TODAY)


@pytest.mark.parametrize("text", ["abc", "5", "ngày mai kia", "12/", "5/12/2026/1"])
def test_not_a_date(text: str) -> None:
    with pytest.raises(DateParseError, match=f"Chưa hiểu ngày “{text}”"):
        parse_date(text, TODAY)


def test_empty_text() -> None:
    with pytest.raises(DateParseError, match="Vui lòng nhập ngày"):
        parse_date("   ", TODAY)


def test_day_in_month_forms_need_a_month() -> None:
    with pytest.raises(DateParseError, match="cần một ngày cụ thể"):
        parse_date("thứ 3 tuần đầu", TODAY)
    assert parse_date("thứ 3 tuần đầu", TODAY, month=DEC) == date(2026, 12, 1)
    assert parse_date("thu 3 tuan dau", TODAY, month=DEC) == date(2026, 12, 1)
    assert parse_date("THỨ SÁU TUẦN CUỐI", TODAY, month=DEC) == date(2026, 12, 25)
    assert parse_date("ngày 5", TODAY, month=DEC) == date(2026, 12, 5)
    assert parse_date("ngay 5 hang thang", TODAY, month=DEC) == date(2026, 12, 5)
    # With a month, the day must be in it.
    with pytest.raises(DateParseError, match="Ngày 05/01/2027 không thuộc tháng 12/2026"):
        parse_date("5/1", TODAY, month=DEC)


def test_day_in_a_past_month_is_refused_when_future_only() -> None:
    with pytest.raises(DateParseError, match="Ngày 03/11/2026 đã qua"):
        parse_date("thứ 3 tuần đầu", TODAY, month=Month(2026, 11), future_only=True)


def test_parse_day_in_month() -> None:
    assert parse_day_in_month("chủ nhật tuần 2", DEC) == date(2026, 12, 13)
    assert parse_day_in_month("ngày 28", Month(2027, 2)) == date(2027, 2, 28)
    assert parse_day_in_month("ngày 29", Month(2028, 2)) == date(2028, 2, 29)
    with pytest.raises(DateParseError, match="Tháng 02/2027 không có ngày 29"):
        parse_day_in_month("ngày 29", Month(2027, 2))
    with pytest.raises(DateParseError, match="Tháng 11/2026 không có ngày 31"):
        parse_day_in_month("ngày 31", Month(2026, 11))
    with pytest.raises(DateParseError, match="Chưa hiểu lịch"):
        parse_day_in_month("5/12", DEC)


# --- times -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14h", time(14, 0)),
        ("14H", time(14, 0)),
        ("14h30", time(14, 30)),
        ("14h05", time(14, 5)),
        ("14h5", time(14, 5)),
        ("14:30", time(14, 30)),
        ("14:00", time(14, 0)),
        ("7h", time(7, 0)),
        ("0h", time(0, 0)),
        ("14 giờ", time(14, 0)),
        ("14 giờ 30", time(14, 30)),
        ("14 gio 30 phut", time(14, 30)),
        ("14g30", time(14, 30)),
        ("14h30p", time(14, 30)),
        ("lúc 14h", time(14, 0)),
        ("8h sáng", time(8, 0)),
        ("2h chiều", time(14, 0)),
        ("2 giờ chiều", time(14, 0)),
        ("12h trưa", time(12, 0)),
        ("1h trưa", time(13, 0)),
        ("7h30 tối", time(19, 30)),
        ("19h tối", time(19, 0)),
        ("12h chiều", time(12, 0)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("25h", "không hợp lệ"),
        ("24:00", "không hợp lệ"),
        ("14h60", "không hợp lệ"),
        ("14h sáng", "buổi sáng không có 14 giờ"),
        ("14", "Chưa hiểu giờ “14”"),
        ("chiều", "Chưa hiểu giờ"),
        ("5/12", "Chưa hiểu giờ"),
    ],
)
def test_bad_times(text: str, fragment: str) -> None:
    with pytest.raises(DateParseError, match=fragment):
        parse_time(text)


# --- date and time together -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5/12 14h", local(2026, 12, 5, 14, 0)),
        ("05/12/2026 14:00", local(2026, 12, 5, 14, 0)),
        ("5/12/2026 14h30", local(2026, 12, 5, 14, 30)),
        ("5/12 lúc 14h", local(2026, 12, 5, 14, 0)),
        ("5/12, 14h", local(2026, 12, 5, 14, 0)),
        ("ngày 5/12 lúc 2 giờ chiều", local(2026, 12, 5, 14, 0)),
        ("14h ngày 5/12", local(2026, 12, 5, 14, 0)),
        ("14h30 5/12/2026", local(2026, 12, 5, 14, 30)),
        ("5/12 8h sáng", local(2026, 12, 5, 8, 0)),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    result = parse_datetime(text, NOW)
    assert result == expected
    assert result.tzinfo == VN_TZ
    assert result.utcoffset() == timedelta(hours=7)


def test_datetime_with_month_relative_day() -> None:
    assert parse_datetime("thứ 3 tuần đầu 14h", NOW, month=DEC) == local(2026, 12, 1, 14, 0)
    assert parse_datetime("thu 6 tuan cuoi luc 8h", NOW, month=DEC) == local(2026, 12, 25, 8, 0)
    assert parse_datetime("14h chủ nhật tuần 2", NOW, month=DEC) == local(2026, 12, 13, 14, 0)


def test_datetime_needs_both_parts() -> None:
    with pytest.raises(NeedsTime, match="Vui lòng nhập cả giờ, ví dụ: 5/12 14h30") as info:
        parse_datetime("5/12", NOW)
    assert (info.value.day, info.value.part) == (date(2026, 12, 5), None)
    with pytest.raises(NeedsTime, match="ví dụ: 5/12 8h") as info:
        parse_datetime("sáng 5/12", NOW)
    assert info.value.part == "sang"
    with pytest.raises(DateParseError, match=r"Vui lòng nhập cả ngày\. Ví dụ: 17/11 14h30"):
        parse_datetime("14h30", NOW)
    assert parse_datetime("5/12", NOW, default_time=time(8, 0)) == local(2026, 12, 5, 8, 0)


def test_datetime_earlier_today_is_past_when_future_only() -> None:
    with pytest.raises(DateParseError) as info:
        parse_datetime("10/11 9h", NOW, future_only=True)
    assert str(info.value) == (
        "Thời điểm 09:00 ngày 10/11/2026 đã qua: "
        "vui lòng nhập giờ muộn hơn 10:00 hôm nay hoặc một ngày khác. "
        "Ví dụ: 17/11 14h30 hoặc thứ 3 tuần sau 8h."
    )
    assert parse_datetime("10/11 11h", NOW, future_only=True) == local(2026, 11, 10, 11, 0)
    assert parse_datetime("10/11 10:00", NOW, future_only=True) == local(2026, 11, 10, 10, 0)


def test_datetime_past_only() -> None:
    assert parse_datetime("10/11 9h", NOW, past_only=True) == local(2026, 11, 10, 9, 0)
    with pytest.raises(DateParseError, match="Thời điểm 11:00 ngày 10/11/2026 chưa tới"):
        parse_datetime("10/11 11h", NOW, past_only=True)
    with pytest.raises(DateParseError, match="Ngày 05/12/2026 chưa tới"):
        parse_datetime("5/12 9h", NOW, past_only=True)


def test_datetime_uses_the_local_date_not_utc() -> None:
    # 20:00 UTC on 10/11 is already 03:00 on 11/11 in Hà Nội.
    late_utc = datetime(2026, 11, 10, 20, 0, tzinfo=UTC)
    with pytest.raises(DateParseError, match="Ngày 10/11/2026 đã qua"):
        parse_datetime("10/11 23h", late_utc, future_only=True)
    assert parse_datetime("11/11 8h", late_utc, future_only=True) == local(2026, 11, 11, 8, 0)


def test_datetime_rejects_naive_now() -> None:
    with pytest.raises(ValueError, match="naive"):
        parse_datetime("5/12 14h", datetime(2026, 11, 10, 10, 0))


def test_datetime_reports_bad_parts() -> None:
    with pytest.raises(DateParseError, match="Ngày 31/04 không tồn tại"):
        parse_datetime("31/4 14h", NOW)
    with pytest.raises(DateParseError, match="không hợp lệ"):
        parse_datetime("5/12 25h", NOW)
    with pytest.raises(DateParseError, match="Chưa hiểu ngày"):
        parse_datetime("hôm nào đó 14h", NOW)
