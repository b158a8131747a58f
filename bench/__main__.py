"""`python -m bench [--short] [--only SECTION] [--cells N] [--json-out FILE]`: the benchmarks.

Prints JSON and, in full mode with every section, rewrites docs/benchmarks.md.
Sections: inbound (updates against two baselines, and /status while a /digest
runs), digest, dashboard (the Mini App's first view against /healthz), rss, plan,
outbound, coldstart; `--only inbound,plan` runs some,
`--cells N` sets the size of the bloc (digest, rss, inbound, plan, outbound and
coldstart alike), so one figure can be checked in a minute.

Full mode (the figures in docs/benchmarks.md; about 12 minutes on 2 cores):
10,000 synthetic updates; planning and dispatching for 10,000 and 100,000
units; the held rate over 15 s; the digest of 10,000 cells × 24 months on
SQLite and PostgreSQL; peak RSS at 10,000 cells. `--short` shrinks every size so
the whole run takes well under a minute (CI runs it through
tests/bench/test_bench_short.py); it leaves docs/benchmarks.md alone unless
`--docs` is given.

PostgreSQL: `--postgres URL`, else BENCH_POSTGRES_URL or TEST_POSTGRES_URL (an
admin URL; the benchmark creates and drops its own database). Without one the
PostgreSQL figures are reported as skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import coldstart, dashboard, digest, inbound, outbound, rss, stall
from bench.common import FULL, SHORT, Sizes, Workdir, migrated_sqlite, postgres_database
from bench.machine import machine_info
from bench.report import evaluate, update_docs
from bench.synthetic import Activity, SyntheticOrg, bench_now, build_activity, build_org, load
from domain.policy import default_policy
from storage.db import Database

SCHEMA = "chibo.bench/1"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="small sizes, for CI (< 1 minute)")
    parser.add_argument("--json-out", type=Path, help="also write the JSON to this file")
    docs = parser.add_mutually_exclusive_group()
    docs.add_argument("--docs", type=Path, help=f"rewrite the figures in this file ({DOCS})")
    docs.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--postgres", help="PostgreSQL admin URL (default: $BENCH_POSTGRES_URL)")
    parser.add_argument(
        "--only",
        type=_sections,
        default=SECTIONS,
        help=f"comma-separated sections to run: {', '.join(SECTIONS)} (default: all)",
    )
    parser.add_argument("--cells", type=int, help="cells of the synthetic bloc, for every section")
    return parser


SECTIONS = ("inbound", "digest", "dashboard", "rss", "plan", "outbound", "coldstart")


def _sections(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.replace("|", ",").split(",") if part.strip())
    unknown = [c for c in chosen if c not in SECTIONS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown section {unknown}; choose from {SECTIONS}")
    return chosen


def _postgres_url(args: argparse.Namespace) -> str | None:
    return (
        args.postgres
        or os.environ.get("BENCH_POSTGRES_URL")
        or os.environ.get("TEST_POSTGRES_URL")
        or None
    )


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _timed(name: str, timings: dict[str, float], fn: Any, *args: Any) -> Any:
    _log(f"{name} …")
    started = time.perf_counter()
    result = fn(*args)
    timings[name] = round(time.perf_counter() - started, 1)
    return result


def _registered_next_month(activity: Activity) -> set[str]:
    month = inbound.next_month_of(bench_now())
    return {s["unit_code"] for s in activity.schedules if s["month"] == month}


def _rss_sessions(org: SyntheticOrg, registered: set[str], count: int) -> list[dict[str, Any]]:
    cells = [u["code"] for u in org.cells if u["code"] not in registered][-count:]
    return [
        {"user_id": org.secretaries[code], "unit": code, "button": i % 2 == 1}
        for i, code in enumerate(cells)
    ]


def run(
    sizes: Sizes, postgres_url: str | None, workdir: Workdir, only: tuple[str, ...] = SECTIONS
) -> dict[str, Any]:
    policy = default_policy()
    timings: dict[str, float] = {}
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "mode": sizes.mode,
        "machine": machine_info(postgres_url),
        "sizes": {
            "inbound_updates": sizes.inbound_updates,
            "outbound_units": list(sizes.outbound_units),
            "limited_seconds": sizes.limited_seconds,
            "digest_cells": sizes.digest_cells,
            "months": sizes.months,
            "rss_cells": sizes.rss_cells,
            "coldstart_cells": sizes.coldstart_cells,
        },
        "sections": list(only),
    }
    if {"inbound", "digest", "dashboard", "rss"} & set(only):
        _bloc_sections(result, sizes, postgres_url, workdir, only, timings)
    if "plan" in only:
        result["plan"] = [
            _timed(f"plan {cells}", timings, outbound.plan_only, workdir, cells, policy)
            for cells in sizes.outbound_units
        ]
    if "outbound" in only:
        _outbound_section(result, sizes, workdir, timings)
    if "coldstart" in only:
        result["coldstart"] = _timed(
            "cold start", timings, coldstart.measure, workdir, sizes.coldstart_cells, policy
        )
    result["timings_seconds"] = timings
    result["targets"] = evaluate(result)
    return result


def _bloc_sections(
    result: dict[str, Any],
    sizes: Sizes,
    postgres_url: str | None,
    workdir: Workdir,
    only: tuple[str, ...],
    timings: dict[str, float],
) -> None:
    """The sections that share one synthetic bloc with its history: inbound, digest,
    dashboard, rss."""
    policy = default_policy()
    now = bench_now()
    org = _timed("synthetic bloc", timings, lambda: build_org(sizes.digest_cells, now=now))
    activity = _timed(
        "synthetic activity",
        timings,
        lambda: build_activity(org, now=now, policy=policy, months=sizes.months),
    )
    result["data"] = {
        "units": len(org.units),
        "cells": len(org.cells),
        "people": len(org.people),
        "schedules": len(activity.schedules),
        "records": len(activity.records),
        "ratings": len(activity.ratings),
        "reports": len(activity.reports),
    }
    template = migrated_sqlite(workdir, "template")
    database = Database(template)
    _timed("load SQLite", timings, load, database, org, activity)
    database.dispose()
    registered = _registered_next_month(activity)

    if "inbound" in only:
        result["inbound"] = _timed(
            "inbound",
            timings,
            lambda: asyncio.run(
                inbound.measure(
                    workdir.copy_sqlite(template, "inbound"),
                    org,
                    registered,
                    policy,
                    sizes.inbound_updates,
                )
            ),
        )
        result["inbound"]["status_during_digest"] = _timed(
            "inbound: /status during /digest",
            timings,
            lambda: asyncio.run(
                stall.measure(workdir.copy_sqlite(template, "stall"), org, policy, sizes.stall)
            ),
        )
    if {"digest", "dashboard"} & set(only):
        _database_sections(result, template, org, activity, postgres_url, sizes, only, timings)
    if "rss" in only:
        result["rss"] = _timed(
            "peak RSS",
            timings,
            rss.measure,
            workdir.copy_sqlite(template, "rss"),
            _rss_sessions(org, registered, 50 if sizes.mode == "full" else 10),
            org.leader_id,
            workdir.root,
            1800.0,
        )
    activity.schedules.clear()  # the outbound part builds its own blocs: free memory first
    activity.records.clear()


def _database_sections(
    result: dict[str, Any],
    template: str,
    org: SyntheticOrg,
    activity: Activity,
    postgres_url: str | None,
    sizes: Sizes,
    only: tuple[str, ...],
    timings: dict[str, float],
) -> None:
    """The digest and the dashboard, on SQLite and (one load for both) on PostgreSQL."""
    policy = default_policy()
    repeats = sizes.repeats
    runs = {"digest": digest.measure, "dashboard": dashboard.measure}
    chosen = [name for name in runs if name in only]
    for name in chosen:
        result[name] = {
            "sqlite": _timed(
                f"{name} SQLite",
                timings,
                lambda f=runs[name]: f(template, org, policy, repeats),
            )
        }
    if not postgres_url:
        for name in chosen:
            result[name]["postgresql"] = {
                "skipped": "no PostgreSQL URL (--postgres or BENCH_POSTGRES_URL)"
            }
        return
    try:
        with postgres_database(postgres_url, "digest") as url:
            pg = Database(url)
            _timed("load PostgreSQL", timings, load, pg, org, activity)
            pg.dispose()
            for name in chosen:
                result[name]["postgresql"] = _timed(
                    f"{name} PostgreSQL",
                    timings,
                    lambda f=runs[name]: f(url, org, policy, repeats),
                )
    except Exception as error:  # reported, so a broken server does not hide the rest
        for name in chosen:
            result[name]["postgresql"] = {"skipped": f"PostgreSQL failed: {error!r}"[:300]}


def _outbound_section(
    result: dict[str, Any], sizes: Sizes, workdir: Workdir, timings: dict[str, float]
) -> None:
    policy = default_policy()
    ceilings = []
    for cells in sizes.outbound_units:
        ceilings.append(
            _timed(
                f"outbound ceiling {cells}",
                timings,
                lambda c=cells: asyncio.run(outbound.ceiling(workdir, c, policy)),
            )
        )
    limited = _timed(
        "outbound held rate",
        timings,
        lambda: asyncio.run(outbound.held_rate(workdir, policy, sizes.limited_seconds)),
    )
    result["outbound"] = {"ceiling": ceilings, "limited": limited}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sizes = SHORT if args.short else FULL
    if args.cells:
        sizes = sizes.with_cells(args.cells)
    workdir = Workdir(Path(tempfile.mkdtemp(prefix="chibo-bench-")))
    started = time.perf_counter()
    try:
        result = run(sizes, _postgres_url(args), workdir, args.only)
    finally:
        workdir.remove()
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n", encoding="utf-8")
    partial = args.only != SECTIONS or args.cells is not None
    docs = args.docs or (None if (args.no_docs or args.short or partial) else DOCS)
    if docs is not None:
        update_docs(docs, result)
        _log(f"figures written to {docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
