"""Files that go with the digest: XLSX detail, PNG chart, DOCX notice, and month exports.

Every function returns bytes (ready for an outbox attachment or a Telegram
document) and reads its labels from `messages/templates/<locale>/digest_labels.yaml`
or the `digest_notice*.j2` templates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any

from domain.digest.month_rows import MonthExport, UnitRow
from domain.digest.results import Digest, Totals
from domain.localtime import local_date
from domain.meeting_kinds import MONTHLY_KIND
from domain.notice import NoticeHeader
from messages.digest_text import dlabel, flag_label, meeting_label
from messages.file_text import CHART_STYLE, spreadsheet_row, xml_text
from messages.notice_docx import NoticeText, Section, notice_docx

if TYPE_CHECKING:  # openpyxl (and numpy with it) loads when a file is made, not at start
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.worksheet import Worksheet

    from domain.digest.extras import DigestExtras

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@cache
def _header_style() -> tuple[Font, PatternFill]:
    from openpyxl.styles import Font, PatternFill

    return Font(bold=True), PatternFill("solid", fgColor="DDEBF7")


def file_stem(d: Digest) -> str:
    return f"tong-hop-{d.scope.code}-{d.at.isoformat()}"


def _pct(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


# ---------------------------------------------------------------------------
# XLSX


def _sheet(
    wb: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Worksheet:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title[:31])
    _append(ws, header)
    for cell in ws[1]:
        cell.font, cell.fill = _header_style()
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        _append(ws, row)
    for i, _ in enumerate(header, start=1):
        width = max(
            (len(str(c.value)) for c in ws[get_column_letter(i)] if c.value is not None), default=8
        )
        ws.column_dimensions[get_column_letter(i)].width = min(max(10, width + 2), 60)
    ws.freeze_panes = "A2"
    return ws


def _append(ws: Worksheet, row: Iterable[Any]) -> None:
    """Every XLSX row goes in here: text that Excel would run as a formula is neutralised."""
    ws.append(spreadsheet_row(row))


def _metric_rows(t: Totals, target: Fraction) -> list[tuple[str, Any]]:
    return [
        ("registration_expected", t.registration_expected),
        ("registered", t.registered),
        ("registration_on_time", t.registration_on_time),
        ("registration_late", t.registration_late),
        ("registration_missing", t.registration_missing),
        ("meetings_expected", t.meetings_expected),
        ("meetings_held", t.meetings_held),
        ("meetings_excused", t.meetings_excused),
        ("meetings_unexcused", t.meetings_unexcused),
        ("rated", t.rated),
        *((f"quality.{code}", n) for code, n in t.quality.items()),
        ("attendance_average", _pct(t.attendance_average)),
        ("attendance_target", _pct(target)),
        ("attendance_below_target", t.attendance_below_target),
        ("thematic_expected", t.thematic_expected),
        ("thematic_held", t.thematic_held),
        ("reports_expected", t.reports_expected),
        ("reports_on_time", t.reports_on_time),
        ("reports_late", t.reports_late),
        ("reports_missing", t.reports_missing),
        ("unreachable", t.unreachable),
    ]


def _metric_label(key: str, locale: str | None) -> str:
    if key.startswith("quality."):
        return dlabel(key, locale)
    return dlabel(f"metric.{key}", locale)


def digest_xlsx(d: Digest, locale: str | None = None, extras: DigestExtras | None = None) -> bytes:
    """The digest in full: headline numbers with last week, every list, breakdown and trend,
    and the `extras` (survey per cell, admissions, year-end shares: messages.year_files)."""
    from openpyxl import Workbook

    L = lambda key: dlabel(key, locale)  # noqa: E731
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = L("sheet.summary")[:31]
    p = d.periods
    _append(summary, [d.scope.name, d.scope.code])
    _append(summary, [L("col.week"), d.at.strftime("%d/%m/%Y")])
    _append(summary, [L("col.registration"), str(p.registration_month)])
    _append(summary, [L("col.meeting_status"), str(p.meeting_month)])
    _append(summary, [L("col.thematic"), str(p.quarter)])
    _append(summary, [])
    header_row = summary.max_row + 1
    _append(summary, [L("col.metric"), L("col.current"), L("col.previous"), L("col.change")])
    for cell in summary[header_row]:
        cell.font, cell.fill = _header_style()
    previous = dict(_metric_rows(d.previous.totals, d.attendance_target))
    for key, value in _metric_rows(d.totals, d.attendance_target):
        before = previous[key]
        change = (
            value - before
            if isinstance(value, int | float) and isinstance(before, int | float)
            else None
        )
        _append(summary, [_metric_label(key, locale), value, before, change])
    summary.column_dimensions["A"].width = 52
    for col in "BCD":
        summary.column_dimensions[col].width = 14

    lists = d.lists
    _sheet(
        wb,
        L("sheet.not_registered"),
        [L("col.group"), L("col.code"), L("col.unit")],
        (
            (g.group.name if g.group else L("base_cells_group"), u.code, u.name)
            for g in lists.not_registered
            for u in g.units
        ),
    )
    _sheet(
        wb,
        L("sheet.registered_late"),
        [L("col.code"), L("col.unit"), L("col.registered_on")],
        ((x.unit.code, x.unit.name, x.registered_on) for x in lists.registered_late),
    )
    _sheet(
        wb,
        L("sheet.reports"),
        [
            L("col.code"),
            L("col.unit"),
            L("col.report"),
            L("col.period"),
            L("col.due"),
            L("col.status"),
            L("col.sent_on"),
        ],
        (
            (
                r.unit.code,
                r.unit.name,
                r.report_name,
                r.period_label,
                r.due,
                L(f"report.{r.status.value}"),
                r.sent_on,
            )
            for r in lists.reports
        ),
    )
    _sheet(
        wb,
        L("sheet.meetings"),
        [L("col.code"), L("col.unit"), L("col.meeting"), L("col.status"), L("col.reason")],
        (
            (
                m.unit.code,
                m.unit.name,
                L(f"meeting.{m.kind.value}"),
                L(
                    "duty.excused"
                    if m.excused
                    else ("duty.missing" if m.recorded else "duty.no_record")
                ),
                m.reason,
            )
            for m in lists.meetings_not_held
        ),
    )
    _sheet(
        wb,
        L("sheet.ratings"),
        [
            L("col.code"),
            L("col.unit"),
            L("col.meeting"),
            L("col.level"),
            L("col.score"),
            L("col.flags"),
        ],
        (
            (
                r.unit.code,
                r.unit.name,
                L(f"meeting.{r.kind.value}"),
                L(f"quality.{r.level}"),
                r.score,
                "; ".join(flag_label(f, locale) for f in r.flags),
            )
            for r in lists.implausible_ratings
        ),
    )
    _sheet(
        wb,
        L("sheet.attendance"),
        [L("col.code"), L("col.unit"), L("col.present"), L("col.total"), L("col.rate")],
        (
            (a.unit.code, a.unit.name, a.present, a.total, _pct(a.rate))
            for a in lists.attendance_below_target
        ),
    )
    _sheet(
        wb,
        L("sheet.thematic"),
        [L("col.code"), L("col.unit")],
        ((t.unit.code, t.unit.name) for t in lists.thematic_missing),
    )
    _sheet(
        wb,
        L("sheet.unreachable"),
        [L("col.code"), L("col.unit"), L("col.role"), L("col.person"), L("col.since")],
        (
            (u.unit.code, u.unit.name, L(f"role.{u.role}"), u.person_name, local_date(u.since))
            for u in lists.unreachable
        ),
    )
    _sheet(
        wb,
        L("sheet.directives"),
        [
            L("col.directive"),
            L("col.due"),
            L("col.base"),
            L("col.code"),
            L("col.unit"),
            L("col.status"),
            L("col.done_on"),
        ],
        (
            (p.label, p.due, g.base.name if g.base else None, u.code, u.name, L(status), done)
            for p in lists.directives
            for g in p.groups
            for u, status, done in (
                *((u, "directive.not_done", None) for u in g.not_done),
                *((u, "directive.late", d) for u, d in g.late),
            )
        ),
    )
    _sheet(
        wb,
        L("sheet.cluster_absences"),
        [
            L("col.code"),
            L("col.unit"),
            L("col.cluster"),
            L("col.day"),
            L("col.status"),
            L("col.reason"),
        ],
        (
            (
                a.unit.code,
                a.unit.name,
                a.cluster.name,
                a.meeting_on,
                L("absence.excused" if a.excused else "absence.unexcused"),
                a.reason,
            )
            for a in lists.cluster_absences
        ),
    )
    _sheet(
        wb,
        L("sheet.breakdown"),
        [
            L("col.code"),
            L("col.unit"),
            L("metric.registered"),
            L("metric.registration_expected"),
            L("metric.meetings_held"),
            L("metric.meetings_expected"),
            L("metric.rated"),
            L("metric.attendance_average"),
            L("metric.thematic_held"),
            L("metric.thematic_expected"),
            L("metric.reports_on_time"),
            L("metric.reports_late"),
            L("metric.reports_missing"),
            L("metric.unreachable"),
        ],
        (
            (
                b.unit.code,
                b.unit.name,
                b.totals.registered,
                b.totals.registration_expected,
                b.totals.meetings_held,
                b.totals.meetings_expected,
                b.totals.rated,
                _pct(b.totals.attendance_average),
                b.totals.thematic_held,
                b.totals.thematic_expected,
                b.totals.reports_on_time,
                b.totals.reports_late,
                b.totals.reports_missing,
                b.totals.unreachable,
            )
            for b in d.breakdown
        ),
    )
    _sheet(
        wb,
        L("sheet.trend"),
        [L("col.week"), L("col.registered_pct"), L("col.held_pct"), L("col.reports_pct")],
        (
            (
                point.at,
                _share(point.totals.registered, point.totals.registration_expected),
                _share(point.totals.meetings_held, point.totals.meetings_expected),
                _share(point.totals.reports_on_time, point.totals.reports_expected),
            )
            for point in d.trend
        ),
    )
    if extras is not None:
        from messages.year_files import add_extras

        add_extras(wb, extras, locale)
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Month export (XLSX / CSV)


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
        rate = _pct(Fraction(r.present, r.total_members))
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
    ws = _sheet(
        wb,
        dlabel("sheet.units", locale),
        _export_header(locale, export),
        (_export_row(row, export, locale) for row in export.rows),
    )
    ws.title = f"{dlabel('sheet.units', locale)} {export.periods.meeting_month.key}"[:31]
    return _save(wb)


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


# ---------------------------------------------------------------------------
# PNG chart


def digest_chart_png(d: Digest, locale: str | None = None) -> bytes:
    """Compliance by child unit (clusters of the bloc) and the 8-week trend, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    # Names are shown as typed: "Cụm $x^$" is a name, not a formula (CHART_STYLE).
    with matplotlib.rc_context(CHART_STYLE):
        L = lambda key: dlabel(key, locale)  # noqa: E731
        fig = Figure(figsize=(12, 5), dpi=100)
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})

        names = [xml_text(b.unit.code) for b in d.breakdown] or [xml_text(d.scope.code)]
        totals = [b.totals for b in d.breakdown] or [d.totals]
        series = (
            (
                L("chart.registered"),
                [_share(t.registered, t.registration_expected) or 0 for t in totals],
            ),
            (L("chart.held"), [_share(t.meetings_held, t.meetings_expected) or 0 for t in totals]),
            (
                L("chart.reports"),
                [_share(t.reports_on_time, t.reports_expected) or 0 for t in totals],
            ),
        )
        width = 0.8 / len(series)
        for i, (label, values) in enumerate(series):
            xs = [x + (i - 1) * width for x in range(len(names))]
            left.bar(xs, values, width=width, label=label)
        left.set_xticks(
            range(len(names)),
            names,
            rotation=45 if len(names) > 8 else 0,
            ha="right" if len(names) > 8 else "center",
        )
        left.set_ylim(0, 105)
        left.set_ylabel(L("chart.percent"))
        left.set_title(f"{L('chart.breakdown_title')} — {xml_text(d.scope.name)}", fontsize=10)
        left.legend(fontsize=8, loc="upper right")

        days = [p.at.strftime("%d/%m") for p in d.trend]
        for label, key in (
            (L("chart.registered"), lambda t: _share(t.registered, t.registration_expected)),
            (L("chart.held"), lambda t: _share(t.meetings_held, t.meetings_expected)),
            (L("chart.reports"), lambda t: _share(t.reports_on_time, t.reports_expected)),
        ):
            right.plot(days, [key(p.totals) or 0 for p in d.trend], marker="o", label=label)
        right.set_ylim(0, 105)
        right.set_title(L("chart.trend_title"), fontsize=10)
        right.tick_params(axis="x", labelrotation=45)
        right.legend(fontsize=8, loc="upper left")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()


# ---------------------------------------------------------------------------
# DOCX notice


def digest_docx(d: Digest, notice: NoticeHeader, locale: str | None = None) -> bytes:
    """The week's formal notice (thông báo) in the office's form, with its appendix."""
    from messages.digest_text import notice_context
    from messages.render import render_plain

    ctx = notice_context(d, locale)
    return notice_docx(
        notice, notice_text(render_plain("digest_notice", locale, **ctx), ctx["appendix"]), locale
    )


def notice_text(rendered: str, appendix: Sequence[Section]) -> NoticeText:
    """A rendered notice template: its "# " line is the title, "## " lines the subject."""
    lines = rendered.splitlines()
    title = next((line[2:] for line in lines if line.startswith("# ")), "")
    subject = tuple(line[3:] for line in lines if line.startswith("## "))
    body = "\n".join(line for line in lines if not line.startswith(("# ", "## ")))
    return NoticeText(title, subject, body, tuple(appendix))
