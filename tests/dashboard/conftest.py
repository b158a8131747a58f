"""An HTTP client on the real web application (ASGI, in-process), on the demo bloc after
four months of use (tests/dashboard/world.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from services.clock import ManualClock
from storage.db import Database
from tests.dashboard.world import Sent, launch_data, live_demo, web_deps
from tests.harness import User
from web import app as web_app


@dataclass
class WebClient:
    http: httpx.AsyncClient
    clock: ManualClock
    sent: list[Sent] = field(default_factory=list)

    async def get(
        self, path: str, user: User | None = None, *, init_data: str | None = None, **params: Any
    ) -> httpx.Response:
        return await self.http.get(path, params=params, headers=self._auth(user, init_data))

    async def post(self, path: str, user: User | None = None, **params: Any) -> httpx.Response:
        return await self.http.post(path, params=params, headers=self._auth(user, None))

    def _auth(self, user: User | None, init_data: str | None) -> dict[str, str]:
        if init_data is None and user is not None:
            init_data = launch_data(user, self.clock.now())
        return {"Authorization": f"tma {init_data}"} if init_data is not None else {}


@pytest.fixture
def lived(db: Database, clock: ManualClock, demo_org: None) -> None:
    live_demo(db, clock)


@pytest.fixture
async def web(db: Database, clock: ManualClock, lived: None) -> AsyncIterator[WebClient]:
    sent: list[Sent] = []
    app = web_app.build(web_deps(db, clock, sent))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as http:
        yield WebClient(http, clock, sent)
