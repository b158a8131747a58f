"""Files of a roll-up: the XLSX detail and the DOCX notice in the office's form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.notice import NoticeHeader
from domain.obligations import ObligationKind, Status
from domain.rollup import Counts, Rollup
from messages.digest_files import notice_text
from messages.digest_labels import dlabel
from messages.notice_docx import notice_docx
from messages.render import render_plain
from messages.rollup_text import appendix_lines, appendix_sections, rollup_context
from messages.xlsx import add_sheet, save_workbook


def file_stem(r: Rollup) -> str:
    return f"so-ket-{r.scope.code}-{r.period.key}"


def _figures(c: Counts) -> list[Any]:
    k, s = ObligationKind, Status
    average = c.attendance_average
    return [
        f"{c.done(k.REGISTRATION)}/{c.of(k.REGISTRATION)}",
        f"{c.done(k.MEETING)}/{c.of(k.MEETING)}",
        c.of(k.MEETING, s.EXCUSED),
        c.of(k.MEETING, s.MISSING),
        f"{c.done(k.THEMATIC)}/{c.of(k.THEMATIC)}",
        f"{c.of(k.REPORT, s.ON_TIME)} / {c.of(k.REPORT, s.LATE)} / {c.of(k.REPORT, s.MISSING)}",
        f"{c.done(k.DIRECTIVE)}/{c.of(k.DIRECTIVE)} ({c.of(k.DIRECTIVE, s.LATE)})",
        f"{c.done(k.CLUSTER_MEETING)} / {c.of(k.CLUSTER_MEETING, s.EXCUSED)} / "
        f"{c.of(k.CLUSTER_MEETING, s.MISSING)}",
        None if average is None else round(float(average) * 100, 1),
        " / ".join(str(c.quality.get(level, 0)) for level in ("tot", "kha", "trung_binh", "kem")),
        c.visits,
    ]


def rollup_xlsx(
    r: Rollup, locale: str | None = None, names: Mapping[str, str] | None = None
) -> bytes:
    from openpyxl import Workbook

    names = names or {}
    L = lambda key: dlabel(key, locale)  # noqa: E731
    wb = Workbook()
    default = wb.active
    assert default is not None
    wb.remove(default)
    header = [
        L("col.code"),
        L("col.unit"),
        L("col.cluster"),
        L("rollup.registered"),
        L("rollup.held"),
        L("rollup.not_held_excused"),
        L("rollup.not_held"),
        L("rollup.thematic"),
        L("rollup.reports"),
        L("rollup.directives"),
        L("rollup.cluster"),
        L("rollup.attendance"),
        L("rollup.quality"),
        L("col.visits"),
    ]
    rows: list[list[Any]] = [
        [r.scope.code, L("rollup.total"), None, *_figures(r.total)],
        *([c.unit.code, c.unit.name, None, *_figures(c.counts)] for c in r.clusters),
        *(
            [
                x.unit.code,
                names.get(x.unit.code, x.unit.name),
                x.cluster.code if x.cluster else None,
                *_figures(x.counts),
            ]
            for x in r.rows
        ),
    ]
    add_sheet(wb, f"{L('sheet.rollup')} {r.period.key}", header, rows)
    add_sheet(wb, L("sheet.visits"), [L("col.member"), L("col.visits")], r.member_visits)
    add_sheet(
        wb,
        L("sheet.no_visit"),
        [L("col.code"), L("col.unit")],
        ((u.code, names.get(u.code, u.name)) for u in r.without_visit),
    )
    lines = appendix_lines(r, locale, names)
    titles = {
        "directives": L("rollup.appendix.directives"),
        "registrations": L("rollup.appendix.registrations"),
        "reports": L("rollup.appendix.reports"),
        "absences": L("rollup.appendix.absences"),
    }
    add_sheet(
        wb,
        L("sheet.appendix"),
        [L("col.list")],
        ([line] for key, title in titles.items() for line in (title, *lines[key], "")),
    )
    return save_workbook(wb)


def rollup_docx(
    r: Rollup,
    notice: NoticeHeader,
    locale: str | None = None,
    names: Mapping[str, str] | None = None,
) -> bytes:
    """The roll-up's notice (sơ kết / tổng kết) with its PHỤ LỤC CHI TIẾT."""
    names = names or {}
    ctx = rollup_context(r, 10_000, locale, names)
    body = render_plain("rollup_notice", locale, **ctx)
    return notice_docx(notice, notice_text(body, appendix_sections(r, locale, names)), locale)
