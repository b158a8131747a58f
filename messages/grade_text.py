"""What the year-end preview's texts and files read: grades, criteria and shares, formatted."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain.grading import ALL_GRADES, Grade, Measure, Measurement, Shares, UnitGrade
from domain.survey import format_score
from domain.text_vi import format_percent
from messages.render import label, render

if TYPE_CHECKING:  # what a use-case hands in; messages never call services
    from domain.grading import YearPreview


def grade_label(grade: Grade, locale: str | None) -> str:
    return label(f"grade.{grade.value}", locale)


def _bound(m: Measurement, grade: Grade) -> str:
    minimum = m.criterion.minimum[grade]
    return (
        format_score(minimum) if m.criterion.measure == Measure.SURVEY else format_percent(minimum)
    )


def measured(m: Measurement) -> str:
    """ "10/12", or "3,8/5" for the members' view, or "—" when nothing is judged yet."""
    if m.criterion.measure == Measure.SURVEY:
        return f"{format_score(m.score)}/5" if m.score is not None else "—"
    return f"{m.done}/{m.decided}" if m.decided else "—"


def measurement(m: Measurement, grade: Grade | None = None) -> dict[str, Any]:
    return {
        "code": m.criterion.code,
        "label": m.criterion.label_vi,
        "value": measured(m),
        "pending": m.pending,
        "applies": m.applies,
        "minimum": _bound(m, grade) if grade is not None and grade in m.criterion.minimum else None,
        "reachable": m.can_still_meet(grade) if grade is not None else None,
    }


def unit_context(g: UnitGrade, locale: str | None) -> dict[str, Any]:
    """A secretary's own preview: the grade, what keeps it from the next, what may change."""
    up = g.next_grade
    return {
        "grade": grade_label(g.grade, locale),
        "grade_code": g.grade.value,
        "next": grade_label(up, locale) if up is not None else None,
        "blocking": [measurement(s.measurement, s.grade) for s in g.blocking],
        "at_risk": [measurement(m, g.grade) for m in g.at_risk],
        "pending": [measurement(m) for m in g.pending],
    }


def shares_context(s: Shares, locale: str | None) -> dict[str, Any]:
    def pct(value: Fraction | None) -> str:
        return format_percent(value) if value is not None else "—"

    return {
        "graded": s.graded,
        "counts": [
            {"grade": grade_label(g, locale), "code": g.value, "count": s.counts.get(g, 0)}
            for g in ALL_GRADES
        ],
        "good_or_better": s.good_or_better,
        "good_or_better_share": pct(s.share(s.good_or_better)),
        "good_or_better_target": format_percent(s.good_or_better_target),
        "good_or_better_met": s.good_or_better_met,
        "excellent": s.excellent,
        "excellent_share": pct(s.share(s.excellent)),
        "excellent_cap": format_percent(s.excellent_cap),
        "excellent_within_cap": s.excellent_within_cap,
    }


def preview_context(p: YearPreview, locale: str | None, cap: int = 10) -> dict[str, Any]:
    """The leadership view: shares per group, the organisations not done, admissions."""
    failing = p.by_grade(Grade.KHONG_HOAN_THANH)
    return {
        "year": p.year,
        "as_of": p.as_of,
        "scope_name": p.scope_name,
        "placeholder": p.placeholder,
        "ledger_start": p.ledger_start if p.partial_year else None,
        "groups": [
            {"label": label(f"grade_group.{group}", locale), **shares_context(s, locale)}
            for group, s in p.shares.items()
            if s.graded
        ],
        "failing": [
            {
                "name": u.name,
                "unmet": [measurement(s.measurement, s.grade)["label"] for s in u.grade.blocking],
            }
            for u in failing[:cap]
        ],
        "failing_count": len(failing),
        "failing_more": max(0, len(failing) - cap),
        "admissions": p.admissions.progress,
        "admissions_missing_target": len(p.admissions.without_target),
    }


def preview_text(p: YearPreview, locale: str | None, cap: int = 10) -> str:
    """/grade's message (HTML): at most `cap` organisations named per list."""
    text = render("grade", locale, view="preview", **preview_context(p, locale, cap))
    return _BLANK_LINES.sub("\n\n", text)


_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")


def as_dict(p: YearPreview) -> dict[str, Any]:
    """`chibo grade preview --format json`: every organisation and criterion."""

    def number(value: Fraction | None) -> float | None:
        return None if value is None else round(float(value), 4)

    def shares(s: Shares) -> dict[str, Any]:
        return {
            "graded": s.graded,
            "counts": {g.value: s.counts.get(g, 0) for g in ALL_GRADES},
            "good_or_better": {
                "count": s.good_or_better,
                "share": number(s.share(s.good_or_better)),
                "target_at_least": number(s.good_or_better_target),
                "met": s.good_or_better_met,
            },
            "excellent": {
                "count": s.excellent,
                "share": number(s.share(s.excellent)),
                "cap_at_most": number(s.excellent_cap),
                "within_cap": s.excellent_within_cap,
            },
        }

    def criterion(m: Measurement) -> dict[str, Any]:
        return {
            "code": m.criterion.code,
            "applies": m.applies,
            "done": m.done,
            "decided": m.decided,
            "pending": m.pending,
            "value": number(m.value),
            "best": number(m.best),
            "minimum": {g.value: number(v) for g, v in m.criterion.minimum.items()},
        }

    admissions = p.admissions
    return {
        "schema": "chibo.grade_preview/1",
        "year": p.year,
        "as_of": p.as_of.isoformat(),
        "scope": p.scope_code,
        "placeholder_thresholds": p.placeholder,
        "ledger_start": p.ledger_start.isoformat() if p.ledger_start else None,
        "shares": {group: shares(s) for group, s in p.shares.items()},
        "units": [
            {
                "code": u.grade.code,
                "name": u.name,
                "kind": u.grade.kind.value,
                "parent": u.parent_code,
                "grade": u.grade.grade.value,
                "unmet_for_next_grade": [s.measurement.criterion.code for s in u.grade.blocking],
                "criteria": [criterion(m) for m in u.grade.measurements],
            }
            for u in p.units
        ],
        "admissions": {
            "year": admissions.year,
            "admitted": admissions.counts.admitted,
            "transfer_in": admissions.counts.transfer_in,
            "transfer_out": admissions.counts.transfer_out,
            "target": admissions.target,
            "progress": admissions.progress,
            "units": [
                {
                    "code": u.unit.code,
                    "members": u.members,
                    "target": u.target,
                    "admitted": u.counts.admitted,
                    "transfer_in": u.counts.transfer_in,
                    "transfer_out": u.counts.transfer_out,
                    "progress": u.progress,
                }
                for u in admissions.units
            ],
        },
    }
