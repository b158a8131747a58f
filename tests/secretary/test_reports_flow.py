"""Confirming periodic reports: on time or late is computed, never typed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.limits import MAX_FILE_BYTES
from storage.db import Database
from storage.models import ReportSubmission
from tests.auxil.cast import SECRETARY, SECRETARY_NTM, SECRETARY_VPUBND
from tests.auxil.updates import BotHarness, button, message, photo, texts

# Reports go to the bloc from base organisations: NTM is a base cell.
REPORTER = SECRETARY_NTM

pytestmark = pytest.mark.usefixtures("people")


def submissions(db: Database) -> list[ReportSubmission]:
    with db.transaction() as s:
        return list(s.scalars(select(ReportSubmission)))


async def test_late_monthly_report_is_marked_late(bot: BotHarness, db: Database) -> None:
    calls = await bot.send(REPORTER, "/report")
    calls = await bot.press(REPORTER, button(calls, "Báo cáo tháng 11/2026 — hạn 20/11 (quá hạn)"))
    calls = await bot.press(REPORTER, button(calls, "Đã gửi"))
    assert "trễ hạn 6 ngày" in texts(calls)
    (row,) = submissions(db)
    assert (row.report_type, row.period, str(row.due_on)) == ("monthly", "2026-11", "2026-11-20")
    again = await bot.send(REPORTER, "/report")
    assert not any("tháng 11/2026" in b for c in again for b, _ in c.buttons)


async def test_quarterly_report_with_attached_file_is_on_time(
    bot: BotHarness, db: Database
) -> None:
    calls = await bot.send(REPORTER, "/report")
    calls = await bot.press(REPORTER, button(calls, "Báo cáo quý IV/2026"))
    calls = await bot.send_document(REPORTER, "bao-cao-quy-IV.pdf")
    reply = texts(calls)
    assert "đúng hạn (hạn 15/12/2026)" in reply and "bao-cao-quy-IV.pdf" in reply
    (row,) = submissions(db)
    assert (row.document_name, row.document_file_id) == (
        "bao-cao-quy-IV.pdf",
        "file-bao-cao-quy-IV.pdf",
    )


async def test_typed_text_while_a_button_is_expected(bot: BotHarness, db: Database) -> None:
    calls = await bot.send(REPORTER, "/report")
    await bot.press(REPORTER, button(calls, "Báo cáo tháng 11/2026"))
    assert "chọn một trong các nút" in texts(await bot.send(REPORTER, "đã gửi rồi"))
    assert submissions(db) == []


async def test_document_outside_a_flow_is_explained(bot: BotHarness, db: Database) -> None:
    assert "chưa cần tệp" in texts(await bot.send_document(REPORTER, "x.pdf"))


async def test_report_button_for_another_unit_is_refused(bot: BotHarness, db: Database) -> None:
    reply = texts(await bot.press(SECRETARY_VPUBND, "open:report:NTM:monthly:2026-11"))
    assert "không thuộc phạm vi" in reply
    assert submissions(db) == []


async def test_tampered_report_period_is_expired(bot: BotHarness, db: Database) -> None:
    reply = texts(await bot.press(REPORTER, "open:report:NTM:monthly:2031-01"))
    assert "không còn hiệu lực" in reply
    reply = texts(await bot.press(REPORTER, "open:report:NTM:bogus:2026-11"))
    assert "không còn hiệu lực" in reply
    assert submissions(db) == []


async def test_sub_cell_secretary_is_told_who_reports(bot: BotHarness, db: Database) -> None:
    assert "Chi bộ trực thuộc báo cáo với đảng ủy cơ sở" in texts(
        await bot.send(SECRETARY, "/report")
    )


async def test_committee_secretary_confirms_for_the_base_committee(
    bot: BotHarness, db: Database
) -> None:
    calls = await bot.send(SECRETARY_VPUBND, "/report")
    calls = await bot.press(SECRETARY_VPUBND, button(calls, "Báo cáo tháng 11/2026"))
    await bot.press(SECRETARY_VPUBND, button(calls, "Đã gửi"))
    assert [r.unit_code for r in submissions(db)] == ["VPUBND"]


async def test_help_lists_report_only_for_base_organisations(bot: BotHarness) -> None:
    assert "/report" not in texts(await bot.send(SECRETARY, "/help"))
    assert "/report" in texts(await bot.send(REPORTER, "/help"))
    assert "/report" in texts(await bot.send(SECRETARY_VPUBND, "/help"))


async def test_a_phone_photo_of_the_signed_report_is_kept_in_its_largest_size(
    bot: BotHarness, db: Database
) -> None:
    calls = await bot.send(REPORTER, "/report")
    calls = await bot.press(REPORTER, button(calls, "Báo cáo quý IV/2026"))
    assert "ảnh chụp" in texts(calls)
    sizes = photo(largest=2_400_000)
    calls = await bot.deliver(message=message(REPORTER, photo=sizes, caption="Báo cáo quý IV"))
    reply = texts(calls)
    assert "đúng hạn (hạn 15/12/2026)" in reply and "anh-chup-20261126-0900.jpg" in reply
    (row,) = submissions(db)
    assert row.document_file_id == sizes[-1]["file_id"]
    assert row.document_name == "anh-chup-20261126-0900.jpg"


async def test_a_word_document_is_accepted(bot: BotHarness, db: Database) -> None:
    calls = await bot.send(REPORTER, "/report")
    await bot.press(REPORTER, button(calls, "Báo cáo quý IV/2026"))
    reply = texts(await bot.send_document(REPORTER, "Báo cáo quý IV.docx"))
    assert "đúng hạn" in reply and "Báo cáo quý IV.docx" in reply
    (row,) = submissions(db)
    assert row.document_name == "Báo cáo quý IV.docx"


async def test_a_photo_over_the_size_limit_is_refused_and_the_step_waits(
    bot: BotHarness, db: Database
) -> None:
    calls = await bot.send(REPORTER, "/report")
    await bot.press(REPORTER, button(calls, "Báo cáo quý IV/2026"))
    calls = await bot.deliver(message=message(REPORTER, photo=photo(MAX_FILE_BYTES + 1)))
    assert "Tệp quá lớn" in texts(calls)
    assert submissions(db) == []
    reply = texts(await bot.send_document(REPORTER, "bao-cao.pdf"))
    assert "đúng hạn" in reply


async def test_a_photo_outside_a_flow_is_explained(bot: BotHarness, db: Database) -> None:
    calls = await bot.deliver(message=message(REPORTER, photo=photo(500_000)))
    assert "chưa cần tệp" in texts(calls)
    assert submissions(db) == []
