"""plan_weekly_digests: due at the policy's weekly moment, one row per recipient, idempotent."""

from __future__ import annotations

import copy
import io
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import select

from domain.policy import Policy, default_policy
from domain.roles import Role
from services.digest_delivery import digest_moment, iso_week, plan_weekly_digests, recipients
from storage.db import Database
from storage.models import ChatSubscription, OutboxMessage, RoleAssignment
from tests.auxil.cast import LEADER, OFFICER_C1, OFFICER_C2
from tests.leadership.seed import person, utc

pytestmark = pytest.mark.usefixtures("seeded")

LEADER_TG, OFFICER_TG, BOTH_TG, GROUP = LEADER.id, OFFICER_C1.id, OFFICER_C2.id, -100_777
# Monday 30/11/2026 07:30 in Hà Nội.
MOMENT = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def audience(db: Database, seeded: None) -> None:
    with db.transaction() as s:
        leader = person(s, LEADER_TG, LEADER.full_name, Role.LEADER, "DUK")
        person(s, OFFICER_TG, OFFICER_C1.full_name, Role.CLUSTER_OFFICER, "C1")
        both = person(s, BOTH_TG, OFFICER_C2.full_name, Role.CLUSTER_OFFICER, "C2")
        s.add(RoleAssignment(person_id=both.id, role=Role.LEADER, unit_code="DUK",
                             created_at=utc(2026, 1, 1)))  # fmt: skip
        s.add(ChatSubscription(chat_id=GROUP, title="Thường trực", unit_code="DUK",
                               subscribed_by=leader.id, created_at=utc(2026, 1, 1)))  # fmt: skip


def rows(db: Database) -> list[OutboxMessage]:
    with db.transaction() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.dedup_key)))


def test_moment_is_monday_0730_local() -> None:
    policy = default_policy()
    assert digest_moment(policy, datetime(2026, 12, 2, 5, tzinfo=UTC)) == MOMENT
    assert iso_week(MOMENT) == "2026-W49"


def test_a_restart_days_after_the_moment_renders_no_digest(db: Database) -> None:
    policy = default_policy()
    assert plan_weekly_digests(db, MOMENT + timedelta(days=2), policy) == 0
    assert rows(db) == []
    assert plan_weekly_digests(db, MOMENT + timedelta(hours=23), policy) == 12  # caught up


def test_nothing_before_the_moment(db: Database) -> None:
    assert plan_weekly_digests(db, MOMENT - timedelta(minutes=1), default_policy()) == 0
    assert rows(db) == []


def test_one_summary_one_xlsx_and_one_chart_per_recipient_then_nothing_new(
    db: Database,
) -> None:
    policy = default_policy()
    assert plan_weekly_digests(db, MOMENT, policy) == 12
    keys = [r.dedup_key for r in rows(db)]
    assert keys == sorted(
        f"{prefix}:{chat}:2026-W49"
        for prefix in ("digest", "digest-xlsx", "digest-chart")
        for chat in (GROUP, LEADER_TG, OFFICER_TG, BOTH_TG)
    )
    # The unreachable leader of the seed (9002) is skipped.
    assert all(r.chat_id != 9002 for r in rows(db))
    assert plan_weekly_digests(db, MOMENT, policy) == 0
    assert plan_weekly_digests(db, MOMENT + timedelta(days=1), policy) == 0
    assert len(rows(db)) == 12
    # Next week: a new round.
    assert plan_weekly_digests(db, MOMENT + timedelta(days=7), policy) == 12
    assert len(rows(db)) == 24


def test_rows_carry_the_summary_and_files_for_the_recipients_scope(db: Database) -> None:
    plan_weekly_digests(db, MOMENT, default_policy())
    by_key = {r.dedup_key: r for r in rows(db)}
    officer = by_key[f"digest:{OFFICER_TG}:2026-W49"]
    assert "<b>Cụm 1</b>" in officer.text and len(officer.text) <= 4096
    assert officer.reason == "weekly_digest" and officer.period == "2026-W49"
    assert officer.not_before == MOMENT and officer.status == "pending"
    assert officer.attachment is None
    xlsx = by_key[f"digest-xlsx:{OFFICER_TG}:2026-W49"]
    assert xlsx.attachment_name == "tong-hop-C1-2026-11-30.xlsx"
    assert xlsx.text.startswith("Chi tiết tổng hợp — Cụm 1 (Excel")  # a caption, not empty
    sheet = load_workbook(io.BytesIO(xlsx.attachment or b""))["Chưa đăng ký lịch"]
    assert {r[1] for r in sheet.iter_rows(min_row=2, values_only=True)} == {"TNMT-03"}
    leader = by_key[f"digest:{LEADER_TG}:2026-W49"]
    assert "Đảng bộ Khối các cơ quan tỉnh" in leader.text
    # Someone who is both leader and officer gets the wider digest, once.
    assert "Đảng bộ Khối các cơ quan tỉnh" in by_key[f"digest:{BOTH_TG}:2026-W49"].text
    chart = by_key[f"digest-chart:{GROUP}:2026-W49"]
    assert (chart.attachment or b"").startswith(b"\x89PNG")
    assert chart.attachment_name == "tong-hop-DUK-2026-11-30.png"


def test_weekly_moment_follows_the_policy(db: Database) -> None:
    raw = copy.deepcopy(
        yaml.safe_load(resources.files("domain").joinpath("policy_default.yaml").read_text("utf-8"))
    )
    raw["reminders"]["weekly_digest"] = {"weekday": "friday", "at": "16:00"}
    policy = Policy.from_dict(raw)
    friday_1600 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert plan_weekly_digests(db, friday_1600 - timedelta(seconds=1), policy) == 0
    assert plan_weekly_digests(db, friday_1600, policy) == 12
    assert {r.period for r in rows(db)} == {"2026-W48"}


def test_recipients_are_one_per_chat_with_the_widest_scope(db: Database) -> None:
    found = {r.chat_id: r.scope_code for r in recipients(db)}
    assert found == {GROUP: "DUK", LEADER_TG: "DUK", OFFICER_TG: "C1", BOTH_TG: "DUK"}
