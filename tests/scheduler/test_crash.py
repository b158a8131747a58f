"""Kill the dispatcher mid-send (SIGKILL, a real process) and restart it: nothing lost,
at most one duplicate per crash.

A small HTTP server on 127.0.0.1 plays the Telegram Bot API (BOT_API_BASE_URL). It
records every sendMessage as delivered the moment it arrives; at the chosen
message it holds its answer, and the test kills `chibo reminders dispatch` right
then: Telegram has accepted the message, the process never marked it sent. That
is the worst case for the outbox, and it must cost exactly one duplicate.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox import Outgoing, enqueue
from tests.auxil.policy_files import without_quiet_hours

pytestmark = pytest.mark.slow

ROWS = 30
TOKEN = "123456:TEST"
ROOT = Path(__file__).resolve().parents[2]


class FakeBotApi(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.delivered: list[int] = []  # message numbers, in the order they arrived
        self.hold_at: int | None = None  # hold the answer to the n-th delivery
        self.holding = threading.Event()
        self.release = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/bot"


class _Handler(BaseHTTPRequestHandler):
    server: FakeBotApi

    def log_message(self, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        method = self.path.rsplit("/", 1)[-1]
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        result: Any = True
        if method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "bot", "username": "ChiBoBot"}
        elif method == "sendMessage":
            number = int(form["text"].removeprefix("#"))
            with self.server.lock:
                self.server.delivered.append(number)
                hold = len(self.server.delivered) == self.server.hold_at
            if hold:  # accepted, but the sender never hears back
                self.server.holding.set()
                self.server.release.wait(30)
                return
            result = {
                "message_id": len(self.server.delivered),
                "date": int(datetime.now(UTC).timestamp()),
                "chat": {"id": int(form["chat_id"]), "type": "private"},
                "text": form["text"],
            }
        body = json.dumps({"ok": True, "result": result}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def _dispatch(db_url: str, api: FakeBotApi, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        # Real clock: without quiet hours the test passes at any hour of the day.
        "POLICY_FILE": str(without_quiet_hours(log.parent)),
        "DATABASE_URL": db_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": api.base_url,
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "bot.cli", "reminders", "dispatch", "--until-empty"]
    command += ["--batch", "5", "--lease-seconds", "0.5", "--timeout", "60"]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def test_sigkill_mid_dispatch_loses_nothing_and_duplicates_at_most_once_per_crash(
    sqlite_only: None, db_url: str, db: Database, api: FakeBotApi, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    with db.transaction() as session:
        enqueue(
            session,
            [
                Outgoing(
                    dedup_key=f"crash:{i}",
                    chat_id=1000 + i,
                    reason="test",
                    period="p",
                    text=f"#{i}",
                    not_before=now - timedelta(minutes=1),
                )
                for i in range(ROWS)
            ],
            now=now,
        )
    log = tmp_path / "dispatch.log"
    crashes = 0
    for hold_at in (6, 19):  # two crashes, each with a message in flight
        api.hold_at, crashes = hold_at + crashes, crashes + 1
        api.holding.clear()
        api.release.clear()
        process = _dispatch(db_url, api, log)
        assert api.holding.wait(60), log.read_text()
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        assert process.returncode == -signal.SIGKILL
        api.release.set()
    api.hold_at = None
    final = _dispatch(db_url, api, log)
    assert final.wait(90) == 0, log.read_text()

    counts = Counter(api.delivered)
    assert set(counts) == set(range(ROWS)), "a reminder was lost"
    duplicates = sum(n - 1 for n in counts.values())
    assert 1 <= duplicates <= crashes  # the held one of each crash, and nothing else
    assert max(counts.values()) == 2
    with db.transaction() as session:
        statuses = Counter(session.scalars(select(OutboxMessage.status)))
    assert statuses == {"sent": ROWS}
