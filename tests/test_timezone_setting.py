"""TIMEZONE is the one switch for the bloc's local calendar: rules and texts follow it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from bot.cli import main
from domain.localtime import VN_TZ, at_local, local_date, local_zone, use_zone


@pytest.fixture
def restore_zone() -> Iterator[None]:
    yield
    use_zone(VN_TZ.key)


def test_default_zone_is_ho_chi_minh() -> None:
    assert local_zone().key == "Asia/Ho_Chi_Minh"
    assert at_local(date(2026, 12, 1), time(7, 0)) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


@pytest.mark.usefixtures("restore_zone")
def test_cli_applies_the_timezone_setting(
    monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TIMEZONE", "Asia/Tokyo")
    assert main(["org", "show", "--json"]) == 0
    assert local_zone().key == "Asia/Tokyo"
    # 16:30 UTC is already the next day in Tokyo (UTC+9), still the same day in Hà Nội.
    assert local_date(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == date(2026, 12, 1)
