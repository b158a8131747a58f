"""Cluster meetings in the bot: the officer calls one, the units answer, the officer marks
who came with one tap per unit; absences land in the ledger, /status and the digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from services.clock import ManualClock
from storage.db import Database
from storage.models import AuditEntry, ClusterInvitation, ClusterMeeting
from tests.auxil.cast import LEADER, OFFICER_C1, SECRETARY_NTM, SECRETARY_TAICHINH, SECRETARY_TNMT
from tests.auxil.updates import BotHarness, button, texts
from tests.obligations.helpers import ledger_of, outbox

pytestmark = pytest.mark.usefixtures("small_bloc")


async def call(bot: BotHarness, when: str = "03/12/2026 8h") -> str:
    calls = await bot.send(OFFICER_C1, "/clustermeeting")
    calls = await bot.press(OFFICER_C1, button(calls, "Đăng ký giao ban mới"))
    await bot.send(OFFICER_C1, when)
    await bot.send(OFFICER_C1, "Hội trường Sở Tài nguyên và Môi trường")
    calls = await bot.send(OFFICER_C1, "Sơ kết công tác quý IV")
    calls = await bot.press(OFFICER_C1, button(calls, "Tất cả 2 đơn vị"))
    return texts(await bot.press(OFFICER_C1, button(calls, "Xác nhận")))


def invitations(db: Database) -> dict[str, ClusterInvitation]:
    with db.transaction() as s:
        rows = list(s.scalars(select(ClusterInvitation)))
        for row in rows:
            s.expunge(row)
        return {row.unit_code: row for row in rows}


async def test_the_officer_calls_a_meeting_and_each_unit_is_invited(
    bot: BotHarness, db: Database
) -> None:
    reply = await call(bot)
    assert "Đã đăng ký giao ban Cụm 1 lúc 08:00 03/12/2026" in reply and "(2 đơn vị)" in reply
    assert set(invitations(db)) == {"TNMT", "NTM"}
    assert ledger_of(db, "cluster_meeting") == {"TNMT": ("open", None), "NTM": ("open", None)}
    sent = {row.chat_id: row for row in outbox(db, "cluster_meeting")}
    assert set(sent) == {SECRETARY_TNMT.id, SECRETARY_NTM.id}
    assert "Giấy mời giao ban Cụm 1" in sent[SECRETARY_NTM.id].text
    assert "Sơ kết công tác quý IV" in sent[SECRETARY_NTM.id].text
    assert sent[SECRETARY_NTM.id].buttons == [
        [{"text": "🙋 Báo người dự", "callback_data": "open:attend:NTM:1"}]
    ]


async def test_units_answer_and_the_officer_sees_who_comes(bot: BotHarness, db: Database) -> None:
    await call(bot)
    calls = await bot.press(SECRETARY_NTM, "open:attend:NTM:1")
    assert "có cử người dự không" in texts(calls)
    calls = await bot.press(SECRETARY_NTM, button(calls, "Có, cử người dự"))
    reply = texts(await bot.send(SECRETARY_NTM, "Đồng chí Lê Văn Cường, Bí thư chi bộ"))
    assert "Lê Văn Cường, Bí thư chi bộ dự giao ban 08:00 03/12/2026" in reply
    calls = await bot.press(SECRETARY_TNMT, "open:attend:TNMT:1")
    calls = await bot.press(SECRETARY_TNMT, button(calls, "Không dự được"))
    await bot.send(SECRETARY_TNMT, "Trùng lịch tiếp đoàn kiểm tra của Tỉnh ủy")
    found = invitations(db)
    assert (found["NTM"].answer, found["TNMT"].answer) == ("attend", "absent")
    calls = await bot.send(OFFICER_C1, "/clustermeeting")
    answers = texts(await bot.press(OFFICER_C1, button(calls, "Trả lời giao ban 03/12")))
    assert (
        "Chi bộ Ban Xây dựng nông thôn mới: ✅ Đồng chí Lê Văn Cường, Bí thư chi bộ dự" in answers
    )
    assert "không dự được — Trùng lịch tiếp đoàn kiểm tra của Tỉnh ủy" in answers
    # Answering does not settle anything: only the roll call does.
    assert ledger_of(db, "cluster_meeting")["TNMT"] == ("open", None)


async def test_roll_call_one_tap_per_unit(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    await call(bot)
    calls = await bot.press(SECRETARY_TNMT, "open:attend:TNMT:1")
    calls = await bot.press(SECRETARY_TNMT, button(calls, "Không dự được"))
    await bot.send(SECRETARY_TNMT, "Trùng lịch tiếp đoàn kiểm tra")
    clock.advance(timedelta(days=7))  # 03/12, after the meeting
    calls = await bot.send(OFFICER_C1, "/clustermeeting")
    calls = await bot.press(OFFICER_C1, button(calls, "Điểm danh giao ban 03/12"))
    # TNMT said why it could not come: it starts excused; NTM starts absent.
    labels = [label for c in calls for label, _ in c.buttons]
    assert "🟡 Đảng bộ cơ quan Sở Tài nguyên và Môi trường (có lý do)" in labels
    assert "❌ Chi bộ Ban Xây dựng nông thôn mới" in labels
    calls = await bot.press(OFFICER_C1, button(calls, "❌ Chi bộ Ban Xây dựng"))
    assert "✅ Chi bộ Ban Xây dựng nông thôn mới" in [b for c in calls for b, _ in c.buttons]
    reply = texts(await bot.press(OFFICER_C1, button(calls, "Lưu điểm danh")))
    assert "có mặt 1, vắng có lý do 1, vắng không có lý do 0" in reply
    assert ledger_of(db, "cluster_meeting") == {
        "NTM": ("done", "2026-12-03"),
        "TNMT": ("excused", None),
    }
    # A correction: TNMT's reason was not accepted after all.
    calls = await bot.send(OFFICER_C1, "/clustermeeting")
    calls = await bot.press(OFFICER_C1, button(calls, "Điểm danh giao ban 03/12"))
    calls = await bot.press(OFFICER_C1, button(calls, "🟡 Đảng bộ cơ quan"))
    await bot.press(OFFICER_C1, button(calls, "Lưu điểm danh"))
    assert ledger_of(db, "cluster_meeting")["TNMT"] == ("failed", None)
    with db.transaction() as s:
        marks = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "mark")))
    assert [m.entity_key for m in marks] == ["1:NTM", "1:TNMT", "1:TNMT"]
    assert marks[-1].old_value == {"attended": False, "reason_accepted": True}
    # The absence without a reason is on TNMT's /status and in the digest.
    status = texts(await bot.send(SECRETARY_TNMT, "/status"))
    assert "Giao ban Cụm 1 ngày 03/12/2026: không cử người dự, không có lý do" in status
    digest = texts(await bot.send(LEADER, "/digest"))
    assert "Không cử người dự giao ban cụm" in digest
    assert "Đảng bộ cơ quan Sở Tài nguyên và Môi trường — Cụm 1, 03/12: không có lý do" in digest


# ---------------------------------------------------------------------------
# Refused politely, nothing written


async def test_a_time_in_the_past_is_refused(bot: BotHarness, db: Database) -> None:
    calls = await bot.send(OFFICER_C1, "/clustermeeting")
    await bot.press(OFFICER_C1, button(calls, "Đăng ký giao ban mới"))
    reply = texts(await bot.send(OFFICER_C1, "20/11/2026 8h"))
    assert "đã qua" in reply.lower() or "không" in reply
    with db.transaction() as s:
        assert s.scalar(select(ClusterMeeting)) is None


async def test_another_cluster_is_out_of_the_officers_scope(bot: BotHarness, db: Database) -> None:
    reply = texts(await bot.send(OFFICER_C1, "/clustermeeting C2"))
    assert "không thuộc phạm vi" in reply
    await call(bot)
    # A unit of cluster 2 pressing an invitation of cluster 1's meeting.
    reply = texts(await bot.press(SECRETARY_TAICHINH, "open:attend:TNMT:1"))
    assert "không thuộc phạm vi" in reply


async def test_a_unit_not_invited_or_too_late_cannot_answer(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    await call(bot)
    assert "đã bắt đầu hoặc đã qua" in texts(
        await bot.press(SECRETARY_TAICHINH, "open:attend:TAICHINH:1")
    )
    clock.advance(timedelta(days=8))
    assert "đã bắt đầu hoặc đã qua" in texts(await bot.press(SECRETARY_NTM, "open:attend:NTM:1"))
    assert invitations(db)["NTM"].answer is None


async def test_the_roll_call_waits_for_the_meeting(bot: BotHarness, db: Database) -> None:
    await call(bot)
    calls = await bot.send(OFFICER_C1, "/clustermeeting")
    labels = [label for c in calls for label, _ in c.buttons]
    assert not any("Điểm danh" in label for label in labels)


async def test_secretaries_cannot_call_meetings(bot: BotHarness, db: Database) -> None:
    assert "không dùng được chức năng này" in texts(
        await bot.send(SECRETARY_NTM, "/clustermeeting")
    )
