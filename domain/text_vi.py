"""Normalising Vietnamese free text typed on a phone.

Secretaries often type without diacritics ("thu 3 tuan dau") or with odd
spacing/case, so parsers compare folded text.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

_SPACES = re.compile(r"\s+")


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
