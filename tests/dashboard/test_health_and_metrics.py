"""GET /healthz and GET /metrics, and long polling serving them when WEB_PORT is set.

A monitor needs only the status code: 200 when the instance is well, 503 when the
database does not answer, the outbox is stuck outside quiet hours, or the planner is
silent; the JSON says which.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from telegram import Update

from bench.fake_bot_api import FakeBotApi
from bot.app import build_application
from bot.settings import Settings
from bot.transport import LocalTransport
from services import health, metrics
from services.clock import ManualClock
from services.deps import Deps
from storage.db import Database
from storage.outbox import Outgoing, enqueue
from tests.auxil.cast import LEADER
from tests.dashboard.world import web_deps
from tests.scaleout.helpers import free_port, message
from web import app as web_app

ROOT = Path(__file__).resolve().parents[2]


async def get(app_deps, path: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=web_app.build(app_deps))
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as client:
        return await client.get(path)


def _due(db: Database, clock: ManualClock, minutes_ago: int) -> None:
    with db.transaction() as s:
        enqueue(
            s,
            [
                Outgoing(
                    dedup_key=f"health:{minutes_ago}",
                    chat_id=LEADER.id,
                    reason="test",
                    period="x",
                    text="…",
                    not_before=clock.now() - timedelta(minutes=minutes_ago),
                )
            ],
            now=clock.now(),
        )


async def test_a_well_instance_answers_200_with_what_a_monitor_reads(
    db: Database, clock: ManualClock
) -> None:
    _due(db, clock, 2)  # a message waiting two minutes: normal
    response = await get(web_deps(db, clock, []), "/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["problems"] == []
    assert body["database"]["ok"] is True and body["database"]["ms"] >= 0
    assert body["outbox"] == {"pending": 1, "due": 1, "oldest_due_seconds": 120}
    assert set(body) == {
        "status",
        "checked_at",
        "database",
        "outbox",
        "planner",
        "last_send",
        "problems",
    }
    assert response.headers["cache-control"] == "no-store"


async def test_a_stuck_outbox_is_degraded_except_in_quiet_hours(
    db: Database, clock: ManualClock
) -> None:
    _due(db, clock, 20)  # 09:00 local: the dispatcher should have sent it
    response = await get(web_deps(db, clock, []), "/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert "outbox" in response.json()["problems"][0]
    clock.set(clock.now() + timedelta(hours=13))  # 22:00 local: nothing is sent on purpose
    assert (await get(web_deps(db, clock, []), "/healthz")).status_code == 200


async def test_a_silent_planner_is_degraded(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    deps = web_deps(db, clock, [])
    object.__setattr__(deps, "planner_expected", True)
    monkeypatch.setattr(health, "STARTED", time.time() - 3600)
    monkeypatch.setattr(metrics, "last_plan_tick", lambda: clock.now() - timedelta(minutes=10))
    response = await get(deps, "/healthz")
    assert response.status_code == 503 and "planner" in response.json()["problems"][0]
    monkeypatch.setattr(metrics, "last_plan_tick", lambda: clock.now() - timedelta(minutes=1))
    assert (await get(deps, "/healthz")).status_code == 200


async def test_an_unreachable_database_is_down(tmp_path: Path, clock: ManualClock) -> None:
    missing = Database(f"sqlite:///{tmp_path}/no/such/folder/chibo.sqlite3")
    response = await get(web_deps(missing, clock, []), "/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down" and body["database"]["ok"] is False
    assert body["problems"] == ["database: OperationalError"]  # no path, no detail leaked


async def test_metrics_count_updates_errors_sends_and_429s_and_read_the_outbox(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    def sample(name: str, **labels: str) -> float:
        return metrics.REGISTRY.get_sample_value(name, labels) or 0.0

    before = {
        "updates": sample("chibo_updates_handled_total"),
        "sends": sample("chibo_bot_api_requests_total", method="sendMessage", status="200"),
    }
    transport = LocalTransport()
    application = build_application(
        Deps(settings, db, clock), request=transport, rate_limited=False
    )
    async with application:
        await application.start()
        await application.update_queue.put(
            Update.de_json(message(LEADER.id, "/start"), application.bot)
        )
        deadline = time.monotonic() + 10
        while sample("chibo_updates_handled_total") == before["updates"]:
            assert time.monotonic() < deadline, "the update was never handled"
            await asyncio.sleep(0.05)
        await application.stop()
    assert sample("chibo_updates_handled_total") == before["updates"] + 1
    assert sample("chibo_bot_api_requests_total", method="sendMessage", status="200") == (
        before["sends"] + 1
    )
    metrics.count_bot_api_call("sendMessage", 429)
    _due(db, clock, 3)
    text = (await get(web_deps(db, clock, []), "/metrics")).text
    for line in (
        "# TYPE chibo_updates_handled_total counter",
        "# TYPE chibo_update_errors_total counter",
        'chibo_bot_api_requests_total{method="sendMessage",status="429"}',
        "chibo_outbox_pending 1.0",
        "chibo_outbox_due 1.0",
        "chibo_outbox_oldest_due_seconds 180.0",
        "# TYPE chibo_plan_seconds histogram",
        "chibo_last_send_timestamp_seconds",
    ):
        assert line in text, line


def test_long_polling_with_web_port_serves_health_and_the_app_and_stops_cleanly(
    db_url: str, tmp_path: Path
) -> None:
    """`chibo run` (long polling) with WEB_PORT: the one web server starts beside polling,
    answers /healthz, /metrics and the app's page, and SIGTERM stops both in order."""
    port = free_port()
    with FakeBotApi() as api:
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "TELEGRAM_BOT_TOKEN": "123456:POLLING-WEB",
            "BOT_API_BASE_URL": api.base_url,
            "WEB_PORT": str(port),
            "PYTHONUNBUFFERED": "1",
        }
        log = tmp_path / "bot.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"], env=env, cwd=ROOT, stdout=out, stderr=out
            )
        try:
            body = _poll(f"http://127.0.0.1:{port}/healthz", process, log)
            assert json.loads(body)["database"]["ok"] is True
            # Stopped after the first plan tick: APScheduler cancels a tick still running.
            deadline = time.monotonic() + 30
            while json.loads(body)["planner"]["last_tick"] is None:
                assert time.monotonic() < deadline, body
                time.sleep(0.2)
                body = _poll(f"http://127.0.0.1:{port}/healthz", process, log)
            assert api.wait_for(lambda a: a.methods("getUpdates"), timeout=15), log.read_text()
            page = urllib.request.urlopen(f"http://127.0.0.1:{port}/app/", timeout=5).read()
            assert b'<main id="view"' in page
            scrape = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
            assert b"chibo_bot_api_requests_total" in scrape
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(30) == 0, log.read_text()
        assert not api.methods("setWebhook")
        assert "Traceback" not in log.read_text(), log.read_text()


def _poll(url: str, process: subprocess.Popen[bytes], log: Path) -> bytes:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the bot exited ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return bytes(response.read())
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered:\n{log.read_text()}")


def test_a_port_in_use_is_one_sentence_and_exit_2(db_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "run"],
            env={
                **os.environ,
                "DATABASE_URL": db_url,
                "TELEGRAM_BOT_TOKEN": "123456:PORT-TAKEN",
                "BOT_API_BASE_URL": "http://127.0.0.1:1/bot",
                "WEB_PORT": str(port),
            },
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert "WEB_PORT" in done.stderr and "Traceback" not in done.stderr
