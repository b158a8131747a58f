"""Telegram Mini App launch data (`initData`): who opened the app, signed by Telegram.

Telegram hands the app a query string (`user=…&auth_date=…&hash=…`, and since Bot
API 8.0 a `signature` too). It is genuine when `hash` is the HMAC-SHA256 of the
other fields, sorted and joined as `key=value` lines, under the key
HMAC-SHA256("WebAppData", bot token) — so only Telegram, which knows the token, can
make it (https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app).
It is fresh when `auth_date` is at most `max_age` old. Pure: the clock is passed in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode

MAX_LENGTH = 4096  # Telegram's launch data is well under 1 KB
CLOCK_SKEW = timedelta(minutes=1)  # an auth_date a little ahead of our clock is accepted


class InitDataError(ValueError):
    """Launch data that is missing, malformed, forged or too old (the reason is logged)."""


@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    auth_date: datetime


def _secret(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The launch data Telegram would send for these fields (tests, the bench)."""
    digest = hmac.new(_secret(bot_token), _check_string(fields).encode(), hashlib.sha256)
    return urlencode({**fields, "hash": digest.hexdigest()})


def verify(init_data: str, bot_token: str, now: datetime, max_age: timedelta) -> WebAppUser:
    """The user the launch data names, if Telegram signed it and it is fresh; else raise."""
    if not init_data or len(init_data) > MAX_LENGTH:
        raise InitDataError("missing or oversized")
    if not bot_token:
        raise InitDataError("no bot token to check the signature with")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError as error:
        raise InitDataError("not a query string") from error
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("a field is repeated")
    received = fields.get("hash", "")
    expected = hmac.new(_secret(bot_token), _check_string(fields).encode(), hashlib.sha256)
    if not hmac.compare_digest(received.encode(), expected.hexdigest().encode()):
        raise InitDataError("hash does not match")
    try:
        auth_date = datetime.fromtimestamp(int(fields["auth_date"]), now.tzinfo)
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError) as error:
        raise InitDataError("auth_date or user missing or malformed") from error
    if now - auth_date > max_age:
        raise InitDataError("expired")
    if auth_date - now > CLOCK_SKEW:
        raise InitDataError("made in the future")
    return WebAppUser(
        id=user_id,
        first_name=str(user.get("first_name", "")),
        last_name=user.get("last_name"),
        username=user.get("username"),
        language_code=user.get("language_code"),
        auth_date=auth_date,
    )
