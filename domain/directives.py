"""Directives with a deadline (văn bản chỉ đạo có thời hạn): what an issuer may write.

A leader or admin issues a directive to units of their subtree: a title, the
document's number ("Số 12-KH/ĐUK"), a due date and the units that must complete it
and send their document back. Pure: the bot's dialog and `chibo directive create`
check the same things here, and each refusal is one polite sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.errors import UserInputError
from domain.org import MEETING_KINDS, REPORTING_KINDS, UnitKind, fold
from domain.text_vi import has_control_characters

MAX_TITLE = 300  # storage.models.Directive.title
MAX_REFERENCE = 64
# What a unit sends back: a signed document as PDF or Word, or a phone photo of it.
DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".odt", ".jpg", ".jpeg", ".png")
# "base", "cơ sở", "tất cả": every base organisation of the issuer's subtree.
ALL_BASE_WORDS = frozenset({"base", "co so", "tat ca", "all"})


def check_title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise UserInputError("Vui lòng nhập tên văn bản chỉ đạo.")
    if len(title) > MAX_TITLE or has_control_characters(title):
        raise UserInputError(f"Tên văn bản dài quá {MAX_TITLE} ký tự. Vui lòng viết ngắn lại.")
    return title


def check_reference(text: str | None) -> str | None:
    """The document's number as written on it ("Số 12-KH/ĐUK"); empty: none."""
    reference = " ".join((text or "").split())
    if not reference:
        return None
    if len(reference) > MAX_REFERENCE or has_control_characters(reference):
        raise UserInputError(
            f"Số hiệu văn bản dài quá {MAX_REFERENCE} ký tự. Ví dụ đúng: Số 12-KH/ĐUK."
        )
    return reference


def check_due(due_on: date, today: date) -> date:
    if due_on < today:
        raise UserInputError(
            f"Hạn hoàn thành {due_on:%d/%m/%Y} đã qua. Vui lòng chọn từ hôm nay "
            f"({today:%d/%m/%Y}) trở đi."
        )
    return due_on


def document_allowed(file_name: str) -> bool:
    return file_name.lower().endswith(DOCUMENT_SUFFIXES)


def check_document(file_name: str) -> None:
    if not document_allowed(file_name):
        raise UserInputError(
            "Tệp này không nhận được. Vui lòng gửi văn bản dạng PDF hoặc Word "
            "(.pdf, .doc, .docx), hoặc ảnh chụp văn bản đã ký."
        )


# ---------------------------------------------------------------------------
# Which units


@dataclass(frozen=True)
class TreeUnit:
    code: str
    name: str
    kind: UnitKind
    path: str


def target_words(text: str) -> list[str]:
    """ "base", "C2", "TNMT, NTM" → the words to resolve (codes upper-cased)."""
    folded = fold(text).strip()
    if folded in ALL_BASE_WORDS:
        return ["*"]
    words = [w for w in text.replace(";", ",").replace(",", " ").split() if w]
    return [w.upper() for w in words]


def resolve_targets(
    words: Sequence[str], units: Iterable[TreeUnit], scope_paths: Sequence[str]
) -> list[str]:
    """The units a directive goes to, in tree order.

    "*" is every base organisation within the scopes; a cluster's or the bloc's code
    means its base organisations; a base organisation's or a cell's code, that unit.
    An unknown code, or one outside the scopes, is refused with its name.
    """
    if not words:
        raise UserInputError("Vui lòng chọn đơn vị nhận văn bản (ví dụ: base, C2 hoặc TNMT,NTM).")
    by_code = {u.code: u for u in units}
    ordered = sorted(by_code.values(), key=lambda u: u.path)

    def inside(unit: TreeUnit) -> bool:
        return any(unit.path.startswith(p) for p in scope_paths)

    chosen: dict[str, TreeUnit] = {}
    unknown: list[str] = []
    outside: list[str] = []
    for word in words:
        if word == "*":
            chosen.update((u.code, u) for u in ordered if u.kind in REPORTING_KINDS and inside(u))
            continue
        unit = by_code.get(word)
        if unit is None:
            unknown.append(word)
        elif not inside(unit):
            outside.append(word)
        elif unit.kind in (UnitKind.BLOC, UnitKind.CLUSTER):
            chosen.update(
                (u.code, u)
                for u in ordered
                if u.kind in REPORTING_KINDS and u.path.startswith(unit.path)
            )
        elif unit.kind in MEETING_KINDS:
            chosen[unit.code] = unit
    if unknown:
        raise UserInputError(f"Không có đơn vị mã {', '.join(unknown)}. Vui lòng kiểm tra lại.")
    if outside:
        raise UserInputError(
            f"Đơn vị {', '.join(outside)} không thuộc phạm vi phụ trách của đồng chí, "
            "nên không giao văn bản cho đơn vị đó được."
        )
    if not chosen:
        raise UserInputError("Không có tổ chức đảng nào trong các đơn vị đã chọn.")
    return [u.code for u in sorted(chosen.values(), key=lambda u: u.path)]
