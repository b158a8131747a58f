"""The demo bloc's past months (services/demo_history.py): a newcomer sees a real digest.

Loaded on the demo org at Thursday 26/11/2026 09:00, then read through the real
Application (process_update) as a leader and a secretary would.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from domain.roles import Role
from services.clock import ManualClock
from services.demo_history import load_demo_history
from storage.db import Database
from storage.models import AuditEntry, MeetingRecord, MeetingSchedule, ReportSubmission
from tests.auxil.cast import LEADER, SECRETARY, bind
from tests.auxil.updates import BotHarness, texts


@pytest.fixture
def history(db: Database, clock: ManualClock, demo_org: None) -> None:
    load_demo_history(db, clock.now())
    bind(db, clock.now(), LEADER, Role.LEADER, "DUK")
    bind(db, clock.now(), SECRETARY, Role.SECRETARY, "VPUBND-01")


def count(db: Database, model: type) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found is not None, pattern
    return int(found[1])


@pytest.mark.usefixtures("history")
async def test_the_leader_sees_a_bloc_that_has_lived_a_while(bot: BotHarness) -> None:
    summary = (await bot.send(LEADER, "/digest"))[0].text
    registered = number(r"tháng 12/2026 \(hạn 25/11/2026\): <b>(\d+)/283</b>", summary)
    held = number(r"Đã tổ chức sinh hoạt tháng 11/2026: <b>(\d+)/283</b>", summary)
    rated = number(r"Đã tự đánh giá chất lượng: <b>(\d+)/", summary)
    assert 200 < registered < 283 and 100 < held < 283 and 0 < rated <= held
    # Imperfect, as a real bloc is: something to list, late and missing.
    assert "Chưa đăng ký lịch sinh hoạt tháng 12/2026" in summary
    assert "Báo cáo định kỳ chậm, chưa gửi" in summary
    # Facts were entered on their days: last week's numbers differ from this week's.
    assert "Trong ngoặc: thay đổi so với ngày 19/11/2026" in summary
    # A secretary's own past months are there too.
    months = texts(await bot.send(SECRETARY, "/history"))
    assert months.count("đã đăng ký") >= 3 and months.count("đã sinh hoạt") >= 2


async def test_every_fact_goes_through_the_import_and_loading_twice_changes_nothing(
    db: Database, clock: ManualClock, demo_org: None
) -> None:
    first = load_demo_history(db, clock.now())
    assert first.meeting_rows > 1000 and first.report_rows > 100
    before = [count(db, m) for m in (MeetingSchedule, MeetingRecord, ReportSubmission)]
    with db.transaction() as s:
        actors = set(s.scalars(select(AuditEntry.actor_label).where(AuditEntry.entity.in_(
            ("meeting_schedule", "meeting_record", "report_submission")))))  # fmt: skip
    assert actors == {"demo"}  # the activity import's audit trail, actor "demo"
    load_demo_history(db, clock.now())
    assert [count(db, m) for m in (MeetingSchedule, MeetingRecord, ReportSubmission)] == before
