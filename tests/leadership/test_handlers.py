"""/digest, /overdue, /unit, /cluster and /subscribe through the real Application."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from domain.roles import Role
from services.clock import ManualClock
from storage.db import Database
from storage.models import AuditEntry, ChatSubscription
from tests.auxil.cast import LEADER, OFFICER_C2, SECRETARY, bind
from tests.auxil.updates import BotHarness, texts

GROUP = -100_555

pytestmark = pytest.mark.usefixtures("demo_org")


@pytest.fixture(autouse=True)
def people(db: Database, clock: ManualClock, demo_org: None) -> None:
    bind(db, clock.now(), LEADER, Role.LEADER, "DUK")
    bind(db, clock.now(), OFFICER_C2, Role.CLUSTER_OFFICER, "C2")
    bind(db, clock.now(), SECRETARY, Role.SECRETARY, "VPUBND-01")


def _file(call, field: str) -> bytes:  # type: ignore[no-untyped-def]
    assert call.files, f"{call.method} carried no file"
    return call.files.get(field) or next(iter(call.files.values()))


async def test_leader_digest_sends_summary_xlsx_and_chart(bot: BotHarness) -> None:
    calls = await bot.send(LEADER, "/digest")
    assert [c.method for c in calls] == ["sendMessage", "sendDocument", "sendPhoto"]
    summary = calls[0].text
    assert "TỔNG HỢP TÌNH HÌNH SINH HOẠT ĐẢNG" in summary
    assert "Đảng bộ Khối các cơ quan tỉnh" in summary
    assert "Đăng ký lịch sinh hoạt tháng 12/2026" in summary
    assert "tổ chức đảng chưa đăng ký" in summary
    assert "… và" in summary and "xem tệp Excel gửi kèm" in summary
    assert len(summary) <= 4096
    workbook = load_workbook(io.BytesIO(_file(calls[1], "document")))
    assert "Tổng hợp" in workbook.sheetnames
    png = _file(calls[2], "photo")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


async def test_digest_docx_is_a_word_document(bot: BotHarness) -> None:
    calls = await bot.send(LEADER, "/digest docx")
    assert [c.method for c in calls] == ["sendDocument"]
    data = _file(calls[0], "document")
    assert data[:2] == b"PK"
    assert "Thông báo" in calls[0].text


async def test_cluster_officer_digest_is_limited_to_the_cluster(bot: BotHarness) -> None:
    calls = await bot.send(OFFICER_C2, "/digest")
    assert "<b>Cụm 2</b>" in calls[0].text
    workbook = load_workbook(io.BytesIO(_file(calls[1], "document")))
    sheet = workbook["Chưa đăng ký lịch"]
    codes = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "VPUBND-01" in codes and "TNMT" not in codes and "NTM" not in codes


async def test_overdue_lists_units_in_scope(bot: BotHarness) -> None:
    reply = texts(await bot.send(OFFICER_C2, "/overdue"))
    assert "ĐƠN VỊ QUÁ HẠN" in reply
    assert "Đảng bộ cơ quan Văn phòng UBND tỉnh" in reply
    assert "Tài nguyên" not in reply


async def test_unit_search_ignores_diacritics_and_case(bot: BotHarness) -> None:
    reply = texts(await bot.send(LEADER, "/unit tai nguyen"))
    assert "Đảng bộ cơ quan Sở Tài nguyên và Môi trường" in reply
    assert "(TNMT)" in reply
    assert "Sinh hoạt cấp ủy tháng 11/2026" in reply
    upper = texts(await bot.send(LEADER, "/unit TÀI NGUYÊN"))
    assert "(TNMT)" in upper


async def test_unit_search_lists_several_matches_with_codes(bot: BotHarness) -> None:
    reply = texts(await bot.send(OFFICER_C2, "/unit van phong"))
    assert "đơn vị khớp" in reply
    assert "/unit VPUBND-01" in reply


async def test_unit_search_stays_in_the_officers_cluster(bot: BotHarness) -> None:
    reply = texts(await bot.send(OFFICER_C2, "/unit tai nguyen"))
    assert "Không tìm thấy" in reply
    assert "Tài nguyên và Môi trường" not in reply


async def test_officer_may_see_own_cluster(bot: BotHarness) -> None:
    calls = await bot.send(OFFICER_C2, "/cluster 2")
    assert "<b>Cụm 2</b>" in calls[0].text
    assert calls[1].method == "sendDocument"


async def test_officer_asking_for_another_cluster_is_refused_politely(bot: BotHarness) -> None:
    reply = texts(await bot.send(OFFICER_C2, "/cluster 3"))
    assert "không theo dõi Cụm 3" in reply
    assert "Cụm 2" in reply
    assert "TỔNG HỢP" not in reply


async def test_leader_may_see_any_cluster_by_number_or_name(bot: BotHarness) -> None:
    assert "<b>Cụm 4</b>" in texts(await bot.send(LEADER, "/cluster 4"))
    assert "<b>Cụm 5</b>" in texts(await bot.send(LEADER, "/cluster cum 5"))
    assert "Không có cụm" in texts(await bot.send(LEADER, "/cluster 9"))


async def test_secretary_may_not_ask_for_the_digest(bot: BotHarness) -> None:
    for command in ("/digest", "/overdue", "/unit tai nguyen", "/cluster 2"):
        reply = texts(await bot.send(SECRETARY, command))
        assert "vai trò của bạn không dùng được" in reply
        assert "TỔNG HỢP" not in reply


async def test_leader_subscribes_a_group_chat(bot: BotHarness, db: Database) -> None:
    reply = texts(await bot.send(LEADER, "/subscribe", chat_id=GROUP, chat_type="group"))
    assert "Đã đăng ký" in reply and "07:30 thứ Hai" in reply
    with db.transaction() as s:
        row = s.get(ChatSubscription, GROUP)
        assert row is not None and row.unit_code == "DUK" and row.title == "Nhóm lãnh đạo"
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "subscribe")).one()
    again = texts(await bot.send(LEADER, "/subscribe", chat_id=GROUP, chat_type="group"))
    assert "từ trước" in again
    off = texts(await bot.send(LEADER, "/subscribe off", chat_id=GROUP, chat_type="group"))
    assert "Đã hủy" in off
    with db.transaction() as s:
        assert s.get(ChatSubscription, GROUP) is None


async def test_subscribe_in_private_explains_where_to_use_it(bot: BotHarness) -> None:
    reply = texts(await bot.send(LEADER, "/subscribe"))
    assert "trong nhóm" in reply


async def test_officer_may_not_subscribe_a_group(bot: BotHarness, db: Database) -> None:
    reply = texts(await bot.send(OFFICER_C2, "/subscribe", chat_id=GROUP, chat_type="group"))
    assert "vai trò của bạn không dùng được" in reply
    with db.transaction() as s:
        assert s.get(ChatSubscription, GROUP) is None


async def test_digest_works_in_a_group_chat(bot: BotHarness) -> None:
    calls = await bot.send(LEADER, "/digest", chat_id=GROUP, chat_type="group")
    assert calls[0].chat_id == GROUP
    assert "TỔNG HỢP" in calls[0].text
