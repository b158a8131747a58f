"""The month export (`chibo export`, /unit's file): one line per unit, as XLSX or CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain.digest.month_rows import MonthExport, UnitRow
from domain.meeting_kinds import MONTHLY_KIND
from messages.digest_labels import dlabel, flag_label
from messages.file_text import percent_value, spreadsheet_row
from messages.unit_text import meeting_label
from messages.xlsx import add_sheet, save_workbook

if TYPE_CHECKING:  # openpyxl (and numpy with it) loads when a file is made, not at start
    pass


def _export_header(locale: str | None, export: MonthExport) -> list[str]:
    L = lambda key: dlabel(key, locale)  # noqa: E731
    header = [
        L("col.code"),
        L("col.unit"),
        L("col.kind"),
        L("col.cluster"),
        L("col.members"),
        L("col.registration"),
        L("col.registered_on"),
        L("col.meeting"),
        L("col.meeting_status"),
        L("col.held_on"),
        L("col.present"),
        L("col.total"),
        L("col.rate"),
        L("col.reason"),
        L("col.level"),
        L("col.score"),
        L("col.flags"),
        L("col.thematic"),
    ]
    for due in export.periods.reports:
        header.append(f"{due.report_type.name_vi} ({due.period})")
    header.append(L("col.unreachable"))
    return header


def _export_row(row: UnitRow, export: MonthExport, locale: str | None) -> list[Any]:
    L = lambda key: dlabel(key, locale)  # noqa: E731
    r = row.record
    rate = None
    if r is not None and r.held and r.present is not None and r.total_members:
        rate = percent_value(Fraction(r.present, r.total_members))
    meeting = L(meeting_label(row)) if row.meeting is not None else None
    reports = {
        (due.report_type.code, due.period.key): (status, sent) for due, status, sent in row.reports
    }
    values: list[Any] = [
        row.unit.code,
        row.unit.name,
        L(f"kind.{row.unit.kind.value}"),
        row.cluster,
        row.unit.members,
        L(f"registration.{row.registration.value}") if row.registration else None,
        row.registered_on,
        L(f"meeting.{MONTHLY_KIND[row.unit.kind].value}"),
        meeting,
        r.held_on if r else None,
        r.present if r else None,
        r.total_members if r else None,
        rate,
        r.not_held_reason if r and not r.held else None,
        L(f"quality.{r.rating_level}") if r and r.rating_level else None,
        r.rating_score if r else None,
        "; ".join(flag_label(f, locale) for f in r.rating_flags) if r else None,
        None
        if row.thematic_held is None
        else L("answer.yes" if row.thematic_held else "answer.no"),
    ]
    for due in export.periods.reports:
        found = reports.get((due.report_type.code, due.period.key))
        if found is None:
            values.append(None)
        else:
            status, sent = found
            values.append(L(f"report.{status.value}") + (f" ({sent:%d/%m/%Y})" if sent else ""))
    values.append("; ".join(row.unreachable) or None)
    return values


def export_xlsx(export: MonthExport, locale: str | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    default = wb.active
    assert default is not None
    wb.remove(default)
    ws = add_sheet(
        wb,
        dlabel("sheet.units", locale),
        _export_header(locale, export),
        (_export_row(row, export, locale) for row in export.rows),
    )
    ws.title = f"{dlabel('sheet.units', locale)} {export.periods.meeting_month.key}"[:31]
    return save_workbook(wb)


def export_csv(export: MonthExport, locale: str | None = None) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Vietnamese names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(spreadsheet_row(_export_header(locale, export)))
    for row in export.rows:
        writer.writerow(
            spreadsheet_row(
                v.isoformat() if isinstance(v, date) else ("" if v is None else v)
                for v in _export_row(row, export, locale)
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
