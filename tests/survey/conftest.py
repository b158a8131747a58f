"""Surveys need SURVEY_KEY; the clock stands inside the fourth quarter's survey window."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.settings import Settings
from services.clock import ManualClock

SURVEY_KEY = "test-survey-key-" + "x" * 32
# Tuesday 15/12/2026 09:00 in Hà Nội: the Q4 survey takes answers 10/12/2026–10/01/2027.
IN_WINDOW = datetime(2026, 12, 15, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(IN_WINDOW)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=db_url, telegram_bot_token="", survey_key=SURVEY_KEY
    )
