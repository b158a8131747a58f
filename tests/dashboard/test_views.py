"""What the dashboard shows is what the bot says: the digest's numbers and lists, a
unit's /status, the same files; and the pages stay small (the budget in the README)."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from domain.policy import default_policy
from domain.roles import Role
from services.digest import build_digest
from storage.db import Database
from tests.auxil.cast import LEADER, OFFICER_C1, bind
from tests.auxil.updates import BotHarness, User
from tests.dashboard.client import WebClient
from web.pages import static_file

AT = date(2026, 11, 26)
# The budget (README, "Leadership dashboard"): bytes as sent, before compression.
PAGE_BUDGET = 16_000  # the page itself: HTML, CSS and script, loaded once and cached
FIRST_VIEW_BUDGET = 12_000  # the first view of the demo bloc (its heat map)
VIEW_BUDGET = 32_000  # any other view of the demo bloc
ROW_BUDGET = 450  # one more row of the heat map (a bloc of 200 clusters: under 100 KB)


def numbers(page: str) -> dict[str, str]:
    return dict(re.findall(r'<b data-k="([a-z_.]+)">([^<]*)</b>', page))


@pytest.mark.parametrize(("user", "scope"), [(LEADER, "DUK"), (OFFICER_C1, "C1"), (LEADER, "C3")])
async def test_the_weeks_numbers_are_the_digests(
    web: WebClient, db: Database, user: User, scope: str
) -> None:
    page = (await web.get("/app/api/week", user, scope=scope)).text
    digest = build_digest(db, scope, AT, default_policy()).as_dict()
    shown = numbers(page)
    assert len(shown) >= 20
    for key, text in shown.items():
        group, _, name = key.partition(".")
        want = digest["totals"][group][name] if name else digest["totals"][group]
        if key == "attendance.average":
            assert text.replace(",", ".").rstrip("%") == f"{want * 100:.1f}".rstrip("0").rstrip(".")
        else:
            assert int(text) == want, key
    for point in digest["trend"]:
        day = date.fromisoformat(point["at"]).strftime("%d/%m/%Y")
        assert (
            f"<tr><th>{day}</th><td>{point['registered']}/{point['registration_expected']}</td>"
            in page
        )
    for child in digest["breakdown"]:
        assert f'<tr data-unit="{child["unit"]}">' in page


async def test_a_units_page_lists_what_its_status_says(
    web: WebClient, db: Database, bot: BotHarness
) -> None:
    """The overdue lines of the unit's page are the lines /status gives its secretary."""
    secretary = User(7201, "Đỗ Văn", "Tâm")
    bind(db, web.clock.now(), secretary, Role.SECRETARY, "VPTU-06")
    status = (await bot.send(secretary, "/status"))[0].text
    overdue = status.split("<b>Quá hạn</b>")[1].split("\n\n")[0]
    lines = [
        html.unescape(re.sub(r" \(<b>.*", "", line[2:])) for line in overdue.strip().splitlines()
    ]
    assert lines and all(lines), status

    page = (await web.get("/app/api/unit", OFFICER_C1, code="VPTU-06")).text
    shown = re.findall(r'<li class="m4"><span>✗</span> (.*?) <b>', page)
    assert [html.unescape(s) for s in shown] == lines


async def test_lists_filter_by_list_by_child_and_by_name(web: WebClient, db: Database) -> None:
    c1 = build_digest(db, "C1", AT, default_policy()).as_dict()["lists"]
    page = (await web.get("/app/api/lists", LEADER, scope="DUK", list="reports", within="C1")).text
    listed = re.findall(r'<li data-unit="([^"]+)">', page)
    assert listed == [r["unit"] for r in c1["reports"]]
    assert 'data-list="meetings_not_held"' not in page

    page = (await web.get("/app/api/lists", LEADER, scope="DUK", q="hai quan")).text
    names = re.findall(r'<li data-unit="[^"]+"><a [^>]*>([^<]+)</a>', page)
    assert names and all("Hải quan" in html.unescape(n) for n in names)

    everything = (await web.get("/app/api/lists", LEADER, scope="DUK")).text
    counts = dict(re.findall(r'data-list="([a-z_]+)" data-count="(\d+)"', everything))
    bloc = build_digest(db, "DUK", AT, default_policy()).as_dict()["lists"]
    assert int(counts["not_registered"]) == sum(len(g["units"]) for g in bloc["not_registered"])
    assert int(counts["reports"]) == len(bloc["reports"])


async def test_the_files_are_the_digests_and_go_to_the_persons_chat(web: WebClient) -> None:
    xlsx = await web.post("/app/api/send", OFFICER_C1, kind="xlsx", scope="C1")
    docx = await web.post("/app/api/send", OFFICER_C1, kind="docx")
    assert "Đã gửi tệp Excel" in xlsx.text and "Đã gửi thông báo" in docx.text
    first, second = web.sent
    assert (first.chat_id, first.name) == (OFFICER_C1.id, "tong-hop-C1-2026-11-26.xlsx")
    assert (second.chat_id, second.name) == (OFFICER_C1.id, "thong-bao-tong-hop-C1-2026-11-26.docx")
    assert first.data[:2] == second.data[:2] == b"PK"  # XLSX and DOCX are zip files
    assert first.caption.startswith("Chi tiết tổng hợp — Cụm 1")


async def test_a_file_that_cannot_be_sent_is_said_so(web: WebClient) -> None:
    async def refuse(*_: object) -> None:
        raise RuntimeError("Forbidden: bot was blocked by the user")

    object.__setattr__(web.deps, "send_document", refuse)
    response = await web.post("/app/api/send", LEADER, kind="xlsx")
    assert response.status_code == 200 and "Chưa gửi được tệp" in response.text


async def test_the_heat_map_sorts_by_months_failed_and_ignores_a_bad_measure(
    web: WebClient,
) -> None:
    page = (await web.get("/app/api/map", LEADER, scope="C1", sort="failed")).text
    failed = [int(n) for n in re.findall(r'<td class="n">(\d+)</td></tr>', page)[1:]]
    assert failed == sorted(failed, reverse=True) and failed[0] > 0
    odd = await web.get("/app/api/map", LEADER, scope="C1", measure="<script>")
    assert odd.status_code == 200 and 'data-measure="all"' in odd.text


async def test_names_are_escaped(web: WebClient, db: Database) -> None:
    from sqlalchemy import update

    from storage.models import Unit

    with db.transaction() as s:
        s.execute(update(Unit).where(Unit.code == "C1").values(name="Cụm <b>1</b> & co"))
    page = (await web.get("/app/api/home", LEADER)).text
    assert "Cụm &lt;b&gt;1&lt;/b&gt; &amp; co" in page and "<b>1</b>" not in page


async def test_pages_are_private_and_run_only_their_own_script(web: WebClient) -> None:
    page = await web.get("/app/")
    assert page.status_code == 200 and 'src="static/app.js?v=' in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors https://web.telegram.org" in csp
    view = await web.get("/app/api/home", LEADER)
    assert view.headers["cache-control"] == "no-store"
    script = await web.get("/app/static/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "immutable" in script.headers["cache-control"]
    assert (await web.get("/app/static/../deps.py")).status_code == 404
    assert (await web.get("/app/static/secret.txt")).status_code == 404


async def test_pages_stay_within_the_budget(web: WebClient) -> None:
    shell = (await web.get("/app/")).content
    page = len(shell) + len(static_file("app.css")) + len(static_file("app.js"))
    assert page <= PAGE_BUDGET, page
    for user in (LEADER, OFFICER_C1):
        first = await web.get("/app/api/home", user)
        assert len(first.content) <= FIRST_VIEW_BUDGET, (user, len(first.content))
        for view, params in (
            ("map", {"measure": "report", "sort": "failed"}),
            ("week", {}),
            ("lists", {}),
            ("files", {}),
            ("chronic", {}),
            ("unit", {"code": "HAIQUAN"}),
        ):
            response = await web.get(f"/app/api/{view}", user, **params)
            assert len(response.content) <= VIEW_BUDGET, (view, len(response.content))
    # What each row adds, so a bloc of any size can be told: measured on a cluster.
    cluster = (await web.get("/app/api/map", LEADER, scope="C4")).text
    rows = re.findall(r"<tr data-unit=.*?</tr>", cluster, re.S)
    assert rows and max(len(r.encode()) for r in rows) <= ROW_BUDGET


async def test_the_web_server_compresses_what_it_sends(web: WebClient) -> None:
    response = await web.http.get(
        "/app/api/lists",
        headers={**web._auth(LEADER, None), "Accept-Encoding": "gzip"},
    )
    assert response.headers.get("content-encoding") == "gzip"


async def test_a_person_with_two_clusters_chooses_one(web: WebClient, db: Database) -> None:
    bind(db, web.clock.now(), OFFICER_C1, Role.CLUSTER_OFFICER, "C3")
    web.deps.actors.forget(OFFICER_C1.id)
    home = (await web.get("/app/api/home", OFFICER_C1)).text
    assert home.count('<a href="#/map?scope=') == 2 and "C1" in home and "C3" in home
    chosen = (await web.get("/app/api/home", OFFICER_C1, scope="C3")).text
    assert 'data-code="C3"' in chosen and "đổi phạm vi" in chosen
