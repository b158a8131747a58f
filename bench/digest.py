"""Digest of the whole bloc (N cells × 24 months of history): time and query count.

The baseline, in the same database and run, is a trivial `SELECT count(*) FROM units`
(a round trip and a scan of the units table): the ratio says how much work the
digest is compared with the cheapest question one can ask that database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from bench.common import counting_selects, median_time, ms, selects
from bench.synthetic import SyntheticOrg, bench_now
from domain.localtime import local_date
from domain.policy import Policy
from services.digest import build_digest
from storage.db import Database


def measure(url: str, org: SyntheticOrg, policy: Policy, repeats: int) -> dict[str, Any]:
    db = Database(url)
    try:
        at = local_date(bench_now())

        def digest() -> Any:
            return build_digest(db, org.bloc, at, policy)

        def count_units() -> int:
            with db.engine.connect() as connection:
                return int(connection.execute(text("SELECT count(*) FROM units")).scalar() or 0)

        units = count_units()
        result = digest()  # warm up: connection, statement caches
        with counting_selects(db) as statements:
            digest()
        seconds = median_time(digest, repeats)
        baseline = median_time(count_units, max(repeats, 5))
        return {
            "units": units,
            "cells": result.totals.thematic_expected,
            "seconds": round(seconds, 4),
            "queries": selects(statements),
            "statements": len(statements),
            "baseline_count_ms": ms(baseline),
            "ratio_to_count": round(seconds / baseline, 1) if baseline else None,
            "repeats": repeats,
        }
    finally:
        db.dispose()
