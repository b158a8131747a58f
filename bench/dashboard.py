"""The dashboard (Mini App) of the whole bloc: server-side time of its first view.

The web application (`web.app.build`) is driven in-process over ASGI, as uvicorn
drives it, with a leader's signed launch data: each request goes through the launch
data check, the actor, the scope check, the ledger's reads and the rendering. The
baseline, in the same run, is GET /healthz (two indexed statements and a JSON): the
cheapest request the same server answers.

Figures: the very first request after the server is built (nothing cached, statements
not yet compiled), then the median of `repeats`; the first view is the leader's home
(the bloc's heat map); the other views for comparison, with their size in bytes.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import timedelta
from typing import Any

import httpx

from bench.common import ms
from bench.synthetic import SyntheticOrg, bench_now
from domain.policy import Policy
from services.actors import ActorCache
from services.clock import ManualClock
from storage.db import Database
from web import app as web_app
from web.deps import WebDeps
from web.init_data import sign

TOKEN = "123456:BENCH-DASHBOARD"


def _launch(user_id: int, clock: ManualClock) -> str:
    fields = {
        "user": f'{{"id":{user_id},"first_name":"Bench"}}',
        "auth_date": str(int(clock.now().timestamp())),
    }
    return sign(fields, TOKEN)


async def _nothing(*_: Any) -> None:
    return None


async def _measure(url: str, org: SyntheticOrg, policy: Policy, repeats: int) -> dict[str, Any]:
    db = Database(url)
    clock = ManualClock(bench_now())
    deps = WebDeps(
        db=db,
        clock=clock,
        policy=policy,
        actors=ActorCache(),
        bot_token=TOKEN,
        auth_max_age=timedelta(hours=1),
        locale="vi",
        send_document=_nothing,
        planner_expected=False,
    )
    headers = {"Authorization": f"tma {_launch(org.leader_id, clock)}"}
    transport = httpx.ASGITransport(app=web_app.build(deps))
    cluster = next(u["code"] for u in org.units if u["kind"] == "cluster")
    cell = next(u["code"] for u in org.units if u["kind"] == "sub_cell")
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def timed(path: str, **params: str) -> tuple[float, int]:
                started = time.perf_counter()
                response = await client.get(path, params=params, headers=headers)
                seconds = time.perf_counter() - started
                assert response.status_code == 200, (path, response.status_code, response.text)
                return seconds, len(response.content)

            first, first_bytes = await timed("/app/api/home")
            await timed("/healthz")
            healthz = statistics.median([(await timed("/healthz"))[0] for _ in range(repeats)])
            home = statistics.median([(await timed("/app/api/home"))[0] for _ in range(repeats)])
            views: dict[str, Any] = {}
            for name, path, params in (
                ("bloc_by_failed_months", "/app/api/map", {"sort": "failed"}),
                ("bloc_reports", "/app/api/map", {"measure": "report"}),
                ("cluster", "/app/api/map", {"scope": cluster}),
                ("cell", "/app/api/unit", {"code": cell}),
                ("chronic", "/app/api/chronic", {}),
                ("week", "/app/api/week", {}),
            ):
                times = [await timed(path, **params) for _ in range(max(1, repeats // 2))]
                views[name] = {
                    "ms": ms(statistics.median(t for t, _ in times)),
                    "bytes": times[0][1],
                }
            page = (await client.get("/app/")).content
    finally:
        db.dispose()
    return {
        "cells": len(org.cells),
        "first_request_ms": ms(first),
        "first_view_ms": ms(home),
        "first_view_bytes": first_bytes,
        "healthz_ms": ms(healthz),
        "ratio_to_healthz": round(home / healthz, 1) if healthz else None,
        "page_bytes": len(page),
        "views": views,
        "repeats": repeats,
    }


def measure(url: str, org: SyntheticOrg, policy: Policy, repeats: int) -> dict[str, Any]:
    return asyncio.run(_measure(url, org, policy, max(repeats, 5)))
