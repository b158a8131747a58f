"""The member survey's reads and writes: surveys by quarter or token, responses, results' inputs.

A response row is keyed by `respondent_key` only (services.surveys says why); nothing
here reads or writes who answered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import MeetingRecord, QualityRating, Survey, SurveyResponse, Unit

_IN_SQL = 2000  # ids or codes per IN (...) list


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def of_quarter(session: Session, quarter_key: str) -> dict[str, Survey]:
    """The quarter's surveys by unit code."""
    query = select(Survey).where(Survey.quarter == quarter_key)
    return {row.unit_code: row for row in session.scalars(query)}


def add_missing(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert these surveys; one that another opener inserted first is kept as it is."""
    session.execute(_insert(session)(Survey).on_conflict_do_nothing(), rows)


def latest_opened_of(session: Session, unit_code: str, day: date) -> Survey | None:
    """The cell's survey of the latest quarter that opened by `day`."""
    return session.scalar(
        select(Survey)
        .where(Survey.unit_code == unit_code, Survey.opens_on <= day)
        .order_by(Survey.quarter.desc())
        .limit(1)
    )


def by_token(session: Session, token: str) -> Survey | None:
    return session.scalar(select(Survey).where(Survey.token == token))


def response(session: Session, survey_id: int, respondent_key: str) -> SurveyResponse | None:
    return session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.survey_id == survey_id, SurveyResponse.respondent_key == respondent_key
        )
    )


def put_answers(session: Session, survey_id: int, respondent_key: str, answers: list[int]) -> None:
    """The member's answers, replacing theirs: one row per member and survey, also when
    two presses race."""
    values = {"survey_id": survey_id, "respondent_key": respondent_key, "answers": answers}
    session.execute(
        _insert(session)(SurveyResponse)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["survey_id", "respondent_key"], set_={"answers": answers}
        )
    )


def keyed_responses(
    session: Session, closed_by: date, forgotten_prefix: str
) -> list[SurveyResponse]:
    """The responses of surveys closed by `closed_by` whose key is not forgotten yet."""
    return list(
        session.scalars(
            select(SurveyResponse)
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(
                Survey.closes_on <= closed_by,
                SurveyResponse.respondent_key.not_like(f"{forgotten_prefix}%"),
            )
        )
    )


def in_scope(
    session: Session, scope_path: str, quarter_key: str, unit_code: str | None = None
) -> list[tuple[Survey, Any, int | None]]:
    """The quarter's surveys of the active cells under `scope_path` (or of one cell), with
    the cell's kind and members, in tree order."""
    query = (
        select(Survey, Unit.kind, Unit.members)
        .join(Unit, Unit.code == Survey.unit_code)
        .where(
            Survey.quarter == quarter_key,
            Unit.path.startswith(scope_path, autoescape=True),
            Unit.active.is_(True),
        )
        .order_by(Unit.path)
    )
    if unit_code is not None:
        query = query.where(Unit.code == unit_code)
    return [(s, kind, members) for s, kind, members in session.execute(query)]


def answers_of(
    session: Session, survey_ids: Sequence[int]
) -> dict[int, list[tuple[list[int], str | None]]]:
    """Each survey's responses: the answers and the comment."""
    found: dict[int, list[tuple[list[int], str | None]]] = defaultdict(list)
    for start in range(0, len(survey_ids), _IN_SQL):
        chunk = survey_ids[start : start + _IN_SQL]
        for survey_id, answers, comment in session.execute(
            select(SurveyResponse.survey_id, SurveyResponse.answers, SurveyResponse.comment).where(
                SurveyResponse.survey_id.in_(chunk)
            )
        ):
            found[survey_id].append((answers, comment))
    return found


def self_ratings(
    session: Session, codes: Sequence[str], month_keys: Sequence[str]
) -> dict[str, list[str]]:
    """The levels the cells gave their own held meetings of these months."""
    found: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(codes), _IN_SQL):
        chunk = codes[start : start + _IN_SQL]
        for code, level in session.execute(
            select(MeetingRecord.unit_code, QualityRating.level)
            .join(QualityRating, QualityRating.record_id == MeetingRecord.id)
            .where(MeetingRecord.unit_code.in_(chunk), MeetingRecord.month.in_(month_keys))
        ):
            found[code].append(level)
    return found


def latest_quarter_opened(session: Session, scope_path: str, day: date) -> str | None:
    """The key of the latest quarter with a survey under `scope_path` opened by `day`."""
    return session.scalar(
        select(func.max(Survey.quarter))
        .join(Unit, Unit.code == Survey.unit_code)
        .where(Unit.path.startswith(scope_path, autoescape=True), Survey.opens_on <= day)
    )


def of_year(session: Session, year: int) -> list[tuple[int, str, date]]:
    """The year's surveys: id, unit code and closing day."""
    query = select(Survey.id, Survey.unit_code, Survey.closes_on).where(
        Survey.quarter.like(f"{year:04d}-Q%")
    )
    return [(i, code, closes_on) for i, code, closes_on in session.execute(query)]
