"""The dashboard in headless Chromium, opened as Telegram opens a Mini App.

A leader and a cluster officer each open the app with launch data signed for them,
read the numbers (checked against `chibo digest --format json` and `chibo ledger
show --json` run on the same database), click into a cluster, a base organisation and
a cell, and leave screenshots in docs/screenshots/ (shown in the README).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from domain.heatmap import Mark
from domain.text_vi import format_percent
from services.clock import ManualClock
from tests.auxil.cast import LEADER, OFFICER_C1
from tests.auxil.updates import User
from tests.browser.live_server import SCREENSHOTS, LiveServer
from tests.dashboard.world import launch_data

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-11-26"  # the fixed clock's day (tests.conftest.T0)
THEME = {  # Telegram Desktop's day theme, as it passes it
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#999999",
    "link_color": "#168acd",
    "button_color": "#40a7e3",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f1f1f1",
}
# The page marks the view it shows with its address (web/static/app.js).
SHOWN = (
    "var v = document.getElementById('view');"
    "return v.getAttribute('data-shown') === location.hash && !v.hasAttribute('aria-busy');"
)
SYMBOL_MARK = {
    "✓": Mark.ON_TIME,
    "·": Mark.PENDING,
    "–": Mark.EXCUSED,
    "!": Mark.LATE,
    "✗": Mark.MISSING,
}
STATUS_MARK = {
    "on_time": Mark.ON_TIME,
    "pending": Mark.PENDING,
    "excused": Mark.EXCUSED,
    "late": Mark.LATE,
    "missing": Mark.MISSING,
}


def chibo(db_url: str, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class App:
    """The page in the browser: open it as Telegram does, wait, click, read."""

    def __init__(self, browser: Any, live: LiveServer, clock: ManualClock) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver, self.live, self.clock = browser, live, clock
        self.by, self.wait = By, WebDriverWait(browser, 30)

    def open(self, user: User) -> None:
        fragment = urlencode(
            {
                "tgWebAppData": launch_data(user, self.clock.now()),
                "tgWebAppVersion": "8.0",
                "tgWebAppPlatform": "tdesktop",
                "tgWebAppThemeParams": json.dumps(THEME),
            }
        )
        self.driver.get(f"{self.live.url}/app/#{fragment}")

    def ready(self, css: str) -> Any:
        """The element, once the view of the current address has loaded."""
        self.wait.until(
            lambda d: d.execute_script(SHOWN) and d.find_elements(self.by.CSS_SELECTOR, css)
        )
        return self.driver.find_element(self.by.CSS_SELECTOR, css)

    def all(self, css: str) -> list[Any]:
        return self.driver.find_elements(self.by.CSS_SELECTOR, css)

    def click_link(self, text: str) -> None:
        self.driver.find_element(self.by.LINK_TEXT, text).click()

    def scope(self) -> str:
        return str(self.ready("#scope").get_attribute("data-code"))

    def go(self, route: str) -> None:
        self.driver.execute_script("location.hash = arguments[0]", route)

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(412, min(max(int(height), 915), 2400))
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
        self.driver.set_window_size(412, 915)


@pytest.fixture
def app(browser: Any, live: LiveServer, clock: ManualClock) -> App:
    return App(browser, live, clock)


def _numbers(app: App) -> dict[str, str]:
    app.ready("#numbers")
    return {el.get_attribute("data-k"): el.text for el in app.all("#numbers [data-k]")}


def check_week_against_the_digest(app: App, digest: dict[str, Any]) -> None:
    """Every number of the week's view is the number `chibo digest --format json` gives."""
    shown, totals = _numbers(app), digest["totals"]
    for key, text in shown.items():
        group, _, name = key.partition(".")
        want = totals[group][name] if name else totals[group]
        if key == "attendance.average":
            assert text == ("—" if want is None else format_percent(want)), key
        else:
            assert int(text) == want, (key, text, want)
    assert len(shown) >= 20
    trend = app.all("#trend tbody tr")
    assert len(trend) == len(digest["trend"]) == 8
    for row, point in zip(trend, digest["trend"], strict=True):
        cells = [td.text for td in row.find_elements(app.by.TAG_NAME, "td")]
        assert cells == [
            f"{point['registered']}/{point['registration_expected']}",
            f"{point['held']}/{point['meetings_expected']}",
            f"{point['reports_on_time']}/{point['reports_expected']}",
        ]
    rows = {r.get_attribute("data-unit"): r for r in app.all("#breakdown tbody tr")}
    assert set(rows) == {b["unit"] for b in digest["breakdown"]}
    for b in digest["breakdown"]:
        cells = [td.text for td in rows[b["unit"]].find_elements(app.by.TAG_NAME, "td")]
        t = b["totals"]
        assert cells[0] == f"{t['registration']['registered']}/{t['registration']['expected']}"
        assert cells[1] == f"{t['meetings']['held']}/{t['meetings']['expected']}"
        assert cells[2] == f"{t['reports']['on_time']}/{t['reports']['expected']}"


def check_lists_against_the_digest(app: App, digest: dict[str, Any]) -> None:
    app.ready("form.filters")
    counts = {
        ul.get_attribute("data-list"): int(ul.get_attribute("data-count"))
        for ul in app.all("ul.items")
    }
    lists = digest["lists"]
    want = {
        "not_registered": sum(len(g["units"]) for g in lists["not_registered"]),
        **{k: len(v) for k, v in lists.items() if k != "not_registered"},
    }
    assert counts == {k: n for k, n in want.items() if n}


def check_cell_against_the_ledger(app: App, db_url: str, code: str) -> None:
    """The cell's year: each month's mark per measure is the worst status `chibo ledger
    show` gives for the obligations of that kind shown in that month."""
    rows = chibo(db_url, "ledger", "show", code, "--json")
    today = date.fromisoformat(AT)
    worst: dict[tuple[str, str], Mark] = {}
    for o in rows:
        if o["kind"] == "thematic":
            continue
        month = o["due"][:7] if o["kind"] == "report" else o["period"]
        status = o["status"]
        if status in ("pending", "missing") and o["done_on"] is None:
            # `ledger show` judges today; the app's clock is fixed at AT.
            status = "missing" if date.fromisoformat(o["due"]) < today else "pending"
        mark = STATUS_MARK[status]
        key = (month, o["kind"])
        worst[key] = max(worst.get(key, mark), mark)
    headers = [th.text for th in app.all("#year thead th")][1:]
    kinds = {
        "Đăng ký lịch": "registration",
        "Sinh hoạt": "meeting",
        "Tự đánh giá": "rating",
        "Báo cáo": "report",
    }
    checked = 0
    for tr in app.all("#year tbody tr"):
        month = tr.get_attribute("data-month")
        cells = tr.find_elements(app.by.TAG_NAME, "td")
        for header, cell in zip(headers, cells, strict=False):
            if header not in kinds:
                continue
            expected = worst.get((month, kinds[header]))
            shown = SYMBOL_MARK.get(cell.text.strip())
            assert shown == expected, (code, month, header, cell.text, expected)
            checked += expected is not None
    assert checked >= 8, "the cell's year shows too few marks to compare"


def test_a_leader_reads_the_bloc_then_a_cluster_a_base_organisation_and_a_cell(
    app: App, live: LiveServer, db_url: str
) -> None:
    app.open(LEADER)
    assert app.scope() == "DUK"
    app.ready("#heat")
    clusters = [tr.get_attribute("data-unit") for tr in app.all("#heat tbody tr[data-unit]")]
    assert clusters == ["C1", "C2", "C3", "C4", "C5"]
    app.shot("leader-bloc-heat-map")

    bloc = chibo(db_url, "digest", "--at", AT, "--format", "json")
    app.click_link("Tuần này")
    check_week_against_the_digest(app, bloc)
    app.shot("leader-week")

    app.click_link("Danh sách")
    check_lists_against_the_digest(app, bloc)
    # Filtered to one cluster: the lists are that cluster's digest.
    from selenium.webdriver.support.ui import Select

    Select(app.ready("select[name=within]")).select_by_value("C1")
    app.ready("form.filters button").click()
    app.wait.until(lambda d: "within=C1" in d.current_url)
    check_lists_against_the_digest(
        app, chibo(db_url, "digest", "--at", AT, "--scope", "C1", "--format", "json")
    )

    app.click_link("Bản đồ")
    app.ready("#heat")
    app.click_link("Cụm 1")
    app.wait.until(lambda d: app.scope() == "C1")
    app.shot("leader-cluster")
    committee = app.ready("#heat tbody tr.g th a")
    committee_code = committee.get_attribute("href").split("scope=")[1].split("&")[0]
    committee.click()
    app.wait.until(lambda d: app.scope() == committee_code)
    app.shot("leader-base-organisation")
    cell = app.ready("#heat tbody tr.u th a")
    cell_code = cell.get_attribute("href").split("code=")[1]
    cell.click()
    app.ready("#year")
    assert app.scope() == cell_code
    check_cell_against_the_ledger(app, db_url, cell_code)
    app.shot("leader-cell")


def test_a_cluster_officer_sees_their_cluster_and_nothing_else(
    app: App, live: LiveServer, db_url: str
) -> None:
    app.open(OFFICER_C1)
    assert app.scope() == "C1"
    app.ready("#heat")
    app.click_link("Nhiều tháng không đạt trước")
    app.wait.until(lambda d: "sort=failed" in d.current_url)
    app.ready("#heat")
    failed = [int(td.text) for td in app.all("#heat tbody tr[data-unit] td.n")]
    assert failed == sorted(failed, reverse=True) and failed[0] > 0
    app.shot("officer-cluster-by-failed-months")

    app.click_link("Tuần này")
    check_week_against_the_digest(
        app, chibo(db_url, "digest", "--at", AT, "--scope", "C1", "--format", "json")
    )

    # Another cluster, typed into the address: refused, and nothing of it shown.
    app.go("#/map?scope=C2")
    message = app.ready("p.msg")
    assert "phạm vi" in message.text
    assert not app.all("#heat") and "Cụm 2" not in app.driver.page_source
    app.go("#/unit?code=VPUBND-01")  # a cell of cluster C2
    assert "phạm vi" in app.ready("p.msg").text

    app.go("#/map?scope=C1&sort=failed")  # the cell that failed most months
    cell = app.ready("#heat tbody tr.u th a")
    code = cell.get_attribute("href").split("code=")[1]
    cell.click()
    app.ready("#year")
    check_cell_against_the_ledger(app, db_url, code)
    app.shot("officer-cell")

    app.go("#/files?scope=C1")
    app.ready("button[data-send=xlsx]").click()
    app.wait.until(lambda d: d.find_element(app.by.ID, "sent").text)
    assert "Đã gửi tệp Excel" in app.driver.find_element(app.by.ID, "sent").text
    [sent] = live.sent
    assert (sent.chat_id, sent.name) == (OFFICER_C1.id, f"tong-hop-C1-{AT}.xlsx")
