"""Fixtures for the end-to-end tests: a local Telegram Bot API emulator (see README.md)."""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator

import pytest

from .emulator_client import INSTALL_HINT, BotApiClient, EmulatorNotInstalled, TelegramEmulator


@pytest.fixture(scope="session")
def bot_api_server() -> Iterator[TelegramEmulator]:
    """The emulator process, started once per test session on a free 127.0.0.1 port."""
    if shutil.which("node") is None:
        # .ci/run sets CHIBO_E2E_REQUIRED=1 (and CI systems CI=true): there they must run.
        if os.environ.get("CHIBO_E2E_REQUIRED") == "1" or os.environ.get("CI") == "true":
            pytest.fail(
                "CHIBO_E2E_REQUIRED=1 but Node.js (`node`) is not installed: the e2e tests "
                f"need it for the Telegram Bot API emulator (then `{INSTALL_HINT}`)",
                pytrace=False,
            )
        pytest.skip(
            "Node.js (`node`) is not installed: the e2e tests need it to run the "
            f"Telegram Bot API emulator (then `{INSTALL_HINT}`)"
        )
    emulator = TelegramEmulator()
    try:
        emulator.start()
    except EmulatorNotInstalled as exc:
        pytest.fail(str(exc), pytrace=False)
    yield emulator
    emulator.stop()


@pytest.fixture
def bot_api(bot_api_server: TelegramEmulator) -> Iterator[BotApiClient]:
    """A client with a fresh bot token, on a freshly reset emulator."""
    client = bot_api_server.client()
    yield client
    unsupported = client.unsupported_calls()
    if unsupported:
        warnings.warn(
            f"the bot called Bot API methods the emulator doesn't implement: {unsupported}",
            stacklevel=1,
        )
    client.close()
