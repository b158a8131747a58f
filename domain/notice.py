"""The office's formal notice (thông báo): the names its header and signature print.

"ĐẢNG BỘ TỈNH …" over "ĐẢNG ỦY KHỐI …", "Số 45-TB/ĐUK", the place and date line,
"T/L BAN THƯỜNG VỤ / CHÁNH VĂN PHÒNG" and the signer come from the policy file
(`notice:`) or, for one notice, from the command line. What is still missing is
named (`missing`): the CLI refuses to write the notice without it, the bot writes
"…" in its place and says so beside the file. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from domain.errors import UserInputError
from domain.policy import NoticeNames

PLACEHOLDER = "…"
MAX_NUMBER = 12
MAX_NAME = 200


@dataclass(frozen=True)
class NoticeHeader:
    names: NoticeNames
    day: date
    number: str | None = None  # "45" in "Số 45-TB/ĐUK"

    @property
    def reference(self) -> str:
        """ "45-TB/ĐUK", or "   -TB/ĐUK" with room to write the number by hand."""
        return f"{self.number or '     '}-{self.names.number_suffix}"

    def value(self, field: str) -> str:
        return getattr(self.names, field) or PLACEHOLDER


# (field of NoticeNames, what it is, the CLI option that gives it)
FIELDS = (
    ("province", "tên đảng bộ tỉnh", "--province"),
    ("bloc", "tên đảng ủy khối", "--bloc"),
    ("place", "địa danh ghi ở dòng ngày tháng", "--place"),
    ("signer", "họ tên người ký", "--signer"),
)


def header(
    names: NoticeNames,
    day: date,
    *,
    number: str | None = None,
    overrides: dict[str, str | None] | None = None,
) -> NoticeHeader:
    """The policy's names, with the ones given for this notice instead."""
    given = {k: " ".join(v.split()) for k, v in (overrides or {}).items() if v and v.strip()}
    for key, value in given.items():
        if len(value) > MAX_NAME:
            raise UserInputError(f"{key} dài quá {MAX_NAME} ký tự.")
    if number is not None:
        number = number.strip()
        if not number or len(number) > MAX_NUMBER or not number.replace("/", "").isalnum():
            raise UserInputError(
                f"Số thông báo {number!r} không hợp lệ: chỉ gồm chữ số (ví dụ 45), tối đa "
                f"{MAX_NUMBER} ký tự."
            )
    return NoticeHeader(replace(names, **given), day, number or None)


def missing(notice: NoticeHeader, *, number_required: bool) -> list[tuple[str, str]]:
    """What the notice would leave blank: (what it is, the CLI option that gives it)."""
    found = [(what, option) for field, what, option in FIELDS if not getattr(notice.names, field)]
    if number_required and not notice.number:
        found.append(("số thông báo", "--number"))
    return found
