"""Surveys need SURVEY_KEY; the clock stands inside the fourth quarter's survey window."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from services.clock import ManualClock
from tests.auxil.clocks import IN_WINDOW
from tests.survey.helpers import SURVEY_KEY


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(IN_WINDOW)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=db_url, telegram_bot_token="", survey_key=SURVEY_KEY
    )
