"""Directives in the bot: the leader issues one, each unit's secretary receives it with
the document and confirms it done with theirs; late or not follows from the due date,
and /status, /directives and the digest read the ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.limits import MAX_FILE_BYTES
from services.clock import ManualClock
from storage.db import Database
from storage.models import AuditEntry, Directive, DirectiveTarget
from tests.auxil.cast import (
    ADMIN_C1,
    LEADER,
    SECRETARY_NOICHINH,
    SECRETARY_NTM,
    SECRETARY_TAICHINH,
    SECRETARY_TNMT,
    SECRETARY_TNMT_01,
)
from tests.auxil.updates import BotHarness, button, texts
from tests.obligations.helpers import ledger_of, outbox

pytestmark = pytest.mark.usefixtures("small_bloc")
TITLE = "Chương trình hành động thực hiện Nghị quyết số 05-NQ/ĐUK"


async def issue(
    bot: BotHarness, *, due: str = "20/12/2026", units: str = "Tất cả", file: bool = True
) -> str:
    """The leader walks /directive; returns the last reply."""
    await bot.send(LEADER, "/directive")
    await bot.send(LEADER, TITLE)
    await bot.send(LEADER, "Số 12-KH/ĐUK")
    calls = await bot.send(LEADER, due)
    calls = await bot.press(LEADER, button(calls, units))
    if file:
        calls = await bot.send_document(LEADER, "ke-hoach-12.pdf")
    else:
        calls = await bot.press(LEADER, button(calls, "Không đính kèm"))
    return texts(await bot.press(LEADER, button(calls, "Xác nhận")))


def directives(db: Database) -> list[Directive]:
    with db.transaction() as s:
        return list(s.scalars(select(Directive)))


async def test_issued_directive_reaches_each_base_organisation_with_its_document(
    bot: BotHarness, db: Database
) -> None:
    reply = await issue(bot)
    assert "Đã giao văn bản (mã 1)" in reply and "cho 4 đơn vị" in reply
    assert "hạn 20/12/2026" in reply and "4 đồng chí" in reply
    assert ledger_of(db, "directive") == {
        code: ("open", None) for code in ("TNMT", "NTM", "TAICHINH", "NOICHINH")
    }
    sent = {row.chat_id: row for row in outbox(db, "directive")}
    assert set(sent) == {
        SECRETARY_TNMT.id,
        SECRETARY_NTM.id,
        SECRETARY_TAICHINH.id,
        SECRETARY_NOICHINH.id,
    }
    ntm = sent[SECRETARY_NTM.id]
    assert "Số 12-KH/ĐUK" in ntm.text and TITLE in ntm.text and "20/12/2026" in ntm.text
    assert ntm.attachment_ref == "directive:1" and ntm.attachment_name == "ke-hoach-12.pdf"
    assert ntm.buttons == [
        [{"text": "✅ Xác nhận đã hoàn thành", "callback_data": "open:complete:NTM:1"}]
    ]
    (row,) = directives(db)
    assert (row.document_file_id, row.document_name) == ("file-ke-hoach-12.pdf", "ke-hoach-12.pdf")
    with db.transaction() as s:
        audit = s.scalar(select(AuditEntry).where(AuditEntry.entity == "directive"))
    assert audit is not None and audit.new_value["units"] == ["NTM", "TNMT", "NOICHINH", "TAICHINH"]


async def test_secretary_confirms_with_a_document_and_the_leader_sees_progress(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    await issue(bot, due="28/11/2026")
    calls = await bot.press(SECRETARY_NTM, "open:complete:NTM:1")
    assert "Gửi vào đây văn bản của Chi bộ Ban Xây dựng nông thôn mới" in texts(calls)
    reply = texts(await bot.send_document(SECRETARY_NTM, "ctht-ntm.pdf"))
    assert "Đã xác nhận hoàn thành Số 12-KH/ĐUK" in reply and "đúng hạn (hạn 28/11/2026)" in reply
    clock.advance(timedelta(days=4))  # 30/11: two days late
    await bot.press(SECRETARY_TNMT, "open:complete:TNMT:1")
    reply = texts(await bot.send_document(SECRETARY_TNMT, "ctht-tnmt.docx"))
    assert "trễ hạn 2 ngày" in reply
    assert ledger_of(db, "directive")["NTM"] == ("done", "2026-11-26")
    assert ledger_of(db, "directive")["TNMT"] == ("done", "2026-11-30")
    with db.transaction() as s:
        target = s.scalar(select(DirectiveTarget).where(DirectiveTarget.unit_code == "NTM"))
    assert target is not None and target.document_name == "ctht-ntm.pdf"
    overview = texts(await bot.send(LEADER, "/directives"))
    assert "đã xong <b>2/4</b> (1 trễ hạn)" in overview
    detail = texts(await bot.send(LEADER, "/directives 1"))
    assert "Chưa hoàn thành (2)" in detail and "Đảng bộ cơ quan Sở Tài chính (TAICHINH)" in detail
    assert "Đảng bộ cơ quan Sở Tài nguyên và Môi trường: 30/11/2026 — <b>trễ hạn</b>" in detail
    # Pressed again: it is done, nothing changes.
    again = texts(await bot.press(SECRETARY_NTM, "open:complete:NTM:1"))
    assert "đã xác nhận hoàn thành" in again


async def test_overdue_directive_is_on_status_and_in_the_digest(
    bot: BotHarness, db: Database, clock: ManualClock
) -> None:
    await issue(bot, due="27/11/2026")
    clock.advance(timedelta(days=3))  # 29/11
    status = texts(calls := await bot.send(SECRETARY_NOICHINH, "/status"))
    assert (
        "Văn bản chỉ đạo Số 12-KH/ĐUK — " + TITLE + " — hạn 27/11/2026 (<b>quá hạn 2 ngày</b>)"
        in status
    )
    assert button(calls, "Hoàn thành") == "open:complete:NOICHINH:1"
    digest = texts(await bot.send(LEADER, "/digest"))
    assert "Văn bản chỉ đạo chưa hoàn thành, hoàn thành chậm" in digest
    assert "chưa hoàn thành <b>4/4</b>" in digest


async def test_a_sub_cell_given_a_directive_by_code(bot: BotHarness, db: Database) -> None:
    await bot.send(LEADER, "/directive")
    await bot.send(LEADER, TITLE)
    calls = await bot.send(LEADER, "Số 3-CV/ĐUK")
    calls = await bot.send(LEADER, "15/12/2026")
    calls = await bot.send(LEADER, "TNMT-01, NTM")
    calls = await bot.press(LEADER, button(calls, "Không đính kèm"))
    reply = texts(await bot.press(LEADER, button(calls, "Xác nhận")))
    assert "cho 2 đơn vị" in reply
    assert set(ledger_of(db, "directive")) == {"TNMT-01", "NTM"}
    (row,) = [r for r in outbox(db, "directive") if r.chat_id == SECRETARY_TNMT_01.id]
    assert row.attachment_ref is None


# ---------------------------------------------------------------------------
# Refused politely, nothing written


async def test_a_due_date_in_the_past_is_refused(bot: BotHarness, db: Database) -> None:
    await bot.send(LEADER, "/directive")
    await bot.send(LEADER, TITLE)
    await bot.send(LEADER, "Số 12-KH/ĐUK")
    reply = texts(await bot.send(LEADER, "20/11/2026"))
    assert "đã qua" in reply and "Hạn các đơn vị hoàn thành" in reply
    assert directives(db) == []


async def test_a_unit_outside_the_issuers_scope_is_refused(bot: BotHarness, db: Database) -> None:
    """An admin of cluster 1 cannot give a directive to a unit of cluster 2."""
    await bot.send(ADMIN_C1, "/directive")
    await bot.send(ADMIN_C1, TITLE)
    await bot.send(ADMIN_C1, "Số 12-KH/ĐUK")
    calls = await bot.send(ADMIN_C1, "20/12/2026")
    assert [label for c in calls for label, _ in c.buttons][:2] == [
        "Tất cả tổ chức cơ sở đảng",
        "Cụm 1",
    ]
    reply = texts(await bot.send(ADMIN_C1, "NTM, TAICHINH"))
    assert "TAICHINH không thuộc phạm vi phụ trách" in reply
    reply = texts(await bot.send(ADMIN_C1, "NOPE"))
    assert "Không có đơn vị mã NOPE" in reply
    assert directives(db) == []


async def test_a_file_over_the_size_limit_is_refused(bot: BotHarness, db: Database) -> None:
    await bot.send(LEADER, "/directive")
    await bot.send(LEADER, TITLE)
    await bot.send(LEADER, "Số 12-KH/ĐUK")
    calls = await bot.send(LEADER, "20/12/2026")
    await bot.press(LEADER, button(calls, "Tất cả"))
    reply = texts(await bot.send_document(LEADER, "qua-lon.pdf", size=MAX_FILE_BYTES + 1))
    assert "Tệp quá lớn" in reply
    # The dialog still waits for the document; a fitting one goes on.
    reply = texts(await bot.send_document(LEADER, "vua.pdf"))
    assert "Kiểm tra lại trước khi giao" in reply and "vua.pdf" in reply
    assert directives(db) == []


async def test_the_unit_must_send_a_document_of_a_known_kind(bot: BotHarness, db: Database) -> None:
    await issue(bot, file=False)
    await bot.press(SECRETARY_NTM, "open:complete:NTM:1")
    assert "Vui lòng gửi kèm văn bản" in texts(await bot.send(SECRETARY_NTM, "đã xong rồi"))
    assert "không nhận được" in texts(await bot.send_document(SECRETARY_NTM, "virus.exe"))
    assert ledger_of(db, "directive")["NTM"] == ("open", None)


async def test_another_units_button_is_refused(bot: BotHarness, db: Database) -> None:
    await issue(bot)
    reply = texts(await bot.press(SECRETARY_NTM, "open:complete:TNMT:1"))
    assert "không thuộc phạm vi" in reply
    assert ledger_of(db, "directive")["TNMT"] == ("open", None)


async def test_only_leaders_and_admins_issue(bot: BotHarness, db: Database) -> None:
    reply = texts(await bot.send(SECRETARY_NTM, "/directive"))
    assert "vai trò của bạn không dùng được chức năng này" in reply
    assert directives(db) == []


async def test_a_secretary_lists_their_units_directives_with_buttons(
    bot: BotHarness, db: Database
) -> None:
    assert "Không có văn bản chỉ đạo nào đang chờ hoàn thành" in texts(
        await bot.send(SECRETARY_NTM, "/directives")
    )
    await issue(bot)
    calls = await bot.send(SECRETARY_NTM, "/directives")
    assert "<b>Chi bộ Ban Xây dựng nông thôn mới</b>" in texts(calls)
    assert f"Số 12-KH/ĐUK — {TITLE}: hạn 20/12/2026" in texts(calls)
    assert button(calls, "Hoàn thành") == "open:complete:NTM:1"
    assert "/directives MÃ" in texts(await bot.send(SECRETARY_NTM, "/directives abc"))
    assert "Không có văn bản chỉ đạo mã 9" in texts(await bot.send(LEADER, "/directives 9"))


async def test_a_secretary_asking_for_one_directive_is_pointed_to_the_list(
    bot: BotHarness, db: Database
) -> None:
    await issue(bot)
    assert "Không có văn bản chỉ đạo mã 1" in texts(await bot.send(SECRETARY_NTM, "/directives 1"))
