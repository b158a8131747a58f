"""The digest's additions (domain.digest.extras) as the chat text's context and as
the JSON digest's members."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain.survey import format_score
from domain.text_vi import format_percent
from messages.grade_text import as_dict as grades_dict
from messages.grade_text import shares_context
from messages.render import label

if TYPE_CHECKING:
    from domain.digest.extras import DigestExtras
    from domain.survey_results import SurveySection


def extras_context(
    extras: DigestExtras, cap: int, locale: str | None, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What `digest_extras.j2` reads; lists are cut at `cap` like the digest's own."""
    names = names or {}
    survey = extras.survey
    survey_ctx = None
    if survey is not None:
        below = [names.get(c.survey.unit_code, c.unit.name) for c in survey.below_members]
        survey_ctx = {
            "quarter": str(survey.quarter),
            "closed": survey.closed,
            "closes_on": survey.closes_on,
            "cells": len(survey.cells),
            "responded": survey.responded,
            "responses": survey.responses,
            "members": survey.members,
            "rate": format_percent(survey.response_rate)
            if survey.response_rate is not None
            else "—",
            "with_results": len(survey.with_results),
            "min_responses": survey.min_responses,
            "overall": format_score(survey.overall) if survey.overall is not None else None,
            "averages": [format_score(a) for a in survey.averages or ()],
            "below": {"shown": below[:cap], "more": max(0, len(below) - cap), "count": len(below)},
        }
    grades = extras.grades
    return {
        "survey": survey_ctx,
        "admissions": {"year": extras.admissions.year, "progress": extras.admissions.progress},
        "grades": None
        if grades is None
        else {
            "year": grades.year,
            "placeholder": grades.placeholder,
            "groups": [
                {"label": label(f"grade_group.{group}", locale), **shares_context(s, locale)}
                for group, s in grades.shares.items()
                if s.graded
            ],
        },
    }


# ---------------------------------------------------------------------------
# As JSON (`chibo digest --json`, `chibo survey results --json`)


def extras_dict(extras: DigestExtras) -> dict[str, Any]:
    """The JSON digest's `survey`, `admissions` and `grade_preview` members."""
    return {
        "survey": survey_dict(extras.survey) if extras.survey is not None else None,
        "admissions": {
            "year": extras.admissions.year,
            "admitted": extras.admissions.counts.admitted,
            "target": extras.admissions.target,
            "progress": extras.admissions.progress,
            "transfer_in": extras.admissions.counts.transfer_in,
            "transfer_out": extras.admissions.counts.transfer_out,
        },
        "grade_preview": (
            {k: v for k, v in grades_dict(extras.grades).items() if k != "units"}
            if extras.grades is not None
            else None
        ),
    }


def _number(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


def survey_dict(s: SurveySection) -> dict[str, Any]:
    """Counts for every cell; averages only where results are allowed (closed, enough)."""
    averages = s.averages
    return {
        "quarter": s.quarter.key,
        "opens_on": s.opens_on.isoformat(),
        "closes_on": s.closes_on.isoformat(),
        "closed": s.closed,
        "min_responses": s.min_responses,
        "cells": len(s.cells),
        "cells_responded": s.responded,
        "responses": s.responses,
        "members": s.members,
        "response_rate": _number(s.response_rate),
        "questions": [
            {
                "code": q.code,
                "text": q.text_vi,
                "average": _number(averages[i]) if averages else None,
            }
            for i, q in enumerate(s.questions)
        ],
        "average": _number(s.overall),
        "self_rating_above_members": [c.survey.unit_code for c in s.below_members],
        "by_cell": [
            {
                "code": c.survey.unit_code,
                "members": c.members,
                "responses": c.responses,
                "response_rate": _number(c.response_rate),
                "average": _number(c.result.overall) if c.result else None,
            }
            for c in s.cells
        ],
    }
