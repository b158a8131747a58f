"""Text going into rendered files, made safe for each format in one place.

Unit names come from the office's CSV and reasons from what secretaries type, so
any of them may hold what a file format reads as markup:

- XLSX and CSV: a cell starting with = + - @ (or tab, carriage return, or their
  full-width forms) is a formula to Excel and LibreOffice; `=HYPERLINK(…)` would
  become a live link in the leaders' spreadsheet. Such text gets a leading
  apostrophe, as OWASP recommends for CSV injection; numbers and dates stay typed.
- XLSX and DOCX are XML, where most control characters are illegal (openpyxl and
  python-docx refuse them): they are dropped.
- PNG (matplotlib): `$…$` is mathtext; the chart turns that parsing off
  (`CHART_STYLE`) and gets the same control-character cleaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

# XML 1.0 allows tab, newline and carriage return among the C0 controls, and no
# surrogates or the two non-characters U+FFFE, U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# matplotlib settings for every chart: text is shown as typed, never parsed as math.
CHART_STYLE: dict[Any, Any] = {"text.parse_math": False}  # matplotlib types its keys as literals


def xml_text(text: str) -> str:
    """`text` without the characters an XML document cannot hold."""
    return _XML_ILLEGAL.sub("", text)


def spreadsheet_cell(value: Any) -> Any:
    """A value for an XLSX or CSV cell: text cannot start a formula; other types unchanged."""
    if not isinstance(value, str):
        return value
    text = xml_text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    return [spreadsheet_cell(v) for v in values]


def percent_value(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def share_percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)
