"""The digest's additions from the year's other measures: the latest survey, admissions
against target and, from the policy's preview month, the year-end grade preview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.admissions import ScopeAdmissions
from domain.grading import YearPreview
from domain.survey_results import SurveySection


@dataclass(frozen=True)
class DigestExtras:
    at: date
    survey: SurveySection | None
    admissions: ScopeAdmissions
    grades: YearPreview | None  # from the policy's preview month on
