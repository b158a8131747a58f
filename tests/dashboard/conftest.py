"""An HTTP client on the real web application (ASGI, in-process), on the demo bloc after
four months of use (tests/dashboard/world.py).

The bloc's history takes seconds to load, so each test copies a database loaded once
per run (tests/dashboard/lived_demo.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.clock import ManualClock
from storage.db import Database
from tests.dashboard.client import WebClient
from tests.dashboard.lived_demo import db_url, lived_postgres, lived_sqlite  # noqa: F401
from tests.dashboard.world import Sent, web_deps
from web import app as web_app


@pytest.fixture
async def web(db: Database, clock: ManualClock) -> AsyncIterator[WebClient]:
    sent: list[Sent] = []
    deps = web_deps(db, clock, sent)
    transport = httpx.ASGITransport(app=web_app.build(deps))
    async with httpx.AsyncClient(transport=transport, base_url="http://chibo.test") as http:
        yield WebClient(http, clock, deps, sent)
