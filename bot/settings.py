"""Runtime settings, read from the environment or a `.env` file."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, field_validator
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
    webhook_secret: str = ""
    # The one web server (bot/web_server.py): the webhook, the Mini App, /healthz and
    # /metrics. Webhook mode always starts it (port 8443 unless set); long polling only
    # when WEB_PORT is set. WEBHOOK_LISTEN/WEBHOOK_PORT are the older names.
    web_listen: str = Field(
        default="127.0.0.1", validation_alias=AliasChoices("web_listen", "webhook_listen")
    )
    web_port: int | None = Field(
        default=None, ge=1, le=65535, validation_alias=AliasChoices("web_port", "webhook_port")
    )
    # The Mini App's public HTTPS address (behind the reverse proxy, docs/deploy.md).
    # Empty: https://<host of WEBHOOK_URL>/app/ when WEBHOOK_URL is https; else no app
    # buttons (Telegram opens Mini Apps over HTTPS only).
    web_app_url: str = ""
    # How long a Mini App's signed launch data (initData) is accepted after Telegram made it.
    web_app_auth_max_age_seconds: int = Field(default=3600, ge=60, le=86400)
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

    @property
    def api_base_url(self) -> str:
        """BOT_API_BASE_URL, or Telegram's own (python-telegram-bot's default)."""
        return self.bot_api_base_url or "https://api.telegram.org/bot"

    @property
    def dashboard_url(self) -> str | None:
        """The Mini App's HTTPS address for buttons and the menu, or None (no app)."""
        url = self.web_app_url or _app_url_beside(self.webhook_url)
        return url if url.startswith("https://") else None

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


def _app_url_beside(webhook_url: str) -> str:
    parts = urlsplit(webhook_url)
    return f"https://{parts.netloc}/app/" if parts.scheme == "https" and parts.netloc else ""
