"""What the weekly digest adds beside the ledger's figures: the members' survey, admissions
against target, and (from the preview month) the year-end shares.

Computed by their own services, next to `services.digest.build_digest` and not inside
it: the digest proper stays the ledger's SQL aggregates. Each reader (the chat text,
the XLSX, the JSON) gets these from here, so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from fractions import Fraction
from typing import Any

from domain.localtime import at_local
from domain.policy import Policy
from services import admissions, grading, surveys
from services.digest import ScopeNotFound
from storage.db import Database
from storage.models import Unit


@dataclass(frozen=True)
class DigestExtras:
    at: date
    survey: surveys.SurveySection | None
    admissions: admissions.ScopeAdmissions
    grades: grading.YearPreview | None  # from the policy's preview month on

    def as_dict(self) -> dict[str, Any]:
        """The JSON digest's `survey`, `admissions` and `grade_preview` members."""
        from messages.grade_text import as_dict as grades_dict

        return {
            "survey": survey_dict(self.survey) if self.survey is not None else None,
            "admissions": {
                "year": self.admissions.year,
                "admitted": self.admissions.counts.admitted,
                "target": self.admissions.target,
                "progress": self.admissions.progress,
                "transfer_in": self.admissions.counts.transfer_in,
                "transfer_out": self.admissions.counts.transfer_out,
            },
            "grade_preview": (
                {k: v for k, v in grades_dict(self.grades).items() if k != "units"}
                if self.grades is not None
                else None
            ),
        }


def build_extras(db: Database, scope_code: str, at: date, policy: Policy) -> DigestExtras:
    with db.transaction() as session:
        scope = session.get(Unit, scope_code)
        if scope is None:
            raise ScopeNotFound(scope_code)
        path = scope.path
    grades = None
    if at.month >= policy.grading.preview_from_month:
        grades = grading.preview(db, scope_code, at.year, now=at_local(at, time(12)), policy=policy)
    return DigestExtras(
        at=at,
        survey=surveys.section(db, path, at, policy),
        admissions=grades.admissions
        if grades is not None
        else admissions.scope_year(db, path, at.year, policy),
        grades=grades,
    )


def _number(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


def survey_dict(s: surveys.SurveySection) -> dict[str, Any]:
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
