"""A Chi bộ bot deployment for the end-to-end tests: a working folder with its own SQLite
database (migrated, demo bloc imported, invites created through the `chibo` CLI), a policy
file, and `chibo run` started as a subprocess against the Bot API emulator.

Time is real here (`chibo run` uses the system clock), so the policy files are written
for *now*: `policy(reminders_due=False)` puts every reminder slot at 23:59 local (not yet
come today), `policy(reminders_due=True)` at 00:00 (already come) with deadline reminders
repeated every overdue day, so the first plan tick after start has something to send.
Quiet hours shrink to 23:50–23:51 in both (reminders expire when quiet hours start).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.cli import main as chibo_cli

from .emulator_client import BotApiClient, BotProcess

REPO = Path(__file__).resolve().parents[2]
DEMO_ORG = REPO / "bot" / "demo" / "org.csv"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def minutes_to_local_midnight(now: datetime | None = None) -> float:
    local = (now or datetime.now(LOCAL)).astimezone(LOCAL)
    return (24 * 60) - (local.hour * 60 + local.minute + local.second / 60)


def local_minutes_since_midnight(now: datetime | None = None) -> float:
    local = (now or datetime.now(LOCAL)).astimezone(LOCAL)
    return local.hour * 60 + local.minute + local.second / 60


def chibo_command() -> list[str]:
    """The `chibo` console script of this environment (or `python -m bot.cli`)."""
    script = Path(sys.executable).with_name("chibo")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


class Deployment:
    def __init__(self, workdir: Path, bot_api: BotApiClient) -> None:
        self.workdir = workdir
        self.bot_api = bot_api
        self.db_path = workdir / "var" / "chibo.sqlite3"
        self.db_url = f"sqlite:///{self.db_path}"
        self.processes: list[BotProcess] = []

    # -- the admin's side: the CLI, in this process ----------------------------------------
    @contextlib.contextmanager
    def _environment(self) -> Iterator[None]:
        saved = dict(os.environ)
        cwd = os.getcwd()
        os.environ["DATABASE_URL"] = self.db_url
        os.chdir(self.workdir)  # no stray .env
        try:
            yield
        finally:
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(saved)

    def cli(self, *argv: str) -> str:
        """Run `chibo ARGV` against this deployment's database; its stdout. Fails unless 0."""
        out, err = io.StringIO(), io.StringIO()
        with self._environment(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = chibo_cli(list(argv))
        assert code == 0, f"chibo {' '.join(argv)} exited {code}: {err.getvalue()}"
        return out.getvalue()

    def setup(self) -> Deployment:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "var").mkdir(exist_ok=True)
        self.cli("db", "upgrade")
        self.cli("org", "import", str(DEMO_ORG))
        return self

    def invite(self, role: str, unit: str) -> str:
        """`chibo invite create`: the code as printed for the office (with dashes)."""
        out = self.cli("invite", "create", "--role", role, "--unit", unit)
        match = re.search(r"^Mã: ([0-9A-Z-]{19})$", out, re.M)
        assert match, out
        return match.group(1)

    def policy(self, name: str, *, reminders_due: bool) -> Path:
        data: dict[str, Any] = yaml.safe_load(
            resources.files("domain").joinpath("policy_default.yaml").read_text(encoding="utf-8")
        )
        r = data["reminders"]
        # One quiet minute, late: nothing the tests send falls in it (they skip near
        # midnight), and a reminder planned today only expires then.
        r["quiet_hours"] = {"start": "23:50", "end": "23:51"}
        if reminders_due:
            times = ("00:00", "00:01", "00:02", "00:03")
            r["registration"]["overdue_every_days"] = 1
            r["reports"]["overdue_every_days"] = 1
        else:
            times = ("23:59", "23:58", "23:57", "23:56")
        r["send_at"] = times[0]
        r["meeting"] = {"day_before_at": times[1], "morning_of_at": times[2]}
        r["weekly_digest"]["at"] = times[3]
        # The week's digest is planned within a day of its moment (not on a restart days
        # later): make today the digest's day, so its moment is today at times[3].
        weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        r["weekly_digest"]["weekday"] = weekdays[datetime.now(LOCAL).weekday()]
        path = self.workdir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    # -- the bot ---------------------------------------------------------------------------
    def bot(self, policy: Path) -> BotProcess:
        env = {
            **self.bot_api.bot_env(),
            "DATABASE_URL": self.db_url,
            "POLICY_FILE": str(policy),
            "TIMEZONE": "Asia/Ho_Chi_Minh",
            "LOCALE": "vi",
            "PYTHONUNBUFFERED": "1",
        }
        process = BotProcess([*chibo_command(), "run"], env, cwd=self.workdir)
        self.processes.append(process)
        return process

    def start(self, policy: Path) -> BotProcess:
        process = self.bot(policy)
        since = self.bot_api.mark()
        process.start()
        try:
            self.bot_api.wait_until_polling(timeout=20, since=since)
        except AssertionError as exc:
            process.kill()
            raise AssertionError(f"{exc}\nbot output:\n{process.output()}") from None
        return process

    def output(self) -> str:
        return "\n\n".join(
            f"--- chibo run #{i + 1} ---\n{p.output()}" for i, p in enumerate(self.processes)
        )

    def stop_all(self) -> None:
        for process in self.processes:
            process.stop()

    # -- looking at the database directly ---------------------------------------------------
    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        connection = sqlite3.connect(self.db_path, timeout=10)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def execute(self, sql: str, *params: Any) -> None:
        connection = sqlite3.connect(self.db_path, timeout=10)
        try:
            with connection:
                connection.execute(sql, params)
        finally:
            connection.close()

    def copy_db(self, to: Path) -> None:
        shutil.copy(self.db_path, to)
