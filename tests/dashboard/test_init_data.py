"""Telegram's signed launch data (web/init_data.py): genuine and fresh, or refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from web.init_data import InitDataError, sign, verify

TOKEN = "123456:ABC-real-token"
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def fields(at: datetime = NOW, **extra: str) -> dict[str, str]:
    return {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": 279058397, "first_name": "Hùng", "language_code": "vi"}),
        "auth_date": str(int(at.timestamp())),
        **extra,
    }


def test_data_signed_with_the_bots_token_names_its_user() -> None:
    user = verify(sign(fields(), TOKEN), TOKEN, NOW, HOUR)
    assert (user.id, user.first_name, user.language_code) == (279058397, "Hùng", "vi")
    assert user.auth_date == NOW


def test_the_check_follows_telegrams_recipe_to_the_letter() -> None:
    """Computed here independently: secret = HMAC(key "WebAppData", token); hash =
    HMAC(secret, the sorted key=value lines without hash), hex; `signature` included."""
    data = fields(signature="abc123")
    check = "\n".join(f"{k}={data[k]}" for k in sorted(data))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert verify(urlencode({**data, "hash": digest}), TOKEN, NOW, HOUR).id == 279058397


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: {**d, "user": d["user"].replace("279058397", "279058398")},  # another user
        lambda d: {**d, "auth_date": str(int(d["auth_date"]) + 3000)},  # a fresher date
        lambda d: {**d, "hash": d["hash"][:-1] + ("0" if d["hash"][-1] != "0" else "1")},
        lambda d: {k: v for k, v in d.items() if k != "hash"},  # no hash
        lambda d: {**d, "hash": ""},
        lambda d: {**d, "extra": "1"},  # a field added
    ],
)
def test_tampered_data_is_refused(tamper) -> None:  # type: ignore[no-untyped-def]
    genuine = dict(parse_qsl(sign(fields(), TOKEN)))
    with pytest.raises(InitDataError):
        verify(urlencode(tamper(genuine)), TOKEN, NOW, HOUR)


def test_data_signed_with_another_bots_token_is_refused() -> None:
    with pytest.raises(InitDataError, match="hash"):
        verify(sign(fields(), "654321:other-bot"), TOKEN, NOW, HOUR)


def test_data_older_than_the_allowed_age_is_refused_and_younger_accepted() -> None:
    assert verify(sign(fields(NOW - HOUR), TOKEN), TOKEN, NOW, HOUR).id == 279058397
    with pytest.raises(InitDataError, match="expired"):
        verify(sign(fields(NOW - HOUR - timedelta(seconds=1)), TOKEN), TOKEN, NOW, HOUR)


def test_data_from_the_future_is_refused_beyond_a_minute_of_clock_skew() -> None:
    assert verify(sign(fields(NOW + timedelta(seconds=50)), TOKEN), TOKEN, NOW, HOUR)
    with pytest.raises(InitDataError, match="future"):
        verify(sign(fields(NOW + timedelta(minutes=5)), TOKEN), TOKEN, NOW, HOUR)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not a query string",
        "a=1&a=2",  # repeated field
        "x" * 5000,  # oversized
    ],
)
def test_malformed_data_is_refused(raw: str) -> None:
    with pytest.raises(InitDataError):
        verify(raw, TOKEN, NOW, HOUR)


@pytest.mark.parametrize(
    "user", ["not json", json.dumps([1, 2]), json.dumps({"first_name": "no id"}), ""]
)
def test_a_signed_but_malformed_user_is_refused(user: str) -> None:
    with pytest.raises(InitDataError, match="malformed"):
        verify(sign(fields(user=user), TOKEN), TOKEN, NOW, HOUR)


def test_without_a_token_nothing_can_be_checked_and_nothing_is_accepted() -> None:
    with pytest.raises(InitDataError):
        verify(sign(fields(), ""), "", NOW, HOUR)
