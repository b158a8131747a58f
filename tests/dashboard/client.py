"""An HTTP client on the web application that signs in as a Telegram user would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from services.clock import ManualClock
from tests.auxil.updates import User
from tests.dashboard.world import Sent, launch_data
from web.deps import WebDeps


@dataclass
class WebClient:
    http: httpx.AsyncClient
    clock: ManualClock
    deps: WebDeps
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
