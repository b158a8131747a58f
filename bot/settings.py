"""Runtime settings, read from the environment or a `.env` file."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.policy import Policy

# 32 characters of a random key (`secrets.token_urlsafe(32)` gives 43): guessing it is
# hopeless, so the respondent keys cannot be recomputed without it.
MIN_SURVEY_KEY = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str = ""
    database_url: str = Field(default="sqlite:///var/chibo.sqlite3")
    timezone: str = "Asia/Ho_Chi_Minh"
    locale: str = "vi"
    bot_api_base_url: str = ""
    # Empty: read from Telegram (getMe) with the token, so links point at this bot.
    bot_username: str = ""
    # A copy of domain/policy_default.yaml with the bloc's own deadlines and rubric.
    policy_file: str = ""
    invite_ttl_days: int = 14
    # Wrong invite codes a user may type within the window before being told to wait.
    invite_max_failures: int = 5
    invite_failure_window_minutes: int = 30
    # `chibo run --webhook`: Telegram posts updates to WEBHOOK_URL (behind nginx, say);
    # this process listens on WEBHOOK_LISTEN:WEBHOOK_PORT at the URL's path and
    # accepts only requests carrying WEBHOOK_SECRET (see bot/run.py).
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str = ""
    # Messages per second this process may send (Telegram allows a bot about 30);
    # N instances sharing one bot token should each get 30/N (docs/deploy.md).
    send_rate_per_second: float = Field(default=30.0, gt=0, le=30)
    # The HMAC key that tells one survey respondent from another without keeping who
    # they are (README: "Member survey"). Empty: members cannot answer surveys.
    survey_key: str = ""

    @field_validator("survey_key")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if value and len(value) < MIN_SURVEY_KEY:
            raise ValueError(f"SURVEY_KEY needs at least {MIN_SURVEY_KEY} characters")
        return value

    def load_policy(self) -> Policy:
        return Policy.load(self.policy_file or None)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def ensure_sqlite_dir(self) -> None:
        """Create the folder of a file-based SQLite database, so a fresh clone just works."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            Path(self.database_url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)
