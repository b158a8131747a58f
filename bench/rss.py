"""Peak memory (RSS) of the bot serving a bloc of N cells, measured in a child process.

The child runs the real Application on a copy of the benchmark database (with a
do-nothing Bot API stand-in), drawing files in a renderer child as `chibo run` does:
secretaries' sessions (/status, a schedule
registration, /history), the leader's /digest of the whole bloc (summary, XLSX
and PNG chart) and one plan tick (standing schedules, reminders, weekly
digests). It prints its own peak RSS (VmHWM) after each step. A second child
only starts the bot (imports, the Application, one database connection) and
stops: the resting size.

    python -m bench.rss child URL SESSIONS.json [--idle]
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _peak_mb() -> float:
    """This process's peak RSS: VmHWM, the high-water mark of its own memory map.

    Not ru_maxrss: Linux carries the parent's RSS at fork over into the child's
    ru_maxrss across exec, so a child of a large parent would report the parent's
    size (the benchmark's parent holds the synthetic bloc). ru_maxrss is the
    fallback where /proc is missing.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


async def _child(url: str, sessions_file: Path, idle: bool) -> dict[str, Any]:
    from bench.inbound import Driver, Session, play
    from bench.synthetic import bench_now
    from bot.app import build_application
    from bot.settings import Settings
    from bot.transport import LocalTransport
    from domain.localtime import local_date
    from domain.periods import Month
    from domain.policy import default_policy
    from scheduler.runner import run_planners
    from services import file_renderer
    from services.clock import ManualClock
    from services.deps import Deps
    from storage.db import Database

    steps: dict[str, float] = {"imported": _peak_mb()}
    extra: dict[str, Any] = {}
    data = json.loads(sessions_file.read_text())
    policy = default_policy()
    db = Database(url)
    settings = Settings(_env_file=None, database_url=url, telegram_bot_token="")  # type: ignore[call-arg]
    clock = ManualClock(bench_now())
    transport = LocalTransport()
    app = build_application(
        Deps(settings, db, clock, policy), request=transport, rate_limited=False
    )
    file_renderer.use_child_process()  # as `chibo run` does
    async with app:
        driver = Driver(app, transport)
        await driver.process(driver.message(data["leader"], "/help"), None)
        steps["started"] = _peak_mb()
        if not idle:
            month = Month.of(local_date(clock.now())).next().key
            for s in data["sessions"]:
                await play(
                    driver, Session(s["user_id"], s["unit"], s["button"], 5, True), month, None
                )
            steps["sessions"] = _peak_mb()
            replies = await driver.process(driver.message(data["leader"], "/digest"), None)
            extra["digest_replies"] = [c.method for c in replies]
            steps["digest"] = _peak_mb()
            extra["planned"] = await asyncio.to_thread(run_planners, db, clock.now(), policy)
            steps["plan"] = _peak_mb()
    db.dispose()
    file_renderer.shutdown()
    return {
        "peak_mb": _peak_mb(),
        "steps": steps,
        "renderer_peak_mb": file_renderer.child_peak_mb,
        **extra,
    }


def run_child(url: str, sessions_file: Path, *, idle: bool, timeout: float) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.rss", "child", url, str(sessions_file)]
    if idle:
        command.append("--idle")
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"RSS child failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    # For the record: ru_maxrss of the children, which includes this process's own
    # size at fork (see _peak_mb), so it is an upper bound, not the child's peak.
    result["children_maxrss_mb"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
    )
    return result


def measure(
    url: str, sessions: list[dict[str, Any]], leader: int, workdir: Path, timeout: float
) -> dict[str, Any]:
    sessions_file = workdir / "rss-sessions.json"
    sessions_file.write_text(json.dumps({"sessions": sessions, "leader": leader}))
    idle = run_child(url, sessions_file, idle=True, timeout=timeout)
    busy = run_child(url, sessions_file, idle=False, timeout=timeout)
    return {
        "peak_mb": busy["peak_mb"],
        "idle_mb": idle["peak_mb"],
        "children_maxrss_mb": busy["children_maxrss_mb"],
        # The files (XLSX, PNG) are drawn in a short-lived child, one at a time: its own
        # high-water mark, and the tree's worst case (the bot at its peak plus the child).
        "renderer_peak_mb": busy.get("renderer_peak_mb"),
        "tree_peak_mb": round(busy["peak_mb"] + (busy.get("renderer_peak_mb") or 0), 1),
        "steps_mb": busy["steps"],
        "sessions": len(sessions),
        "digest_replies": busy.get("digest_replies"),
        "planned": busy.get("planned"),
    }


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "child":
        result = asyncio.run(_child(sys.argv[2], Path(sys.argv[3]), "--idle" in sys.argv))
        print(json.dumps(result))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
