"""Cold start: from `chibo run` to its first reply, against the HTTP Bot API stand-in.

A bloc of N cells (1,000 by default) with its history in a fresh SQLite file; a
secretary's `/help` is waiting at the stand-in (bench/fake_bot_api.py) before the
process starts, as it would after a restart. Measured in this process's clock:
from spawning `python -m bot.cli run` to the stand-in receiving the reply (and,
for the breakdown, to the first getUpdates). The median of a few starts.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.common import Workdir, migrated_sqlite
from bench.fake_bot_api import FakeBotApi
from bench.synthetic import bench_now, build_activity, build_org, load
from domain.policy import Policy
from storage.db import Database

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "123456:COLDSTART"


def _help(user_id: int, n: int) -> dict[str, Any]:
    return {
        "update_id": n,
        "message": {
            "message_id": n,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "B"},
            "from": {"id": user_id, "is_bot": False, "first_name": "B"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


def _start_once(url: str, user_id: int, n: int) -> dict[str, float]:
    with FakeBotApi() as api:
        api.push(_help(user_id, n))
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "BOT_API_BASE_URL": api.base_url,
            "PYTHONUNBUFFERED": "1",
        }
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            if not api.wait_for(lambda a: bool(a.sent(user_id)), 60):
                raise RuntimeError("the bot never answered the waiting /help")
            reply = api.sent(user_id)[0].at - started
            polls = api.methods("getUpdates")
            first_poll = polls[0].at - started if polls else float("nan")
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    return {"first_reply_s": reply, "first_poll_s": first_poll}


def measure(workdir: Workdir, cells: int, policy: Policy, starts: int = 3) -> dict[str, Any]:
    url = migrated_sqlite(workdir, f"coldstart{cells}")
    now = bench_now()
    org = build_org(cells, now=now)
    database = Database(url)
    load(database, org, build_activity(org, now=now, policy=policy, months=24))
    database.dispose()
    user_id = next(iter(org.secretaries.values()))
    runs = [_start_once(url, user_id, 1_000 + i) for i in range(starts)]
    replies = [r["first_reply_s"] for r in runs]
    return {
        "cells": cells,
        "units": len(org.units),
        "starts": starts,
        "first_reply_s": round(statistics.median(replies), 3),
        "first_poll_s": round(statistics.median(r["first_poll_s"] for r in runs), 3),
        "each_first_reply_s": [round(r, 3) for r in replies],
    }
