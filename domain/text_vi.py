"""Normalising Vietnamese free text typed on a phone.

Secretaries often type without diacritics ("thu 3 tuan dau") or with odd
spacing/case, so parsers compare folded text.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from domain.errors import UserInputError

_SPACES = re.compile(r"\s+")
MAX_SHORT_TEXT = 300  # a place, a name: what storage keeps in its short columns


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse whitespace.

    >>> fold("  Thứ Ba   TUẦN đầu ")
    'thu ba tuan dau'
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    without_marks = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", without_marks).strip().lower()


def format_percent(rate: float | Fraction) -> str:
    """A rate as a Vietnamese percentage: 6/7 → "85,7%", 19/20 → "95%" (decimal comma)."""
    text = f"{float(rate) * 100:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


_ASCII_NUMBER = re.compile(r"[0-9]+")
INT32_MAX = 2**31 - 1  # the largest value of an Integer column on PostgreSQL


def is_ascii_number(text: str) -> bool:
    """Digits 0-9 only: "²" and "٣" pass str.isdigit() but are not what anyone typed."""
    return _ASCII_NUMBER.fullmatch(text) is not None


def ascii_int(text: str, *, maximum: int = INT32_MAX) -> int | None:
    """`text` as a whole number in ASCII digits, or None when it is not one or is larger
    than `maximum` (30 digits in a button would overflow the column it is compared to)."""
    if not is_ascii_number(text) or len(text.lstrip("0")) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


LINE_BREAKS = "\n\r\t"


def has_control_characters(text: str, *, allowed: str = "") -> bool:
    """NUL, bell, escape and the like: never typed on purpose, and PostgreSQL refuses NUL.
    `allowed` lists the ones a field may hold (LINE_BREAKS in a multi-line text)."""
    return any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in text)


def short_text(text: str, what: str, limit: int = MAX_SHORT_TEXT) -> str:
    """A short typed text (a place, a reason) with its spaces tidied; `what` names it."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise UserInputError(f"Vui lòng nhập {what}.")
    if len(cleaned) > limit:
        raise UserInputError(f"{what.capitalize()} dài quá {limit} ký tự. Vui lòng viết ngắn lại.")
    return cleaned


def parse_yes_no(value: str) -> bool:
    """A typed yes or no: "có", "co", "c", "yes", "1" / "không", "khong", "k", "no", "0"."""
    folded = value.strip().casefold()
    if folded in ("yes", "có", "co", "c", "1"):
        return True
    if folded in ("no", "không", "khong", "k", "0"):
        return False
    raise UserInputError("Vui lòng chọn Có hoặc Không.")
