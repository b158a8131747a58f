"""The organisation tree: unit kinds, which kind may sit under which, CSV validation.

Pure: the import command validates a whole file here before anything is written.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

# Re-exported: unit names are folded for search exactly as parsers fold typed text.
from domain.text_vi import fold as fold
from domain.text_vi import has_control_characters


class UnitKind(enum.StrEnum):
    BLOC = "bloc"
    CLUSTER = "cluster"
    BASE_COMMITTEE = "base_committee"
    BASE_CELL = "base_cell"
    SUB_CELL = "sub_cell"


# The bloc is the root; clusters group base organisations; base committees hold sub-cells.
ALLOWED_PARENT_KINDS: Mapping[UnitKind, frozenset[UnitKind | None]] = {
    UnitKind.BLOC: frozenset({None}),
    UnitKind.CLUSTER: frozenset({UnitKind.BLOC}),
    UnitKind.BASE_COMMITTEE: frozenset({UnitKind.CLUSTER, UnitKind.BLOC}),
    UnitKind.BASE_CELL: frozenset({UnitKind.CLUSTER, UnitKind.BLOC}),
    UnitKind.SUB_CELL: frozenset({UnitKind.BASE_COMMITTEE}),
}

# Kinds that hold their own Party meetings (and so have a secretary and a member count).
CELL_KINDS = frozenset({UnitKind.BASE_CELL, UnitKind.SUB_CELL})
MEETING_KINDS = frozenset({UnitKind.BASE_COMMITTEE, UnitKind.BASE_CELL, UnitKind.SUB_CELL})
# Base organisations report to the bloc; a sub-cell reports to its base committee.
REPORTING_KINDS = frozenset({UnitKind.BASE_COMMITTEE, UnitKind.BASE_CELL})

CSV_COLUMNS = ("code", "name", "kind", "parent", "members")
# Optional: a base organisation's yearly target of new members (kết nạp); a file
# without the column leaves the targets already imported as they are.
ADMISSION_TARGET_COLUMN = "admission_target"
MAX_MEMBERS = 10_000
MAX_NAME_LENGTH = 300  # storage.models.Unit.name

# The one grammar of unit codes: upper-case letters A-Z, digits, "-" and "_", starting
# with a letter or digit. A "/" would sit inside another unit's tree path (a subtree
# is a path prefix), a ":" would split button data, and the length is what fits in
# every button that carries a code within Telegram's 64 bytes of callback data: the
# longest are "open:record:<code>:committee:2026-12" (30 bytes besides the code) and
# "open:report:<code>:<type>:2026-Q4" (21 besides the code and a report type of at
# most domain.policy.MAX_REPORT_TYPE_LENGTH = 16). tests/security checks every kind.
MAX_CODE_LENGTH = 24
UNIT_CODE = re.compile(rf"[A-Z0-9][A-Z0-9_-]{{0,{MAX_CODE_LENGTH - 1}}}")
CODE_RULE = (
    f"chỉ gồm chữ in hoa A-Z, chữ số, dấu - và _, bắt đầu bằng chữ hoặc số, "
    f"tối đa {MAX_CODE_LENGTH} ký tự"
)


def is_unit_code(text: str) -> bool:
    return UNIT_CODE.fullmatch(text) is not None


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: UnitKind
    parent: str | None
    members: int | None
    admission_target: int | None = None
    has_admission_target: bool = False  # the file has the column (an empty cell clears it)


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"dòng {self.line}: {self.message}"


class OrgFileError(ValueError):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def parse_org_csv(text: str, existing: Mapping[str, UnitKind] | None = None) -> list[UnitRow]:
    """Parse and validate a whole org file; raise OrgFileError listing every bad line.

    `existing` maps codes already in the database to their kind, so a file may
    name a parent imported earlier.
    """
    existing = existing or {}
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        raise OrgFileError([RowError(1, _csv_problem(error))]) from None
    missing = [c for c in CSV_COLUMNS if c not in fieldnames]
    if missing:
        raise OrgFileError([RowError(1, f"thiếu cột {', '.join(missing)}")])

    rows: list[tuple[int, UnitRow]] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    with_target = ADMISSION_TARGET_COLUMN in fieldnames
    for line, raw in _records(reader, errors):
        row, row_errors = _parse_row(line, raw, with_target)
        errors.extend(row_errors)
        if row is None:
            continue
        if row.code in first_line:
            errors.append(RowError(line, f"mã {row.code} trùng với dòng {first_line[row.code]}"))
            continue
        first_line[row.code] = line
        rows.append((line, row))

    kinds: dict[str, UnitKind] = dict(existing)
    kinds.update({r.code: r.kind for _, r in rows})
    for line, row in rows:
        if row.parent is not None and row.parent not in kinds:
            errors.append(RowError(line, f"đơn vị cấp trên {row.parent} không tồn tại"))
            continue
        parent_kind = kinds[row.parent] if row.parent is not None else None
        if parent_kind not in ALLOWED_PARENT_KINDS[row.kind]:
            under = parent_kind.value if parent_kind else "gốc"
            errors.append(RowError(line, f"loại {row.kind.value} không được nằm dưới {under}"))
    errors.extend(_cycle_errors(rows))
    if errors:
        raise OrgFileError(sorted(errors, key=lambda e: e.line))
    return [r for _, r in rows]


def _records(
    reader: csv.DictReader[str], errors: list[RowError]
) -> Iterator[tuple[int, Mapping[str, str | None]]]:
    """(line, row) of each record; a line the csv module cannot read ends the file there."""
    line = 1
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            errors.append(RowError(line + 1, _csv_problem(error)))
            return
        line += 1
        yield line, raw


def _csv_problem(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return f"có một ô dài hơn {csv.field_size_limit()} ký tự; tệp có đúng là CSV không?"
    return f"không đọc được dòng CSV ({error})"


def _parse_row(
    line: int, raw: Mapping[str, str | None], with_target: bool = False
) -> tuple[UnitRow | None, list[RowError]]:
    def cell(name: str) -> str:
        return (raw.get(name) or "").strip()

    errors: list[RowError] = []
    code, name, kind_text = cell("code"), cell("name"), cell("kind")
    parent = cell("parent")
    if not code:
        errors.append(RowError(line, "thiếu mã đơn vị"))
    elif not is_unit_code(code):
        errors.append(RowError(line, f"mã {_shown(code)} không hợp lệ: {CODE_RULE}"))
    if parent and not is_unit_code(parent):
        errors.append(RowError(line, f"mã cấp trên {_shown(parent)} không hợp lệ: {CODE_RULE}"))
    if not name:
        errors.append(RowError(line, "thiếu tên đơn vị"))
    elif len(name) > MAX_NAME_LENGTH:
        errors.append(RowError(line, f"tên dài {len(name)} ký tự, tối đa {MAX_NAME_LENGTH}"))
    elif has_control_characters(name):
        errors.append(RowError(line, "tên có ký tự điều khiển (không in được); hãy gõ lại tên"))
    try:
        kind = UnitKind(kind_text)
    except ValueError:
        errors.append(RowError(line, f"loại {kind_text!r} không hợp lệ"))
        kind = None
    members = _count(line, cell("members"), "số đảng viên", errors)
    target = _count(line, cell(ADMISSION_TARGET_COLUMN), "chỉ tiêu kết nạp", errors)
    if target is not None and kind is not None and kind not in REPORTING_KINDS:
        errors.append(RowError(line, "chỉ tiêu kết nạp chỉ đặt cho tổ chức cơ sở đảng"))
    if errors or kind is None:
        return None, errors
    return UnitRow(code, name, kind, parent or None, members, target, with_target), []


def _count(line: int, text: str, what: str, errors: list[RowError]) -> int | None:
    """A whole number in 0–MAX_MEMBERS from a cell (None when empty)."""
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        errors.append(RowError(line, f"{what} {_shown(text)} không phải số nguyên"))
        return None
    if not 0 <= value <= MAX_MEMBERS:
        errors.append(RowError(line, f"{what} {value} ngoài khoảng 0–{MAX_MEMBERS}"))
        return None
    return value


def _shown(text: str, limit: int = 40) -> str:
    """A bad value quoted in an error: printable, and short even when the cell is huge."""
    shown = repr(text[:limit])
    return shown + f" (… {len(text)} ký tự)" if len(text) > limit else shown


def _cycle_errors(rows: Iterable[tuple[int, UnitRow]]) -> list[RowError]:
    parent_of = {r.code: r.parent for _, r in rows}
    line_of = {r.code: line for line, r in rows}
    errors = []
    for code in parent_of:
        seen = {code}
        current = parent_of.get(code)
        while current is not None and current in parent_of:
            if current in seen:
                errors.append(RowError(line_of[code], f"vòng lặp cấp trên qua {current}"))
                break
            seen.add(current)
            current = parent_of[current]
    return errors


def tree_path(code: str, parent_path: str | None) -> str:
    return f"{parent_path or '/'}{code}/"
