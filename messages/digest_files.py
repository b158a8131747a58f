"""Files that go with the weekly digest: the XLSX detail and the DOCX notice (the PNG
chart is `messages.digest_chart`, the month export `messages.month_export_files`).

Every function returns bytes (ready for an outbox attachment or a Telegram
document) and reads its labels from `messages/templates/<locale>/digest_labels.yaml`
or the `digest_notice*.j2` templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain.digest.results import Digest, Totals
from domain.localtime import local_date
from domain.notice import NoticeHeader
from messages.digest_labels import dlabel, flag_label
from messages.file_text import percent_value, share_percent
from messages.notice_docx import NoticeText, Section, notice_docx
from messages.xlsx import add_sheet, append_row, header_style, save_workbook

if TYPE_CHECKING:  # openpyxl (and numpy with it) loads when a file is made, not at start
    from domain.digest.extras import DigestExtras

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_stem(d: Digest) -> str:
    return f"tong-hop-{d.scope.code}-{d.at.isoformat()}"


# ---------------------------------------------------------------------------
# XLSX


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
        ("attendance_average", percent_value(t.attendance_average)),
        ("attendance_target", percent_value(target)),
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
    append_row(summary, [d.scope.name, d.scope.code])
    append_row(summary, [L("col.week"), d.at.strftime("%d/%m/%Y")])
    append_row(summary, [L("col.registration"), str(p.registration_month)])
    append_row(summary, [L("col.meeting_status"), str(p.meeting_month)])
    append_row(summary, [L("col.thematic"), str(p.quarter)])
    append_row(summary, [])
    header_row = summary.max_row + 1
    append_row(summary, [L("col.metric"), L("col.current"), L("col.previous"), L("col.change")])
    for cell in summary[header_row]:
        cell.font, cell.fill = header_style()
    previous = dict(_metric_rows(d.previous.totals, d.attendance_target))
    for key, value in _metric_rows(d.totals, d.attendance_target):
        before = previous[key]
        change = (
            value - before
            if isinstance(value, int | float) and isinstance(before, int | float)
            else None
        )
        append_row(summary, [_metric_label(key, locale), value, before, change])
    summary.column_dimensions["A"].width = 52
    for col in "BCD":
        summary.column_dimensions[col].width = 14

    lists = d.lists
    add_sheet(
        wb,
        L("sheet.not_registered"),
        [L("col.group"), L("col.code"), L("col.unit")],
        (
            (g.group.name if g.group else L("base_cells_group"), u.code, u.name)
            for g in lists.not_registered
            for u in g.units
        ),
    )
    add_sheet(
        wb,
        L("sheet.registered_late"),
        [L("col.code"), L("col.unit"), L("col.registered_on")],
        ((x.unit.code, x.unit.name, x.registered_on) for x in lists.registered_late),
    )
    add_sheet(
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
    add_sheet(
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
    add_sheet(
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
    add_sheet(
        wb,
        L("sheet.attendance"),
        [L("col.code"), L("col.unit"), L("col.present"), L("col.total"), L("col.rate")],
        (
            (a.unit.code, a.unit.name, a.present, a.total, percent_value(a.rate))
            for a in lists.attendance_below_target
        ),
    )
    add_sheet(
        wb,
        L("sheet.thematic"),
        [L("col.code"), L("col.unit")],
        ((t.unit.code, t.unit.name) for t in lists.thematic_missing),
    )
    add_sheet(
        wb,
        L("sheet.unreachable"),
        [L("col.code"), L("col.unit"), L("col.role"), L("col.person"), L("col.since")],
        (
            (u.unit.code, u.unit.name, L(f"role.{u.role}"), u.person_name, local_date(u.since))
            for u in lists.unreachable
        ),
    )
    add_sheet(
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
    add_sheet(
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
    add_sheet(
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
                percent_value(b.totals.attendance_average),
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
    add_sheet(
        wb,
        L("sheet.trend"),
        [L("col.week"), L("col.registered_pct"), L("col.held_pct"), L("col.reports_pct")],
        (
            (
                point.at,
                share_percent(point.totals.registered, point.totals.registration_expected),
                share_percent(point.totals.meetings_held, point.totals.meetings_expected),
                share_percent(point.totals.reports_on_time, point.totals.reports_expected),
            )
            for point in d.trend
        ),
    )
    if extras is not None:
        from messages.year_files import add_extras

        add_extras(wb, extras, locale)
    return save_workbook(wb)


# ---------------------------------------------------------------------------
# Month export (XLSX / CSV)


# ---------------------------------------------------------------------------
# PNG chart


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
