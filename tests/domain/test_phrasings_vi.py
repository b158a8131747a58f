"""What the bot understands: dates and times as secretaries type them on a phone.

Each row is a phrasing and the answer the bot must give, on Thursday 26/11/2026 at
09:00 (Hà Nội). Weeks run Monday to Sunday: this week is 23–29/11, next week
30/11–06/12, last week 16–22/11. Every row is also checked with its diacritics
removed (as typed on a phone without a Vietnamese keyboard), except the few marked
`accents=True`, where the diacritics change the meaning ("tới" = coming, "tối" =
evening). The README's "What the bot understands" section summarises this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest

from domain.dates_vi import DateParseError, NeedsTime, parse_date, parse_datetime, parse_time
from domain.localtime import VN_TZ
from domain.periods import Month
from domain.text_vi import fold

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday 26/11/2026, 09:00 in Hà Nội
TODAY = date(2026, 11, 26)


@dataclass(frozen=True)
class Ask:
    """The day is understood; the bot asks only for the hour (of `part` of the day)."""

    day: date
    part: str | None = None


@dataclass(frozen=True)
class Refused:
    """Not accepted; the reply says why (this fragment)."""

    says: str


def at(day: int, month: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def d(day: int, month: int, year: int = 2026) -> date:
    return date(year, month, day)


Expected = datetime | Ask | Refused

# A date and a time, as typed when registering a meeting (`parse_datetime`, no month).
DATETIMES: list[tuple[str, Expected]] = [
    # numeric dates with a time
    ("15/12 14h", at(15, 12, 14)),
    ("15/12 14h30", at(15, 12, 14, 30)),
    ("15/12 lúc 14 giờ", at(15, 12, 14)),
    ("15/12 lúc 14h30", at(15, 12, 14, 30)),
    ("15/12 lúc 14", at(15, 12, 14)),
    ("15/12, 14h", at(15, 12, 14)),
    ("15/12/2026 14:00", at(15, 12, 14)),
    ("15/12/26 14h", at(15, 12, 14)),
    ("15-12-2026 14:30", at(15, 12, 14, 30)),
    ("15.12 14h", at(15, 12, 14)),
    ("15/12 14g30", at(15, 12, 14, 30)),
    ("15/12 14g", at(15, 12, 14)),
    ("15/12 14 giờ 30", at(15, 12, 14, 30)),
    ("15/12 14 giờ 30 phút", at(15, 12, 14, 30)),
    ("15/12 14h30p", at(15, 12, 14, 30)),
    ("15/12 14h 30", at(15, 12, 14, 30)),
    ("15/12 14h30'", at(15, 12, 14, 30)),
    ("15/12 2 giờ chiều", at(15, 12, 14)),
    ("15/12 2h chiều", at(15, 12, 14)),
    ("15/12 2 giờ rưỡi chiều", at(15, 12, 14, 30)),
    ("15/12 8h sáng", at(15, 12, 8)),
    ("15/12 8 giờ kém 15", at(15, 12, 7, 45)),
    ("15/12 7h30 tối", at(15, 12, 19, 30)),
    ("15/12 12h trưa", at(15, 12, 12)),
    ("15/12 1h trưa", at(15, 12, 13)),
    ("15/12 2pm", at(15, 12, 14)),
    ("15/12 8am", at(15, 12, 8)),
    ("ngày 15/12 lúc 14h", at(15, 12, 14)),
    ("Ngày 15/12 lúc 2 giờ chiều", at(15, 12, 14)),
    ("ngày 15 tháng 12 lúc 14 giờ", at(15, 12, 14)),
    ("ngày 15 tháng 12 năm 2026 lúc 8h", at(15, 12, 8)),
    ("15 tháng 12 8h", at(15, 12, 8)),
    ("15 thg 12 8h", at(15, 12, 8)),
    ("14h ngày 15/12", at(15, 12, 14)),
    ("14h30 15/12/2026", at(15, 12, 14, 30)),
    ("lúc 14h ngày 15/12", at(15, 12, 14)),
    ("vào lúc 8 giờ ngày 15/12", at(15, 12, 8)),
    ("chiều 15/12 lúc 2h", at(15, 12, 14)),
    ("sáng 15/12 8h30", at(15, 12, 8, 30)),
    ("tối 15/12 19h", at(15, 12, 19)),
    ("thứ 3 15/12 14h", at(15, 12, 14)),
    ("thứ Ba, 15/12, 14h", at(15, 12, 14)),
    ("T3 15/12 8h", at(15, 12, 8)),
    ("5/1 8h", at(5, 1, 8, year=2027)),
    ("05/01/2027 08:00", at(5, 1, 8, year=2027)),
    ("20/11 14h", at(20, 11, 14)),
    # days in words
    ("hôm nay 14h", at(26, 11, 14)),
    ("hôm nay lúc 14h30", at(26, 11, 14, 30)),
    ("chiều nay 3h", at(26, 11, 15)),
    ("chiều nay 3 giờ rưỡi", at(26, 11, 15, 30)),
    ("tối nay 7h", at(26, 11, 19)),
    ("trưa nay 12h", at(26, 11, 12)),
    ("mai 8h", at(27, 11, 8)),
    ("Mai 8h", at(27, 11, 8)),
    ("mai 8h sáng", at(27, 11, 8)),
    ("sáng mai 8h", at(27, 11, 8)),
    ("sáng mai lúc 7h30", at(27, 11, 7, 30)),
    ("chiều mai 2h", at(27, 11, 14)),
    ("chiều mai 14h", at(27, 11, 14)),
    ("ngày mai 14h", at(27, 11, 14)),
    ("ngày mai lúc 2 giờ chiều", at(27, 11, 14)),
    ("8h mai", at(27, 11, 8)),
    ("14h ngày mai", at(27, 11, 14)),
    ("ngày kia 9h", at(28, 11, 9)),
    ("mốt 9h", at(28, 11, 9)),
    ("hôm qua 14h", at(25, 11, 14)),
    ("tối qua 8h", at(25, 11, 20)),
    ("hôm kia 14h", at(24, 11, 14)),
    ("mai 8h nhé", at(27, 11, 8)),
    ("mai 8h ạ", at(27, 11, 8)),
    # weekdays and weeks
    ("thứ 3 tuần sau 14h30", at(1, 12, 14, 30)),
    ("thứ 3 tuần sau 14h", at(1, 12, 14)),
    ("Thứ 3 tuần sau lúc 14h30", at(1, 12, 14, 30)),
    ("thứ ba tuần sau 14h", at(1, 12, 14)),
    ("T3 tuần sau 14h", at(1, 12, 14)),
    ("t3 tuần sau 14h", at(1, 12, 14)),
    ("thứ 2 tuần sau 8h", at(30, 11, 8)),
    ("thứ hai tuần sau 8h", at(30, 11, 8)),
    ("thứ 5 tuần sau 8h", at(3, 12, 8)),
    ("thứ năm tuần sau 8h", at(3, 12, 8)),
    ("thứ 6 tuần sau 2h chiều", at(4, 12, 14)),
    ("thứ sáu tuần sau 8h", at(4, 12, 8)),
    ("thứ 7 tuần sau 8h", at(5, 12, 8)),
    ("chủ nhật tuần sau 8h", at(6, 12, 8)),
    ("Chủ nhật tuần sau lúc 8 giờ", at(6, 12, 8)),
    ("CN tuần sau 8h", at(6, 12, 8)),
    ("thứ 3 tuần tới 14h", at(1, 12, 14)),
    ("tuần sau thứ 3 14h", at(1, 12, 14)),
    ("tuần sau, thứ 5, 9h", at(3, 12, 9)),
    ("thứ 4 tuần kế tiếp 8h", at(2, 12, 8)),
    ("14h thứ 3 tuần sau", at(1, 12, 14)),
    ("chiều thứ 3 tuần sau 2h", at(1, 12, 14)),
    ("thứ 7 này 8h", at(28, 11, 8)),
    ("thứ bảy này 8h", at(28, 11, 8)),
    ("thứ 6 này 14h", at(27, 11, 14)),
    ("thứ 5 này 14h", at(26, 11, 14)),
    ("chủ nhật này 8h", at(29, 11, 8)),
    ("thứ 2 này 8h", at(30, 11, 8)),
    ("thứ 6 8h", at(27, 11, 8)),
    ("thứ 3 14h", at(1, 12, 14)),
    ("thứ 7 tuần này 8h", at(28, 11, 8)),
    ("thứ 3 tuần này 14h", at(24, 11, 14)),
    ("thứ 5 tới 8h", at(3, 12, 8)),
    ("thứ 6 tới 8h", at(27, 11, 8)),
    ("thứ 3 tuần trước 14h", at(17, 11, 14)),
    ("thứ 3 tuần rồi 14h", at(17, 11, 14)),
    ("thứ 5 vừa rồi 14h", at(19, 11, 14)),
    ("thứ 3 vừa rồi 14h", at(24, 11, 14)),
    # the day is clear, the hour is not: the bot asks for it
    ("sáng 15/12", Ask(d(15, 12), "sang")),
    ("chiều 15/12", Ask(d(15, 12), "chieu")),
    ("buổi chiều 15/12", Ask(d(15, 12), "chieu")),
    ("tối 15/12", Ask(d(15, 12), "toi")),
    ("trưa 15/12", Ask(d(15, 12), "trua")),
    ("15/12", Ask(d(15, 12))),
    ("ngày 15/12", Ask(d(15, 12))),
    ("thứ 3 tuần sau", Ask(d(1, 12))),
    ("sáng thứ 3 tuần sau", Ask(d(1, 12), "sang")),
    ("chiều mai", Ask(d(27, 11), "chieu")),
    ("mai", Ask(d(27, 11))),
    ("ngày mai", Ask(d(27, 11))),
    ("thứ bảy này", Ask(d(28, 11))),
    ("chủ nhật tuần sau", Ask(d(6, 12))),
    ("hôm nay", Ask(d(26, 11))),
    ("hôm qua", Ask(d(25, 11))),
    # what is refused, and why
    ("abc", Refused("Chưa hiểu ngày “abc”")),
    ("abc 14h30", Refused("Chưa hiểu ngày")),
    ("hôm nào đó 14h", Refused("Chưa hiểu ngày")),
    ("14h30", Refused("Vui lòng nhập cả ngày")),
    ("2 giờ chiều", Refused("Vui lòng nhập cả ngày")),
    ("chiều", Refused("Chưa hiểu ngày")),
    ("31/02 14h", Refused("Ngày 31/02 không tồn tại")),
    ("31/4/2026 14h", Refused("Ngày 31/04/2026 không tồn tại")),
    ("15/12 25h", Refused("không hợp lệ")),
    ("15/12 14h60", Refused("không hợp lệ")),
    ("15/12 14h sáng", Refused("buổi sáng không có 14 giờ")),
    ("15/12 14h 15h", Refused("có hơn một giờ")),
    ("thứ 2 15/12 14h", Refused("Ngày 15/12/2026 là thứ Ba, không phải thứ Hai")),
    ("thứ 9 tuần sau 8h", Refused("Chưa hiểu ngày")),
    ("15/12/2062 8h", Refused("Năm 2062 có vẻ chưa đúng")),
    ("thứ 3 tuần đầu 14h", Refused("cần một ngày cụ thể")),
]

# Where the diacritics change the meaning: "tới" (coming) and "tối" (evening).
ACCENTED: list[tuple[str, Expected]] = [
    ("thứ 3 tới 8h", at(1, 12, 8)),  # the coming Tuesday, 08:00
    ("tối thứ 3 tới 7h", at(1, 12, 19)),  # the coming Tuesday, evening
    ("thứ 3 tối 7h", at(1, 12, 19)),  # Tuesday evening
    ("thu 3 toi 8h", at(1, 12, 8)),  # without diacritics "toi" after a weekday is "tới"
    ("7h toi thu 3", at(1, 12, 19)),  # …and after a time, "tối"
    ("thu 3 tuan toi 8h", at(1, 12, 8)),  # "tuần tới"
]

# A meeting of December 2026, registered now (the /schedule flow: month and future only).
IN_DECEMBER: list[tuple[str, Expected]] = [
    ("thứ 3 tuần đầu 14h", at(1, 12, 14)),
    ("thứ Ba tuần đầu tiên 14h", at(1, 12, 14)),
    ("thu 3 tuan dau 14h", at(1, 12, 14)),
    ("thứ 6 tuần cuối lúc 8h", at(25, 12, 8)),
    ("T6 tuần cuối 8h", at(25, 12, 8)),
    ("14h chủ nhật tuần 2", at(13, 12, 14)),
    ("chủ nhật tuần thứ hai 8h", at(13, 12, 8)),
    ("ngày 5 lúc 14h", at(5, 12, 14)),
    ("mùng 5 14h", at(5, 12, 14)),
    ("thứ 3 tuần sau 14h30", at(1, 12, 14, 30)),
    ("15/12 14h", at(15, 12, 14)),
    ("sáng thứ 3 tuần đầu", Ask(d(1, 12), "sang")),
    ("ngày 31 8h", at(31, 12, 8)),
    ("mai 8h", Refused("Ngày 27/11/2026 không thuộc tháng 12/2026")),
    ("5/1 14h", Refused("Ngày 05/01/2027 không thuộc tháng 12/2026")),
    ("thứ 3 tuần 5 14h", Refused("Không có tuần thứ 5")),
    ("ngày 32 14h", Refused("Ngày 32 không tồn tại")),
]

# The day a meeting was held (the /record flow: November 2026, past only).
HELD_IN_NOVEMBER: list[tuple[str, date | Refused]] = [
    ("hôm qua", d(25, 11)),
    ("hôm nay", d(26, 11)),
    ("Hôm nay", d(26, 11)),
    ("hôm kia", d(24, 11)),
    ("20/11", d(20, 11)),
    ("20/11/2026", d(20, 11)),
    ("ngày 20/11", d(20, 11)),
    ("ngày 20 tháng 11", d(20, 11)),
    ("thứ 3 tuần trước", d(17, 11)),
    ("thứ ba tuần rồi", d(17, 11)),
    ("thứ 3 tuần này", d(24, 11)),
    ("thứ 3", d(24, 11)),  # only the past is allowed: the last Tuesday
    ("thứ 2 này", d(23, 11)),
    ("thứ 5", d(26, 11)),
    ("thứ 6 vừa rồi", d(20, 11)),
    ("chủ nhật tuần trước", d(22, 11)),
    ("CN tuần trước", d(22, 11)),
    ("thứ 3 tuần đầu", d(3, 11)),
    ("ngày 5", d(5, 11)),
    ("hôm qua 14h", d(25, 11)),  # a time is fine, and not needed
    ("sáng nay", d(26, 11)),
    ("mai", Refused("Ngày 27/11/2026 chưa tới")),
    ("thứ 3 tuần sau", Refused("Ngày 01/12/2026 chưa tới")),
    ("5/10", Refused("Ngày 05/10/2026 không thuộc tháng 11/2026")),
    ("31/11", Refused("Ngày 31/11/2026 không tồn tại")),
    ("xyz", Refused("Chưa hiểu ngày “xyz”")),
]

# The answer to "at what time?" once the day is known (a bare hour is fine here).
TIMES: list[tuple[str, str | None, time | Refused]] = [
    ("8", "sang", time(8)),
    ("8h", "sang", time(8)),
    ("8h30", "sang", time(8, 30)),
    ("7 giờ rưỡi", "sang", time(7, 30)),
    ("2", "chieu", time(14)),
    ("2h", "chieu", time(14)),
    ("14h", "chieu", time(14)),
    ("2 giờ rưỡi", "chieu", time(14, 30)),
    ("7h", "toi", time(19)),
    ("19h30", "toi", time(19, 30)),
    ("12", "trua", time(12)),
    ("14", None, time(14)),
    ("14h30", None, time(14, 30)),
    ("14:30", None, time(14, 30)),
    ("14g30", None, time(14, 30)),
    ("lúc 8 giờ", None, time(8)),
    ("2 giờ chiều", None, time(14)),
    ("8h sáng", None, time(8)),
    ("25", None, Refused("không hợp lệ")),
    ("14h sáng", None, Refused("buổi sáng không có 14 giờ")),
    ("sớm", None, Refused("Chưa hiểu giờ")),
]


def _check_datetime(text: str, expected: Expected, **window: object) -> None:
    if isinstance(expected, datetime):
        assert parse_datetime(text, NOW, **window) == expected  # type: ignore[arg-type]
    elif isinstance(expected, Ask):
        with pytest.raises(NeedsTime) as info:
            parse_datetime(text, NOW, **window)  # type: ignore[arg-type]
        assert (info.value.day, info.value.part) == (expected.day, expected.part)
    else:
        with pytest.raises(DateParseError) as refused:
            parse_datetime(text, NOW, **window)  # type: ignore[arg-type]
        assert not isinstance(refused.value, NeedsTime)
        assert expected.says in str(refused.value)


def _with_and_without_diacritics(rows: list[tuple[str, Expected]]) -> list[tuple[str, Expected]]:
    out = []
    for text, expected in rows:
        out.append((text, expected))
        if fold(text) != text.lower():
            out.append((fold(text), expected))
    return out


@pytest.mark.parametrize(("text", "expected"), _with_and_without_diacritics(DATETIMES))
def test_dates_and_times(text: str, expected: Expected) -> None:
    _check_datetime(text, expected)


@pytest.mark.parametrize(("text", "expected"), ACCENTED)
def test_where_diacritics_change_the_meaning(text: str, expected: Expected) -> None:
    _check_datetime(text, expected)


@pytest.mark.parametrize(("text", "expected"), _with_and_without_diacritics(IN_DECEMBER))
def test_a_meeting_of_december(text: str, expected: Expected) -> None:
    _check_datetime(text, expected, month=Month(2026, 12), future_only=True)


@pytest.mark.parametrize(("text", "expected"), _with_and_without_diacritics(HELD_IN_NOVEMBER))  # type: ignore[arg-type]
def test_the_day_a_meeting_was_held(text: str, expected: date | Refused) -> None:
    if isinstance(expected, date):
        assert parse_date(text, TODAY, month=Month(2026, 11), past_only=True) == expected
        return
    with pytest.raises(DateParseError) as refused:
        parse_date(text, TODAY, month=Month(2026, 11), past_only=True)
    assert expected.says in str(refused.value)


@pytest.mark.parametrize(("text", "part", "expected"), TIMES)
def test_the_hour_once_the_day_is_known(
    text: str, part: str | None, expected: time | Refused
) -> None:
    if isinstance(expected, time):
        assert parse_time(text, part=part, bare_hour=True) == expected
        assert parse_time(fold(text), part=part, bare_hour=True) == expected
        return
    with pytest.raises(DateParseError) as refused:
        parse_time(text, part=part, bare_hour=True)
    assert expected.says in str(refused.value)


def test_the_table_is_big_enough() -> None:
    written = len(DATETIMES) + len(ACCENTED) + len(IN_DECEMBER) + len(HELD_IN_NOVEMBER)
    assert written + len(TIMES) >= 150
