"""The dashboard tests' world: the demo bloc after four months, the people who read it,
and launch data signed as Telegram signs it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.policy import default_policy
from domain.roles import Role
from services.actors import ActorCache
from services.clock import ManualClock
from services.demo_history import load_demo_history
from services.org import import_org
from storage.db import Database
from tests.auxil.cast import LEADER, OFFICER_C1, OFFICER_C2, SECRETARY, bind
from tests.auxil.orgs import DEMO_ORG
from tests.auxil.updates import User
from web.deps import WebDeps
from web.init_data import sign

TOKEN = "123456:DASHBOARD-TEST-TOKEN"


def launch_data(user: User, at: datetime, token: str = TOKEN, **extra: str) -> str:
    fields = {
        "query_id": "AAH-test",
        "user": json.dumps(
            {"id": user.id, "first_name": user.first_name, "language_code": "vi"},
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        "auth_date": str(int(at.timestamp())),
        **extra,
    }
    return sign(fields, token)


@dataclass
class Sent:
    chat_id: int
    name: str
    data: bytes
    caption: str


def web_deps(db: Database, clock: ManualClock, sent: list[Sent]) -> WebDeps:
    async def send_document(chat_id: int, name: str, data: bytes, caption: str) -> None:
        sent.append(Sent(chat_id, name, data, caption))

    return WebDeps(
        db=db,
        clock=clock,
        policy=default_policy(),
        actors=ActorCache(),
        bot_token=TOKEN,
        auth_max_age=timedelta(hours=1),
        locale="vi",
        send_document=send_document,
        planner_expected=False,
    )


def live_demo(db: Database, clock: ManualClock) -> None:
    """The demo bloc after four months of use, with the people who read it."""
    import_org(
        db,
        DEMO_ORG.read_text(encoding="utf-8"),
        now=clock.now(),
        actor="test",
        policy=default_policy(),
    )
    load_demo_history(db, clock.now())
    bind(db, clock.now(), LEADER, Role.LEADER, "DUK")
    bind(db, clock.now(), OFFICER_C1, Role.CLUSTER_OFFICER, "C1")
    bind(db, clock.now(), OFFICER_C2, Role.CLUSTER_OFFICER, "C2")
    bind(db, clock.now(), SECRETARY, Role.SECRETARY, "VPUBND-01")
