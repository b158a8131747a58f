"""The one way every XLSX here is written: header style, column widths, neutralised
text (no formula from a typed reason or a unit name), dates as DD/MM/YYYY."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from messages.file_text import spreadsheet_row

if TYPE_CHECKING:  # openpyxl (and numpy with it) loads when a file is made, not at start
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.worksheet import Worksheet


@cache
def header_style() -> tuple[Font, PatternFill]:
    from openpyxl.styles import Font, PatternFill

    return Font(bold=True), PatternFill("solid", fgColor="DDEBF7")


def add_sheet(
    wb: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Worksheet:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title[:31])
    append_row(ws, header)
    for cell in ws[1]:
        cell.font, cell.fill = header_style()
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        append_row(ws, row)
    for i, _ in enumerate(header, start=1):
        width = max(
            (len(str(c.value)) for c in ws[get_column_letter(i)] if c.value is not None), default=8
        )
        ws.column_dimensions[get_column_letter(i)].width = min(max(10, width + 2), 60)
    ws.freeze_panes = "A2"
    return ws


def append_row(ws: Worksheet, row: Iterable[Any]) -> None:
    """Every XLSX row goes in here: text that Excel would run as a formula is neutralised."""
    ws.append(spreadsheet_row(row))


def save_workbook(wb: Workbook) -> bytes:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
