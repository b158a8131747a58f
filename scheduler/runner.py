"""Runs the planners and the dispatcher on APScheduler, inside the bot's event loop.

Two jobs: `plan` every few minutes (every planner is idempotent: it writes outbox
rows with unique keys, so running it again, late or twice, adds nothing) and
`dispatch` every few seconds. The jobs keep no state of their own: what is due
lives in the outbox and `planner_runs`, so a restart resumes where it stopped.
The clock is injected; every job reads `now` from it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram.ext import Application

from domain.localtime import local_date
from domain.periods import Month
from domain.policy import Policy
from scheduler.dispatcher import Dispatcher, DispatchStats
from scheduler.planner import plan_reminders
from services.deps import DEPS_KEY, Deps
from services.digest_delivery import plan_weekly_digests
from services.metrics import plan_tick
from services.schedules import fill_from_standing
from services.survey_delivery import plan_survey_notices
from services.surveys import forget_respondents
from storage import handled_updates
from storage.db import Database
from storage.locks import advisory_lock

log = logging.getLogger(__name__)

Planner = Callable[[Database, datetime, Policy], int]

PLAN_EVERY = timedelta(minutes=2)
DISPATCH_EVERY = timedelta(seconds=3)


def fill_standing_schedules(db: Database, now: datetime, policy: Policy) -> int:
    """Next month's schedules from standing rules ("ngày 5 hằng tháng")."""
    return fill_from_standing(db, Month.of(local_date(now)).next(), now=now, policy=policy)


def forget_handled_updates(db: Database, now: datetime, policy: Policy) -> int:
    """Update ids older than Telegram re-delivers (storage.handled_updates)."""
    with db.transaction() as session:
        return handled_updates.prune(session, now)


# Run in this order on every plan tick; each is isolated from the others' failures.
PLANNERS: list[Planner] = [
    fill_standing_schedules,
    plan_reminders,
    plan_weekly_digests,
    plan_survey_notices,
    forget_respondents,
    forget_handled_updates,
]


def run_planners(db: Database, now: datetime, policy: Policy) -> dict[str, int]:
    """One plan tick: every planner, a failure in one logged and the others still run.

    With several instances on one PostgreSQL, only the one holding the planner lock
    plans (storage.locks); the others return {} and try again on their next tick.
    """
    with advisory_lock(db) as leader:
        if not leader:
            log.debug("another instance is planning; this tick skips")
            return {}
        return _run_planners(db, now, policy)


def _run_planners(db: Database, now: datetime, policy: Policy) -> dict[str, int]:
    results: dict[str, int] = {}
    for planner in PLANNERS:
        name = getattr(planner, "__name__", repr(planner))
        try:
            results[name] = planner(db, now, policy)
        except Exception:
            log.exception("planner %s failed; it will run again on the next tick", name)
            results[name] = -1
    return results


class SchedulerRunner:
    """The plan and dispatch jobs for one Application (its bot, database, clock, policy)."""

    def __init__(
        self,
        application: Application,
        *,
        plan_every: timedelta = PLAN_EVERY,
        dispatch_every: timedelta = DISPATCH_EVERY,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        deps: Deps = application.bot_data[DEPS_KEY]
        self.deps = deps
        self.policy: Policy = deps.policy
        self.plan_every = plan_every
        self.dispatch_every = dispatch_every
        self.dispatcher = dispatcher or Dispatcher(
            deps.db,
            application.bot,
            deps.clock,
            self.policy,
            dashboard_url=deps.settings.dashboard_url,
        )
        self.scheduler: AsyncIOScheduler | None = None
        # A tick that finds the previous one still running returns at once (a big
        # plan, or a long send-out, simply continues).
        self._planning = asyncio.Lock()
        self._dispatching = asyncio.Lock()

    async def plan(self) -> dict[str, int]:
        if self._planning.locked():
            return {}
        async with self._planning:
            now = self.deps.clock.now()
            started = time.perf_counter()
            try:
                # Planning a large bloc takes a moment: keep the event loop free for updates.
                results = await asyncio.to_thread(run_planners, self.deps.db, now, self.policy)
            except Exception:
                log.exception("plan tick failed")
                return {}
            # {}: another instance holds the planner lock; this one is alive all the same.
            plan_tick(time.perf_counter() - started if results else None)
            return results

    async def dispatch(self) -> DispatchStats:
        """Send until nothing due is left (a morning send-out spans many passes)."""
        total = DispatchStats()
        if self._dispatching.locked():
            return total
        async with self._dispatching:
            try:
                while True:
                    stats = await self.dispatcher.dispatch_once()
                    total += stats
                    if not stats.claimed or stats.retried:
                        return total
            except Exception:
                log.exception("dispatch tick failed; the next tick tries again")
                return total

    def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone=UTC)
        first = datetime.now(UTC)
        # Two instances may overlap: the second returns at once (see the locks above),
        # so APScheduler never logs skipped runs while a long send-out goes on.
        options = {"max_instances": 2, "coalesce": True, "misfire_grace_time": None}
        if logging.getLogger("apscheduler").level == logging.NOTSET:
            logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line every 3 s
        scheduler.add_job(
            self.plan,
            "interval",
            seconds=self.plan_every.total_seconds(),
            next_run_time=first,
            id="plan",
            **options,
        )
        scheduler.add_job(
            self.dispatch,
            "interval",
            seconds=self.dispatch_every.total_seconds(),
            next_run_time=first + timedelta(seconds=1),
            id="dispatch",
            **options,
        )
        scheduler.start()
        self.scheduler = scheduler
        log.info(
            "scheduler started: plan every %s, dispatch every %s",
            self.plan_every,
            self.dispatch_every,
        )

    def shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None


def attach_scheduler(application: Application, **kwargs: Any) -> SchedulerRunner:
    """Start the jobs once the application is initialised; stop them when it stops."""
    runner = SchedulerRunner(application, **kwargs)
    previous_init = application.post_init
    previous_stop = application.post_stop

    async def post_init(app: Application) -> None:
        if previous_init is not None:
            await previous_init(app)
        runner.start()

    async def post_stop(app: Application) -> None:
        runner.shutdown()
        if previous_stop is not None:
            await previous_stop(app)

    application.post_init = post_init
    application.post_stop = post_stop
    return runner
