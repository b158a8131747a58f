"""XLSX sheets of the year: the grade preview, its shares, admissions, and the survey.

They go into the digest's workbook (`digest_xlsx(..., extras=…)`) and make up
`chibo grade preview --format xlsx` and the file /grade sends. Sheets are written
by `messages.xlsx`' one sheet writer, which neutralises formulas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.admissions import ScopeAdmissions
from domain.grading import ALL_GRADES, YearPreview
from domain.survey_results import CellSurvey, SurveySection
from messages.digest_labels import dlabel
from messages.grade_text import grade_label, measured
from messages.render import label
from messages.xlsx import add_sheet, save_workbook

if TYPE_CHECKING:
    from openpyxl import Workbook

    from domain.digest.extras import DigestExtras


def preview_xlsx(preview: YearPreview, locale: str | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    default = wb.active
    assert default is not None
    wb.remove(default)
    grades_sheet(wb, preview, locale)
    shares_sheet(wb, preview, locale)
    admissions_sheet(wb, preview.admissions, locale)
    return save_workbook(wb)


def add_extras(wb: Workbook, extras: DigestExtras, locale: str | None) -> None:
    """The digest's additions: the survey per cell, admissions, and the year's shares."""
    if extras.survey is not None:
        survey_sheet(wb, extras.survey, locale)
    admissions_sheet(wb, extras.admissions, locale)
    if extras.grades is not None:
        shares_sheet(wb, extras.grades, locale)


def survey_sheet(wb: Workbook, survey: SurveySection, locale: str | None) -> None:
    """Every cell's answers and response rate; averages only where results are allowed."""
    L = lambda key: dlabel(key, locale)  # noqa: E731
    below = {c.survey.unit_code for c in survey.below_members}

    def row(c: CellSurvey) -> list[Any]:
        averages = list(c.result.averages) if c.result is not None else []
        return [
            c.survey.unit_code,
            c.unit.name,
            c.members,
            c.responses,
            _pct(c.response_rate),
            _score(c.result.overall) if c.result is not None else None,
            *(_score(a) for a in averages),
            *([None] * (len(survey.questions) - len(averages))),
            L("yes") if c.survey.unit_code in below else "",
        ]

    add_sheet(
        wb,
        f"{L('sheet.survey')} {survey.quarter.key}",
        [
            L("col.code"),
            L("col.unit"),
            L("col.members"),
            L("col.responses"),
            L("col.rate"),
            L("col.average"),
            *(f"{i}. {q.text_vi}" for i, q in enumerate(survey.questions, start=1)),
            L("col.below_members"),
        ],
        (row(c) for c in survey.cells),
    )


def admissions_sheet(wb: Workbook, scope: ScopeAdmissions, locale: str | None) -> None:
    L = lambda key: dlabel(key, locale)  # noqa: E731
    total = [
        "",
        "",
        None,
        scope.target,
        scope.counts.admitted,
        scope.counts.transfer_in,
        scope.counts.transfer_out,
        scope.progress,
    ]
    add_sheet(
        wb,
        f"{L('sheet.admissions')} {scope.year}",
        [
            L("col.code"),
            L("col.unit"),
            L("col.members"),
            L("col.target"),
            L("col.admitted"),
            L("col.transfer_in"),
            L("col.transfer_out"),
            L("col.progress"),
        ],
        [
            *(
                [
                    u.unit.code,
                    u.unit.name,
                    u.members,
                    u.target,
                    u.counts.admitted,
                    u.counts.transfer_in,
                    u.counts.transfer_out,
                    u.progress,
                ]
                for u in scope.units
            ),
            total,
        ],
    )


def shares_sheet(wb: Workbook, preview: YearPreview, locale: str | None) -> None:
    L = lambda key: dlabel(key, locale)  # noqa: E731
    add_sheet(
        wb,
        f"{L('sheet.grade_shares')} {preview.year}",
        [
            "",
            L("col.graded"),
            *(grade_label(g, locale) for g in ALL_GRADES),
            L("col.good_or_better"),
            L("col.share"),
            L("col.goal"),
            L("col.met"),
            L("col.excellent"),
            L("col.share"),
            L("col.goal"),
            L("col.met"),
        ],
        (
            [
                label(f"grade_group.{group}", locale),
                s.graded,
                *(s.counts.get(g, 0) for g in ALL_GRADES),
                s.good_or_better,
                _pct(s.share(s.good_or_better)),
                _pct(s.good_or_better_target),
                L("yes") if s.good_or_better_met else L("no"),
                s.excellent,
                _pct(s.share(s.excellent)),
                _pct(s.excellent_cap),
                L("yes") if s.excellent_within_cap else L("no"),
            ]
            for group, s in preview.shares.items()
        ),
    )


def grades_sheet(wb: Workbook, preview: YearPreview, locale: str | None) -> None:
    """One row per organisation: its grade, what it misses for the next, each criterion."""
    L = lambda key: dlabel(key, locale)  # noqa: E731
    criteria = preview.units[0].grade.measurements if preview.units else ()
    add_sheet(
        wb,
        f"{L('sheet.grades')} {preview.year}",
        [
            L("col.code"),
            L("col.unit"),
            L("col.kind"),
            L("col.grade"),
            L("col.unmet"),
            *(m.criterion.label_vi for m in criteria),
        ],
        (
            [
                u.grade.code,
                u.name,
                L(f"kind.{u.grade.kind.value}"),
                grade_label(u.grade.grade, locale),
                "; ".join(s.measurement.criterion.label_vi for s in u.grade.blocking),
                *(measured(m) if m.applies else "" for m in u.grade.measurements),
            ]
            for u in preview.units
        ),
    )


def _pct(value: Any) -> float | None:
    return None if value is None else round(float(value) * 100, 2)


def _score(value: Any) -> float:
    return round(float(value), 2)
