"""`chibo run --webhook`: a real process, updates POSTed as Telegram does, the secret checked."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fake_bot_api import FakeBotApi
from tests.scaleout.helpers import (
    ROOT,
    SECRET,
    free_port,
    message,
    post_update,
    webhook_bot,
    webhook_env,
)

pytestmark = pytest.mark.slow

STRANGER = 424242


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


def test_updates_with_the_secret_are_served_others_get_403(
    db_url: str, api: FakeBotApi, tmp_path: Path
) -> None:
    port = free_port()
    env = webhook_env(db_url, api.base_url, port)
    with webhook_bot(env, tmp_path / "bot.log"):
        [hook] = api.methods("setWebhook")
        assert hook.params["url"] == f"http://127.0.0.1:{port}/telegram"
        assert hook.params["secret_token"] == SECRET

        assert post_update(port, message(STRANGER, "/start"), secret=None) == 403
        assert post_update(port, message(STRANGER, "/start"), secret="wrong-secret-xxxxxxxx") == 403
        time.sleep(1.0)
        assert api.sent(STRANGER) == [], "a refused update reached a handler"

        assert post_update(port, message(STRANGER, "/start")) == 200
        assert api.wait_for(lambda a: a.sent(STRANGER), timeout=15), (
            tmp_path / "bot.log"
        ).read_text()
        [reply] = api.sent(STRANGER)
        assert "mã mời" in reply.text.lower() or "invite" in reply.text.lower(), reply.text


@pytest.mark.parametrize(
    ("secret", "url"),
    [("", "http://127.0.0.1:1/telegram"), ("short", "http://127.0.0.1:1/telegram"), (SECRET, "")],
)
def test_webhook_mode_refuses_to_start_without_a_good_secret_and_url(
    db_url: str, secret: str, url: str
) -> None:
    env = webhook_env(db_url, "http://127.0.0.1:1/bot", 1, WEBHOOK_SECRET=secret, WEBHOOK_URL=url)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--webhook"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert ("WEBHOOK_SECRET" if secret != SECRET else "WEBHOOK_URL") in done.stderr
