"""`python -m bench [--short] [--json-out FILE]`: the benchmarks, as JSON, and docs/benchmarks.md.

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

from bench import digest, inbound, outbound, rss
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
    return parser


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


def run(sizes: Sizes, postgres_url: str | None, workdir: Workdir) -> dict[str, Any]:
    policy = default_policy()
    now = bench_now()
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
        },
    }

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

    digests: dict[str, Any] = {}
    digests["sqlite"] = _timed(
        "digest SQLite", timings, digest.measure, template, org.bloc, policy, sizes.repeats
    )
    if postgres_url:
        try:
            with postgres_database(postgres_url, "digest") as url:
                pg = Database(url)
                _timed("load PostgreSQL", timings, load, pg, org, activity)
                pg.dispose()
                digests["postgresql"] = _timed(
                    "digest PostgreSQL",
                    timings,
                    digest.measure,
                    url,
                    org.bloc,
                    policy,
                    sizes.repeats,
                )
        except Exception as error:  # reported, so a broken server does not hide the rest
            digests["postgresql"] = {"skipped": f"PostgreSQL failed: {error!r}"[:300]}
    else:
        digests["postgresql"] = {"skipped": "no PostgreSQL URL (--postgres or BENCH_POSTGRES_URL)"}
    result["digest"] = digests

    if sizes.rss_cells == sizes.digest_cells:
        rss_url, rss_org, rss_registered = workdir.copy_sqlite(template, "rss"), org, registered
    else:  # pragma: no cover - both sizes are equal in both modes today
        raise ValueError("rss_cells must equal digest_cells (one synthetic bloc per run)")
    result["rss"] = _timed(
        "peak RSS",
        timings,
        rss.measure,
        rss_url,
        _rss_sessions(rss_org, rss_registered, 50 if sizes.mode == "full" else 10),
        rss_org.leader_id,
        workdir.root,
        1800.0,
    )
    activity.schedules.clear()  # the outbound part builds its own blocs: free memory first
    activity.records.clear()

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
    result["timings_seconds"] = timings
    result["targets"] = evaluate(result)
    return result


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sizes = SHORT if args.short else FULL
    workdir = Workdir(Path(tempfile.mkdtemp(prefix="chibo-bench-")))
    started = time.perf_counter()
    try:
        result = run(sizes, _postgres_url(args), workdir)
    finally:
        workdir.remove()
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n", encoding="utf-8")
    docs = args.docs or (None if (args.no_docs or args.short) else DOCS)
    if docs is not None:
        update_docs(docs, result)
        _log(f"figures written to {docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
