"""The anonymity guarantee: no table keeps a respondent's Telegram id.

A member answers, changes the answer and comments; then every column of every row of
every table is read back (and the SQLite file itself, with its WAL), and the member's
Telegram id appears nowhere. What is kept instead is a keyed hash that differs from
survey to survey, so two surveys' answers cannot be linked without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from domain.periods import Quarter
from domain.policy import default_policy
from services.clock import ManualClock
from services.surveys import open_surveys
from storage.db import Database
from storage.models import Base, SurveyResponse
from tests.auxil.updates import BotHarness, User, texts
from tests.survey.helpers import SURVEY_KEY, answer, comment_prompt, reply

pytestmark = pytest.mark.usefixtures("demo_org")

# Ids that cannot turn up by accident in a row (no count, date or code looks like them).
MEMBER = User(7_351_962_084, "Ẩn", "Danh")


def every_value(db: Database) -> list[tuple[str, str, Any]]:
    found = []
    with db.transaction() as session:
        for name, table in Base.metadata.tables.items():
            for row in session.execute(select(table)).mappings():
                found.extend((name, column, value) for column, value in row.items())
    return found


def mentions(value: Any, user_id: int) -> bool:
    text = json.dumps(value, default=str, ensure_ascii=False) if value is not None else ""
    return str(user_id) in text


async def test_no_table_stores_the_telegram_id_of_a_respondent(
    bot: BotHarness, db: Database, db_url: str, clock: ManualClock
) -> None:
    opened = open_surveys(db, Quarter(2026, 4), now=clock.now(), policy=default_policy())
    first, second = (s for s in opened if s.unit_code in ("VPUBND-01", "NTM"))
    calls = await answer(bot, MEMBER, first.link_argument, "12345")
    assert "Đã ghi nhận" in await reply(bot, MEMBER, comment_prompt(calls), "Ý kiến của tôi")
    await answer(bot, MEMBER, first.link_argument, "54321")  # changed
    await answer(bot, MEMBER, second.link_argument, "33333")
    assert "chưa được mời" in texts(await bot.send(MEMBER, "/help"))  # and a stranger still

    values = every_value(db)
    assert values, "the tables were read"
    leaks = [(table, column) for table, column, value in values if mentions(value, MEMBER.id)]
    assert leaks == []
    # The SQLite file and its write-ahead log hold no trace of the id either.
    if db_url.startswith("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        for part in (path, path.with_name(path.name + "-wal")):
            if part.exists():
                assert str(MEMBER.id).encode() not in part.read_bytes(), part

    with db.transaction() as session:
        rows = {r.survey_id: r for r in session.scalars(select(SurveyResponse))}
    assert rows[first.id].answers == [5, 4, 3, 2, 1] and rows[first.id].comment == "Ý kiến của tôi"
    # The key: an HMAC with SURVEY_KEY of the survey and the id, different per survey.
    for survey in (first, second):
        expected = hmac.new(
            SURVEY_KEY.encode(),
            f"survey:{survey.id}:telegram:{MEMBER.id}".encode(),
            hashlib.sha256,
        ).hexdigest()
        assert rows[survey.id].respondent_key == expected
    assert rows[first.id].respondent_key != rows[second.id].respondent_key
    plain = hashlib.sha256(str(MEMBER.id).encode()).hexdigest()
    assert plain not in {r.respondent_key for r in rows.values()}


async def test_after_closing_not_even_the_key_finds_who_answered(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    from datetime import timedelta

    from domain.survey import respondent_key
    from services.surveys import FORGOTTEN, forget_respondents

    policy = default_policy()
    survey = next(
        s
        for s in open_surveys(db, Quarter(2026, 4), now=clock.now(), policy=policy)
        if s.unit_code == "VPUBND-01"
    )
    for n in range(5):
        await answer(bot, User(7_351_962_100 + n, "Đảng", "Viên"), survey.link_argument, "45345")
    # On the day after closing a member may still be mid-answer somewhere: keys stay.
    assert forget_respondents(db, survey.closes_at + timedelta(hours=12), policy) == 0
    assert forget_respondents(db, survey.closes_at + timedelta(days=1), policy) == 5
    assert forget_respondents(db, survey.closes_at + timedelta(days=2), policy) == 0  # once

    with db.transaction() as session:
        rows = list(session.scalars(select(SurveyResponse)))
    keys = {r.respondent_key for r in rows}
    assert all(k.startswith(FORGOTTEN) for k in keys) and len(keys) == 5
    for n in range(5):
        assert respondent_key(SURVEY_KEY.encode(), survey.id, 7_351_962_100 + n) not in keys
    assert [r.answers for r in rows] == [[4, 5, 3, 4, 5]] * 5  # the answers themselves stay
    clock.set(survey.closes_at + timedelta(days=1))
    shown = texts(
        await bot.send(User(7_351_962_100, "Đảng", "Viên"), f"/start {survey.link_argument}")
    )
    assert "đã đóng" in shown
