"""The bot's web application served by uvicorn on a free port, in a thread."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from bot.web_server import bind, uvicorn_server
from services.clock import ManualClock
from storage.db import Database
from tests.dashboard.world import Sent, web_deps
from web import app as web_app

# Where the browser tests write the README's screenshots.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


class LiveServer:
    """uvicorn serving the web application in a thread, until `stop`."""

    def __init__(self, db: Database, clock: ManualClock) -> None:
        self.sent: list[Sent] = []
        self.sock = bind("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn_server(web_app.build(web_deps(db, clock, self.sent)))
        self.thread = threading.Thread(
            target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise AssertionError("the web server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
