"""Who may see what in the Mini App: the bot's roles and scopes, nothing else.

Every view is asked by strangers, forgers, a secretary and cluster officers outside
their cluster; each is refused with one sentence and not a byte of the data.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.roles import Role
from services.people import revoke_role
from storage.db import Database
from tests.auxil.cast import LEADER, OFFICER_C1, OFFICER_C2, SECRETARY, STRANGER
from tests.auxil.clocks import T0
from tests.dashboard.client import WebClient
from tests.dashboard.world import launch_data
from tests.leadership.seed import person_id
from web import views

VIEWS = sorted(views.VIEWS)
C2_NAMES = ("Cụm 2", "Văn phòng UBND", "VPUBND")  # what a C1 officer must never read


def message_only(html: str) -> bool:
    return html.startswith('<p class="msg">') and html.count("<") == 2


@pytest.mark.parametrize("view", VIEWS)
async def test_without_launch_data_every_view_says_to_open_it_from_telegram(
    web: WebClient, view: str
) -> None:
    response = await web.get(f"/app/api/{view}")
    assert response.status_code == 401
    assert message_only(response.text) and "trong Telegram" in response.text


@pytest.mark.parametrize(
    "init_data",
    [
        "garbage",
        launch_data(LEADER, T0).replace("hash=", "hash=0"),
        launch_data(LEADER, T0, token="999:another-bot"),
        launch_data(LEADER, T0 - timedelta(hours=1, minutes=1)),
    ],
    ids=["garbage", "tampered-hash", "other-bots-token", "expired"],
)
async def test_forged_or_expired_launch_data_is_refused(web: WebClient, init_data: str) -> None:
    for view in VIEWS:
        response = await web.get(f"/app/api/{view}", init_data=init_data)
        assert response.status_code == 401, view
        assert message_only(response.text) and "mở lại" in response.text
    refused = await web.post("/app/api/send", LEADER, kind="xlsx")
    assert refused.status_code == 200  # the genuine leader, for contrast
    response = await web.http.post(
        "/app/api/send", params={"kind": "xlsx"}, headers={"Authorization": f"tma {init_data}"}
    )
    assert response.status_code == 401
    assert len(web.sent) == 1  # only the genuine request sent a file


@pytest.mark.parametrize("view", VIEWS)
async def test_a_stranger_with_genuine_launch_data_is_refused(web: WebClient, view: str) -> None:
    response = await web.get(f"/app/api/{view}", STRANGER)
    assert response.status_code == 403
    assert message_only(response.text) and "mã mời" in response.text


@pytest.mark.parametrize("view", VIEWS)
async def test_a_secretary_is_pointed_to_status(web: WebClient, view: str) -> None:
    response = await web.get(f"/app/api/{view}", SECRETARY, code="VPUBND-01")
    assert response.status_code == 403
    assert message_only(response.text) and "/status" in response.text


@pytest.mark.parametrize(
    ("view", "params"),
    [
        ("map", {"scope": "C2"}),
        ("chronic", {"scope": "C2"}),
        ("week", {"scope": "C2"}),
        ("lists", {"scope": "C2"}),
        ("files", {"scope": "C2"}),
        ("home", {"scope": "C2"}),
        ("unit", {"code": "VPUBND-01"}),  # a cell of cluster 2
        ("unit", {"code": "VPUBND"}),  # a base committee of cluster 2
        ("map", {"scope": "DUK"}),  # the bloc above the officer's cluster
    ],
)
async def test_a_cluster_officer_asking_for_another_cluster_gets_nothing(
    web: WebClient, view: str, params: dict[str, str]
) -> None:
    response = await web.get(f"/app/api/{view}", OFFICER_C1, **params)
    assert response.status_code == 404
    assert message_only(response.text) and "phạm vi" in response.text
    assert not any(name in response.text for name in C2_NAMES)
    # The same answer as for a unit that does not exist: existence is not leaked either.
    key = "code" if view == "unit" else "scope"
    missing = await web.get(f"/app/api/{view}", OFFICER_C1, **{key: "KHONG-CO"})
    assert (missing.status_code, missing.text) == (response.status_code, response.text)


async def test_a_cluster_officer_cannot_have_another_clusters_file_sent(web: WebClient) -> None:
    response = await web.post("/app/api/send", OFFICER_C1, kind="docx", scope="C2")
    assert response.status_code == 404 and web.sent == []
    bad = await web.post("/app/api/send", OFFICER_C1, kind="exe", scope="C1")
    assert bad.status_code == 400 and web.sent == []


async def test_filters_cannot_reach_outside_the_scope(web: WebClient) -> None:
    """`within=C2` under the officer's own scope is not a child of it: it filters nothing
    in, and nothing of cluster 2 is listed."""
    response = await web.get("/app/api/lists", OFFICER_C1, scope="C1", within="C2")
    assert response.status_code == 200
    assert not any(name in response.text for name in C2_NAMES)


async def test_each_officer_sees_their_own_cluster_and_the_leader_every_one(
    web: WebClient,
) -> None:
    for user, scope in ((OFFICER_C1, "C1"), (OFFICER_C2, "C2")):
        home = await web.get("/app/api/home", user)
        assert home.status_code == 200 and f'data-code="{scope}"' in home.text
    for scope in ("DUK", "C1", "C2", "C5"):
        for view in ("map", "week", "lists", "files", "chronic"):
            response = await web.get(f"/app/api/{view}", LEADER, scope=scope)
            assert response.status_code == 200, (view, scope)
    unit = await web.get("/app/api/unit", LEADER, code="VPUBND-01")
    assert unit.status_code == 200 and 'id="year"' in unit.text


async def test_a_role_taken_away_closes_the_app_at_once(web: WebClient, db: Database) -> None:
    assert (await web.get("/app/api/home", OFFICER_C1)).status_code == 200
    revoke_role(
        db,
        person_id=person_id(db, OFFICER_C1.id),
        role=Role.CLUSTER_OFFICER,
        unit_code="C1",
        actor="test",
        now=web.clock.now(),
    )
    web.deps.actors.forget(OFFICER_C1.id)  # what a change made in the bot does (services.people)
    response = await web.get("/app/api/home", OFFICER_C1)
    assert response.status_code == 403 and message_only(response.text)
