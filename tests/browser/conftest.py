"""A real browser on the real web server: Debian's headless Chromium, driven by Selenium.

Nothing is downloaded at run time: Selenium is pointed at /usr/bin/chromium and
/usr/bin/chromedriver (`scripts/chromium` installs them; `scripts/test` calls it).
Without them these tests are skipped, except under `.ci/run` (CHIBO_BROWSER_REQUIRED=1)
or CI=true, where that is a failure.

The server is the bot's web application (`web.app.build`, with uvicorn as
`bot/web_server.py` runs it) on a free port, in a thread, on the demo bloc after four
months of use (the clock fixed at Thursday 26/11/2026 09:00, so the pages, and the
screenshots, are the same on every run).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from services.clock import ManualClock
from storage.db import Database
from tests.browser.live_server import LiveServer
from tests.dashboard.lived_demo import db_url, lived_sqlite  # noqa: F401  (the lived demo bloc)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _required() -> bool:
    return os.environ.get("CHIBO_BROWSER_REQUIRED") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def chromium() -> tuple[str, str]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(p) is None]
    if missing:
        message = (
            f"{', '.join(missing)} not installed: the browser tests need Debian's chromium "
            "and chromium-driver (scripts/chromium installs them)"
        )
        if _required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture
def live(db: Database, clock: ManualClock) -> Iterator[LiveServer]:
    server = LiveServer(db, clock)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def browser(chromium: tuple[str, str]) -> Iterator[object]:
    # Selenium Manager (which would download a driver) is never asked: paths are given.
    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--window-size=412,915",  # a phone
        "--lang=vi",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
