"""GET /healthz and GET /metrics: what a monitor polls (services.health, services.metrics)."""

from __future__ import annotations

import asyncio
from functools import partial

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services import health
from web.deps import WebDeps

NO_STORE = {"Cache-Control": "no-store"}


async def healthz(request: Request) -> Response:
    """200 and `"status": "ok"` when this instance is well, 503 with the problems if not."""
    deps: WebDeps = request.app.state.deps
    loop = asyncio.get_running_loop()
    state = await loop.run_in_executor(
        deps.threads,
        partial(
            health.check,
            deps.db,
            deps.clock.now(),
            deps.policy,
            planner_expected=deps.planner_expected,
        ),
    )
    return JSONResponse(state.as_dict(), status_code=200 if state.ok else 503, headers=NO_STORE)


async def metrics(request: Request) -> Response:
    deps: WebDeps = request.app.state.deps
    loop = asyncio.get_running_loop()
    body = await loop.run_in_executor(
        deps.threads, partial(health.metrics_text, deps.db, deps.clock.now())
    )
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers=NO_STORE)
