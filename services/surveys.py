"""The quarterly member survey: open it, take answers, show results when allowed.

Who answered is never written anywhere: a response row holds the answers, the
optional comment and `respondent_key`, an HMAC of the Telegram id and the survey
with SURVEY_KEY (settings). Nothing else about a respondent is stored or logged
here, and no audit entry names them. Results (averages, comments) exist only for a
closed survey with at least `min_responses` answers: `CellSurvey.result` is None
otherwise, so no reader can show them by mistake.
"""

from __future__ import annotations

import enum
import secrets
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from domain import survey as rules
from domain.localtime import local_date
from domain.org import CELL_KINDS
from domain.periods import Quarter, parse_period_key
from domain.policy import Policy
from domain.survey_results import CellSurvey, SurveyRef, SurveySection
from domain.unit_names import NamedUnit
from storage import survey_queries
from storage.db import Database, Session
from storage.models import Survey
from storage.org_queries import active_codes, named_units


class SurveysDisabled(RuntimeError):
    """SURVEY_KEY is not set: answers could not be told apart without keeping ids."""


def secret_of(key: str) -> bytes:
    if not key:
        raise SurveysDisabled("SURVEY_KEY is empty")
    return key.encode()


def _ref(row: Survey) -> SurveyRef:
    quarter = parse_period_key(row.quarter)
    assert isinstance(quarter, Quarter)
    return SurveyRef(
        row.id,
        row.unit_code,
        quarter,
        row.token,
        row.opens_on,
        row.closes_on,
        tuple(rules.Question(q["code"], q["text"]) for q in row.questions),
    )


# ---------------------------------------------------------------------------
# Opening


def open_in(
    session: Session,
    quarter: Quarter,
    *,
    now: datetime,
    policy: Policy,
    unit_codes: Collection[str] | None = None,
    closes_on: date | None = None,
) -> list[SurveyRef]:
    """The quarter's survey of every active cell (or of `unit_codes`), created where
    missing; `closes_on` moves the closing day of all of them."""
    opens_on, default_close = policy.survey.window(quarter)
    today = local_date(now)
    if quarter <= Quarter.of(today):
        # Opened by hand before its window (the office, the CLI): open from today. A
        # later quarter's links can be handed out early; they work from its window.
        opens_on = min(opens_on, today)
    codes = active_codes(session, CELL_KINDS)
    if unit_codes is not None:
        wanted = set(unit_codes)
        codes = [c for c in codes if c in wanted]
    existing = survey_queries.of_quarter(session, quarter.key)
    questions = [{"code": q.code, "text": q.text_vi} for q in policy.survey.questions]
    new = [
        {
            "unit_code": code,
            "quarter": quarter.key,
            "token": rules.new_token(),
            "opens_on": opens_on,
            "closes_on": closes_on or default_close,
            "questions": questions,
            "created_at": now,
        }
        for code in codes
        if code not in existing
    ]
    if new:
        # Two openers at once (the planner and a secretary's /survey): one row per cell.
        survey_queries.add_missing(session, new)
    rows = survey_queries.of_quarter(session, quarter.key)
    if closes_on is not None:
        for code in codes:
            rows[code].closes_on = closes_on
        session.flush()
    return [_ref(rows[code]) for code in codes if code in rows]


def open_surveys(
    db: Database,
    quarter: Quarter,
    *,
    now: datetime,
    policy: Policy,
    unit_codes: Collection[str] | None = None,
    closes_on: date | None = None,
) -> list[SurveyRef]:
    with db.transaction() as session:
        return open_in(
            session, quarter, now=now, policy=policy, unit_codes=unit_codes, closes_on=closes_on
        )


def survey_of(db: Database, unit_code: str, *, now: datetime, policy: Policy) -> SurveyRef | None:
    """The cell's survey to show now: this window's (opened on first demand), or else
    its latest one."""
    today = local_date(now)
    quarter = policy.survey.open_quarter(today)
    with db.transaction() as session:
        if quarter is not None:
            opened = open_in(session, quarter, now=now, policy=policy, unit_codes=[unit_code])
            if opened:
                return opened[0]
        row = survey_queries.latest_opened_of(session, unit_code, today)
        return _ref(row) if row is not None else None


# ---------------------------------------------------------------------------
# Answering (a member, in a private chat: no actor, no role)


class Answering(enum.StrEnum):
    UNKNOWN = "unknown"  # no survey has this token
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"
    NO_ANSWER = "no_answer"  # a comment before any answer


@dataclass(frozen=True)
class Opening:
    state: Answering
    survey: SurveyRef | None = None
    unit_name: str | None = None
    previous: tuple[int, ...] | None = None  # this member's answers so far, if any
    has_comment: bool = False


def _state(row: Survey | None, today: date) -> Answering:
    if row is None:
        return Answering.UNKNOWN
    if today < row.opens_on:
        return Answering.NOT_YET
    if today > row.closes_on:
        return Answering.CLOSED
    return Answering.OPEN


def opening(
    db: Database, token: str, telegram_user_id: int, *, secret: bytes, now: datetime
) -> Opening:
    """What a member who opened the link sees first."""
    with db.transaction() as session:
        row = survey_queries.by_token(session, token)
        state = _state(row, local_date(now))
        if row is None:
            return Opening(state)
        name = named_units(session, [row.unit_code])[row.unit_code]
        unit_name = _label(name)
        if state != Answering.OPEN:
            return Opening(state, _ref(row), unit_name)
        mine = survey_queries.response(
            session, row.id, rules.respondent_key(secret, row.id, telegram_user_id)
        )
        return Opening(
            state,
            _ref(row),
            unit_name,
            tuple(mine.answers) if mine is not None else None,
            bool(mine is not None and mine.comment),
        )


def _label(unit: NamedUnit) -> str:
    return f"{unit.name} — {unit.parent_name}" if unit.parent_name else unit.name


@dataclass(frozen=True)
class Saved:
    state: Answering
    survey: SurveyRef | None = None
    changed: bool = False  # an earlier answer of this member was replaced


def save_answers(
    db: Database,
    token: str,
    telegram_user_id: int,
    answers: Sequence[int],
    *,
    secret: bytes,
    now: datetime,
) -> Saved:
    """Keep the member's answers (replacing theirs, if they answered before)."""
    with db.transaction() as session:
        row = survey_queries.by_token(session, token)
        state = _state(row, local_date(now))
        if row is None or state != Answering.OPEN:
            return Saved(state, _ref(row) if row is not None else None)
        if len(answers) != len(row.questions) or any(a not in rules.SCALE for a in answers):
            return Saved(Answering.UNKNOWN)
        key = rules.respondent_key(secret, row.id, telegram_user_id)
        before = survey_queries.response(session, row.id, key) is not None
        survey_queries.put_answers(session, row.id, key, list(answers))
        return Saved(Answering.OPEN, _ref(row), before)


def save_comment(
    db: Database,
    token: str,
    telegram_user_id: int,
    text: str,
    *,
    secret: bytes,
    now: datetime,
) -> Saved:
    """Attach (or replace) the member's comment on their answer."""
    with db.transaction() as session:
        row = survey_queries.by_token(session, token)
        state = _state(row, local_date(now))
        if row is None or state != Answering.OPEN:
            return Saved(state, _ref(row) if row is not None else None)
        mine = survey_queries.response(
            session, row.id, rules.respondent_key(secret, row.id, telegram_user_id)
        )
        if mine is None:
            return Saved(Answering.NO_ANSWER, _ref(row))
        changed = mine.comment is not None
        mine.comment = rules.clean_comment(text)
        return Saved(Answering.OPEN, _ref(row), changed)


# ---------------------------------------------------------------------------
# Forgetting who answered, once answers can no longer change

FORGOTTEN = "forgotten:"  # a respondent key replaced by random text


def forget_respondents(db: Database, now: datetime, policy: Policy) -> int:
    """Replace the respondent keys of closed surveys with random text (the plan tick).

    A key is needed only while its member may still change the answer. After the
    closing day (and one more, so no clock or time zone edge cuts an answer short)
    nothing recomputed from a Telegram id and SURVEY_KEY matches a row any more.
    """
    last_closed = local_date(now) - timedelta(days=2)
    changed = 0
    with db.transaction() as session:
        for row in survey_queries.keyed_responses(session, last_closed, FORGOTTEN):
            row.respondent_key = FORGOTTEN + secrets.token_hex(24)
            changed += 1
    return changed


# ---------------------------------------------------------------------------
# Results


def cell_surveys(
    db: Database,
    *,
    scope_path: str,
    quarter: Quarter,
    today: date,
    policy: Policy,
    unit_code: str | None = None,
) -> list[CellSurvey]:
    """The quarter's surveys of the cells under `scope_path` (or one cell), in tree order."""
    with db.transaction() as session:
        rows = survey_queries.in_scope(session, scope_path, quarter.key, unit_code)
        answers = survey_queries.answers_of(session, [s.id for s, _, _ in rows])
        codes = [s.unit_code for s, _, _ in rows]
        names = named_units(session, codes, scope_path=scope_path)
        levels = survey_queries.self_ratings(session, codes, [m.key for m in quarter.months])
    found = []
    for survey, kind, members in rows:
        ref = _ref(survey)
        given = answers.get(survey.id, [])
        closed = ref.is_closed(today)
        result = None
        if closed:
            result = rules.result_of(
                [a for a, _ in given], [c for _, c in given], policy.survey.min_responses
            )
        found.append(
            CellSurvey(
                ref,
                names[survey.unit_code],
                kind,
                members,
                len(given),
                closed,
                result,
                tuple(levels.get(survey.unit_code, ())),
            )
        )
    return found


def latest_opened(db: Database, scope_path: str, day: date) -> Quarter | None:
    """The latest quarter with a survey under `scope_path` that opened by `day`."""
    with db.transaction() as session:
        key = survey_queries.latest_quarter_opened(session, scope_path, day)
    if key is None:
        return None
    quarter = parse_period_key(key)
    assert isinstance(quarter, Quarter)
    return quarter


def year_averages(
    db: Database, codes: Iterable[str], year: int, *, today: date, policy: Policy
) -> dict[str, tuple[Fraction, int]]:
    """Per cell: the mean of its overall averages over the year's surveys closed by
    `today` with results, and how many (the year-end preview's members' view)."""
    known: dict[str, list[Fraction]] = defaultdict(list)
    wanted = set(codes)
    with db.transaction() as session:
        rows = [r for r in survey_queries.of_year(session, year) if r[1] in wanted]
        answers = survey_queries.answers_of(session, [r[0] for r in rows])
    for survey_id, code, closes_on in rows:
        if closes_on >= today:
            continue
        given = answers.get(survey_id, [])
        result = rules.result_of([a for a, _ in given], [], policy.survey.min_responses)
        if result is not None:
            known[code].append(result.overall)
    return {
        code: (sum(values, Fraction(0)) / len(values), len(values))
        for code, values in known.items()
    }


# ---------------------------------------------------------------------------
# A scope's quarter at a glance (/survey for oversight, the digest)


def section(
    db: Database, scope_path: str, day: date, policy: Policy, quarter: Quarter | None = None
) -> SurveySection | None:
    """The scope's latest survey opened by `day` (or `quarter`'s); None when no cell of
    the scope has one."""
    quarter = quarter or latest_opened(db, scope_path, day)
    if quarter is None:
        return None
    cells = cell_surveys(db, scope_path=scope_path, quarter=quarter, today=day, policy=policy)
    if not cells:
        return None
    first = cells[0].survey
    return SurveySection(
        quarter=quarter,
        opens_on=min(c.survey.opens_on for c in cells),
        closes_on=max(c.survey.closes_on for c in cells),
        closed=all(c.closed for c in cells),
        min_responses=policy.survey.min_responses,
        questions=first.questions,
        cells=tuple(cells),
        below_members=tuple(c for c in cells if c.below_members(policy)),
    )
