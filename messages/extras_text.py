"""The digest's additions (services.digest_extras) as the chat text's context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from domain.survey import format_score
from domain.text_vi import format_percent
from messages.grade_text import shares_context
from messages.render import label

if TYPE_CHECKING:  # what a use-case hands in; messages never call services
    from services.digest_extras import DigestExtras


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
