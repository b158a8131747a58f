"""Reminders of directives (before, on and after the due day, like the reports), of
cluster meetings (the day before and the morning of), and the officer's roll call."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import update

from domain.cluster_meetings import Answer
from domain.localtime import at_local
from domain.policy import default_policy
from scheduler.planner import compute_plan, plan_reminders
from services import cluster_meetings, directives
from services.actors import load_actor
from services.clock import ManualClock
from storage.db import Database
from storage.models import OutboxMessage
from tests.auxil.cast import LEADER, OFFICER_C1, SECRETARY_NTM, SECRETARY_TNMT
from tests.obligations.helpers import outbox

pytestmark = pytest.mark.usefixtures("small_bloc")
POLICY = default_policy()


def plan(db: Database, when: datetime) -> dict[int, list[dict]]:  # type: ignore[type-arg]
    """Who gets which items in a run at `when` (slots already planned count again)."""
    with db.transaction() as s:
        found = compute_plan(s, when, POLICY, respect_runs=False)
    return {m.outgoing.chat_id: [*m.items, {"text": m.outgoing.text}] for m in found.messages}


def items(found: dict[int, list[dict]], chat: int, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [i for i in found.get(chat, []) if i.get("type") == kind]


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return at_local(day, time(hour, minute))


def issue_directive(db: Database, clock: ManualClock, due: date) -> None:
    leader = load_actor(db, LEADER.id)
    request = directives.DirectiveRequest("Kế hoạch kiểm tra", "Số 20-KH/ĐUK", due, "TNMT,NTM")
    directives.issue(
        db,
        request,
        issuer=leader,
        actor_label="t",
        scope_code="DUK",
        now=clock.now(),
        policy=POLICY,
    )


def test_a_directive_is_reminded_before_on_and_after_its_due_day(
    db: Database, clock: ManualClock
) -> None:
    issue_directive(db, clock, date(2026, 12, 10))
    reminded = []
    for n in range(4, 13):  # the deadline slot of each day, 04/12 to 12/12
        day = date(2026, 12, n)
        plan_reminders(db, local(day, 8, 5), POLICY)
        mine = [
            r.text
            for r in outbox(db, "reminder")
            if r.period == f"{day}T0800" and r.chat_id == SECRETARY_NTM.id
        ]
        if any("Số 20-KH/ĐUK" in t for t in mine):
            reminded.append(n)
        with db.transaction() as s:  # delivered (else the next day carries it again)
            s.execute(update(OutboxMessage).values(status="sent"))
    # Like the reports: 3 days before, on the due day, then every 2 days.
    assert reminded == [7, 10, 12]
    (late,) = [
        r
        for r in outbox(db, "reminder")
        if r.period == "2026-12-12T0800" and r.chat_id == SECRETARY_NTM.id
    ]
    assert "Văn bản chỉ đạo Số 20-KH/ĐUK — Kế hoạch kiểm tra: hạn 10/12/2026" in late.text
    assert "quá hạn 2 ngày" in late.text
    assert [
        b["callback_data"]
        for row in late.buttons or []
        for b in row
        if "complete" in b["callback_data"]
    ] == ["open:complete:NTM:1"]


def test_a_directive_done_is_not_reminded(db: Database, clock: ManualClock) -> None:
    issue_directive(db, clock, date(2026, 12, 10))
    secretary = load_actor(db, SECRETARY_NTM.id)
    assert secretary is not None
    directives.confirm(
        db, secretary, 1, "NTM", document=("f", "x.pdf"), now=clock.now(), policy=POLICY
    )
    found = plan(db, local(date(2026, 12, 10), 8, 5))
    assert not items(found, SECRETARY_NTM.id, "directive") and items(
        found, SECRETARY_TNMT.id, "directive"
    )


def test_cluster_meeting_the_day_before_and_the_morning_of(
    db: Database, clock: ManualClock
) -> None:
    officer = load_actor(db, OFFICER_C1.id)
    assert officer is not None
    request = cluster_meetings.MeetingRequest(
        "C1", local(date(2026, 12, 3), 8), "Hội trường", "Giao ban"
    )
    cluster_meetings.call(db, officer, request, now=clock.now(), policy=POLICY)
    secretary = load_actor(db, SECRETARY_NTM.id)
    assert secretary is not None
    cluster_meetings.answer(db, secretary, 1, "NTM", Answer.ATTEND, "Lê Văn Cường", now=clock.now())
    before = plan(db, local(date(2026, 12, 2), 16, 5))
    (tnmt,) = items(before, SECRETARY_TNMT.id, "cluster_meeting")
    assert tnmt["when"] == "tomorrow" and tnmt["callback"] == "open:attend:TNMT:1"
    assert "Giao ban Cụm 1 ngày mai" in before[SECRETARY_TNMT.id][-1]["text"]
    assert "chưa báo người dự" in before[SECRETARY_TNMT.id][-1]["text"]
    (ntm,) = items(before, SECRETARY_NTM.id, "cluster_meeting")
    assert ntm["answered"] is True and ntm["callback"] is None
    morning = plan(db, local(date(2026, 12, 3), 7, 5))
    assert items(morning, SECRETARY_TNMT.id, "cluster_meeting")[0]["when"] == "today"
    # After the meeting, no reminder to the units; the officer is asked for the roll call.
    after = plan(db, local(date(2026, 12, 4), 8, 5))
    assert not items(after, SECRETARY_TNMT.id, "cluster_meeting")
    assert "Giao ban cụm chưa điểm danh" in after[OFFICER_C1.id][-1]["text"]
    cluster_meetings.mark(db, officer, 1, {}, now=local(date(2026, 12, 3), 11), policy=POLICY)
    later = plan(db, local(date(2026, 12, 4), 8, 5)).get(OFFICER_C1.id, [{"text": ""}])
    assert "chưa điểm danh" not in later[-1]["text"]
