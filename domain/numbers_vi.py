"""Numbers typed on a phone: member counts, attendance, durations, points.

Accepted (with or without diacritics, any case; examples are in
tests/domain/test_numbers_vi.py and the README):

  counts      18, 18 người, 18 đ/c, 18 đồng chí, 18 đảng viên, 8 điểm
  attendance  18, 18/20 (present/total), đủ, đủ 20/20, tất cả, vắng 2
  excused     2, cả 2, tất cả, không, không ai
  durations   90, 90 phút, 1h30, 1h30p, 1:30, 1 tiếng rưỡi, một tiếng rưỡi, 2 giờ,
              2 tiếng kém 15, nửa tiếng, 1,5 giờ

Every error is a `UserInputError` whose examples fit the question asked (an
attendance example is never above the total).
"""

from __future__ import annotations

import re

from domain.errors import UserInputError
from domain.text_vi import fold

_WORDS = {
    "khong": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}
# What may follow a count: people, comrades, Party members, points.
_UNIT = r"(?:nguoi|d/c|dc|dong chi|dang vien|dv|diem|d)"
_COUNT_RE = re.compile(rf"(?:co\s+|du\s+)?(?P<n>\d{{1,5}})\s*{_UNIT}?")
_ALL_RE = re.compile(r"(?:dong\s+)?(?:du|tat ca|ca|het)(?:\s+ca)?(?:\s+moi nguoi)?")
_RATIO_RE = re.compile(rf"(?P<n>\d{{1,5}})\s*/\s*(?P<of>\d{{1,5}})\s*{_UNIT}?")
_ABSENT_RE = re.compile(rf"vang\s+(?P<n>\d{{1,5}})\s*{_UNIT}?")
_NONE_RE = re.compile(r"(?:khong|ko|k)(?:\s+(?:ai|co|co ai))?")
_EVERY_EXCUSED_RE = re.compile(r"(?:ca|tat ca|deu|het)(?:\s+(?:\d+|deu|co ly do|nguoi))*")

_NUMBER = r"(?:\d{1,2}(?:[.,]5)?|" + "|".join(w for w in _WORDS if w != "khong") + ")"
_DURATION_MINUTES_RE = re.compile(r"(?P<m>\d{1,4})\s*(?:phut|ph|p|')?")
_DURATION_HOURS_RE = re.compile(
    rf"(?P<h>{_NUMBER}|nua)\s*(?:tieng|gio|h|g)(?:\s*dong\s*ho)?\s*"
    r"(?:(?P<m>\d{1,2})\s*(?:phut|ph|p|')?|(?P<half>ruoi)|kem\s*(?P<kem>\d{1,2})\s*(?:phut|ph|p)?)?"
)
_DURATION_CLOCK_RE = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})")
MAX_DURATION = 24 * 60


def _clean(text: str) -> str:
    return fold(text).rstrip(".!").strip()


def parse_count(text: str, low: int, high: int, what: str) -> int:
    """A whole number in [low, high], alone or with a unit word ("18 người", "8 điểm")."""
    m = _COUNT_RE.fullmatch(_clean(text))
    example = min(max(low, 1), high)
    if m is None:
        raise UserInputError(f"{what} phải là một số nguyên, ví dụ: {example}.")
    value = int(m["n"])
    if not low <= value <= high:
        raise UserInputError(f"{what} phải từ {low} đến {high}. Vui lòng nhập lại.")
    return value


def parse_attendance(text: str, total: int, max_total: int) -> tuple[int, int]:
    """(present, total) from "18", "18/20", "18 người", "đủ", "vắng 2".

    "18/21" with another total than the one known means the total changed: it is
    taken as the new total (the summary before saving shows both).
    """
    folded = _clean(text)
    example = f"ví dụ: {max(total - 1, 0)} hoặc {max(total - 1, 0)}/{total}"
    if _ALL_RE.fullmatch(folded):
        return total, total
    if m := re.fullmatch(r"(?:dong\s+)?du\s+(?P<n>\d{1,5})\s*/\s*(?P<of>\d{1,5})", folded):
        folded = f"{m['n']}/{m['of']}"
    if m := _RATIO_RE.fullmatch(folded):
        present, of = int(m["n"]), int(m["of"])
        if not 1 <= of <= max_total:
            raise UserInputError(f"Tổng số đảng viên phải từ 1 đến {max_total}. Vui lòng nhập lại.")
        if present > of:
            raise UserInputError(
                f"Số đảng viên dự ({present}) không thể lớn hơn tổng số ({of}). "
                f"Vui lòng nhập lại, {example}."
            )
        return present, of
    if m := _ABSENT_RE.fullmatch(folded):
        absent = int(m["n"])
        if absent > total:
            raise UserInputError(
                f"Chi bộ có {total} đảng viên, không thể vắng {absent}. "
                f"Vui lòng nhập lại, {example}."
            )
        return total - absent, total
    m = _COUNT_RE.fullmatch(folded)
    if m is None:
        raise UserInputError(
            f"Số đảng viên dự phải là một số nguyên từ 0 đến {total}, {example}, "
            "hoặc “đủ” nếu tất cả đều dự."
        )
    present = int(m["n"])
    if present > total:
        raise UserInputError(
            f"Số đảng viên dự phải từ 0 đến {total} (tổng số). Vui lòng nhập lại, {example}."
        )
    return present, total


def parse_excused(text: str, absent: int) -> int:
    """How many of the `absent` had a reason: "2", "cả 2", "tất cả", "không"."""
    folded = _clean(text)
    if _NONE_RE.fullmatch(folded):
        return 0
    if _EVERY_EXCUSED_RE.fullmatch(folded):
        return absent
    return parse_count(text, 0, absent, "Số vắng có lý do")


def parse_duration(text: str) -> int:
    """Minutes from "90", "90 phút", "1h30", "1 tiếng rưỡi", "2 giờ", "1:30", "nửa tiếng"."""
    folded = _clean(text)
    minutes: float | None = None
    if m := _DURATION_MINUTES_RE.fullmatch(folded):
        minutes = int(m["m"])
    elif m := _DURATION_CLOCK_RE.fullmatch(folded):
        minutes = int(m["h"]) * 60 + int(m["m"]) if int(m["m"]) < 60 else None
    elif m := _DURATION_HOURS_RE.fullmatch(folded):
        minutes = _hours(m["h"]) * 60
        if m["m"]:
            minutes = minutes + int(m["m"]) if int(m["m"]) < 60 else None
        elif m["half"]:
            minutes += 30
        elif m["kem"]:
            minutes -= int(m["kem"])
    if minutes is None or minutes != int(minutes):
        raise UserInputError(
            "Thời lượng chưa đúng. Vui lòng nhập số phút hoặc số giờ, ví dụ: 90 hoặc 1 tiếng rưỡi."
        )
    if not 1 <= minutes <= MAX_DURATION:
        raise UserInputError("Thời lượng phải từ 1 đến 1440 phút. Vui lòng nhập lại.")
    return int(minutes)


def _hours(token: str) -> float:
    if token == "nua":
        return 0.5
    if token in _WORDS:
        return _WORDS[token]
    return float(token.replace(",", "."))
