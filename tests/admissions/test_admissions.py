"""Admissions against target: the org file's column, the base organisation's flow, the
progress in the digest, /grade and the year roll-up."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from sqlalchemy import select

from bot.cli import main
from domain.admissions import progress_text, yearly_target
from domain.org import OrgFileError
from domain.policy import default_policy
from domain.roles import Role
from services.clock import ManualClock
from services.org import import_org
from storage.db import Database
from storage.models import AdmissionEntry, AuditEntry, Unit
from tests.auxil.cast import LEADER, SECRETARY_NOICHINH, SECRETARY_TNMT_01, bind
from tests.auxil.orgs import SMALL_ORG
from tests.auxil.updates import BotHarness, button, texts

WITH_TARGETS = (
    SMALL_ORG.replace(
        "code,name,kind,parent,members", "code,name,kind,parent,members,admission_target"
    )
    .replace("Môi trường,base_committee,C1,", "Môi trường,base_committee,C1,,50")
    .replace("nông thôn mới,base_cell,C1,11", "nông thôn mới,base_cell,C1,11,20")
    .replace("Sở Tài chính,base_committee,C2,", "Sở Tài chính,base_committee,C2,,40")
    .replace("Tỉnh ủy,base_cell,C2,26", "Tỉnh ủy,base_cell,C2,26,30")
)


@pytest.fixture
def org(db: Database, clock: ManualClock) -> None:
    import_org(db, WITH_TARGETS, now=clock.now(), actor="test", policy=default_policy())
    bind(db, clock.now(), SECRETARY_NOICHINH, Role.SECRETARY, "NOICHINH")
    bind(db, clock.now(), SECRETARY_TNMT_01, Role.SECRETARY, "TNMT-01")
    bind(db, clock.now(), LEADER, Role.LEADER, "DUK")


def targets(db: Database) -> dict[str, int | None]:
    with db.transaction() as s:
        return dict(s.execute(select(Unit.code, Unit.admission_target)).all())


def test_the_target_is_the_org_files_or_a_share_of_the_members() -> None:
    assert yearly_target(140, 3000, Fraction(3, 100)) == 140
    assert yearly_target(None, 26, Fraction(3, 100)) == 1  # 0,78 rounded up
    assert yearly_target(None, 100, Fraction(3, 100)) == 3
    assert yearly_target(None, None, Fraction(3, 100)) is None
    assert progress_text(149, 140) == "149/140, 106,42%"  # rounded down, as counts go
    assert progress_text(2, 3) == "2/3, 66,66%"
    assert progress_text(5, None) == "5/—"


def test_the_org_import_reads_the_column_and_a_file_without_it_keeps_the_targets(
    db: Database, clock: ManualClock, org: None
) -> None:
    policy = default_policy()
    assert targets(db)["NOICHINH"] == 30 and targets(db)["TNMT-01"] is None
    import_org(db, SMALL_ORG, now=clock.now(), actor="test", policy=policy)
    assert targets(db)["NOICHINH"] == 30  # the column is absent: nothing is cleared
    cleared = WITH_TARGETS.replace("Tỉnh ủy,base_cell,C2,26,30", "Tỉnh ủy,base_cell,C2,26,")
    import_org(db, cleared, now=clock.now(), actor="test", policy=policy)
    assert targets(db)["NOICHINH"] is None
    bad = WITH_TARGETS.replace("sub_cell,TNMT,10", "sub_cell,TNMT,10,4").replace(
        "base_committee,C2,,40", "base_committee,C2,,bốn"
    )
    with pytest.raises(OrgFileError) as error:
        import_org(db, bad, now=clock.now(), actor="test", policy=policy)
    assert "dòng 6: chỉ tiêu kết nạp chỉ đặt cho tổ chức cơ sở đảng" in str(error.value)
    assert "dòng 10: chỉ tiêu kết nạp 'bốn' không phải số nguyên" in str(error.value)
    assert targets(db)["NOICHINH"] is None  # a bad file writes nothing


async def test_a_base_organisation_records_an_admission_and_sees_its_progress(
    bot: BotHarness, db: Database, org: None
) -> None:
    calls = await bot.send(SECRETARY_NOICHINH, "/admission")
    assert "Năm 2026: kết nạp <b>0/30, 0,00%</b>" in texts(calls)
    assert "không ghi họ tên" in texts(calls)
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "Kết nạp đảng viên mới"))
    calls = await bot.send(SECRETARY_NOICHINH, "20/12")  # the future
    assert "Ngày 20/12/2026 chưa tới" in texts(calls)  # refused, asked again
    calls = await bot.send(SECRETARY_NOICHINH, "5/11")
    calls = await bot.send(SECRETARY_NOICHINH, "0")
    assert "từ 1 đến 500" in texts(calls)
    calls = await bot.send(SECRETARY_NOICHINH, "3")
    assert "Kết nạp đảng viên mới: <b>3</b> đồng chí, ngày 05/11/2026" in texts(calls)
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "Xác nhận"))
    assert "Đã ghi nhận." in texts(calls) and "<b>3/30, 10,00%</b>" in texts(calls)

    calls = await bot.send(SECRETARY_NOICHINH, "/admission")
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "Chuyển sinh hoạt đảng đi"))
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "Hôm nay"))
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "2"))
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "Xác nhận"))
    assert "chuyển đến 0, chuyển đi 2" in texts(calls)

    with db.transaction() as s:
        rows = s.scalars(select(AdmissionEntry).order_by(AdmissionEntry.id)).all()
        assert [(r.kind, r.count, r.unit_code) for r in rows] == [
            ("admitted", 3, "NOICHINH"),
            ("transfer_out", 2, "NOICHINH"),
        ]
        audit = s.scalars(select(AuditEntry).where(AuditEntry.entity == "admission")).all()
        assert [a.new_value["count"] for a in audit if a.new_value] == [3, 2]


async def test_an_entry_made_by_mistake_is_removed_and_audited(
    bot: BotHarness, db: Database, org: None
) -> None:
    calls = await bot.send(SECRETARY_NOICHINH, "/admission")
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "Kết nạp đảng viên mới"))
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "Hôm nay"))
    calls = await bot.send(SECRETARY_NOICHINH, "20")
    await bot.press(SECRETARY_NOICHINH, button(calls, "Xác nhận"))
    calls = await bot.send(SECRETARY_NOICHINH, "/admission")
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "Xóa một lần ghi nhầm"))
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "Kết nạp đảng viên mới: 20"))
    assert "Đã xóa: Kết nạp đảng viên mới, 20 đồng chí" in texts(calls)
    assert "<b>0/30, 0,00%</b>" in texts(calls)
    with db.transaction() as s:
        assert s.scalars(select(AdmissionEntry)).all() == []
        removed = s.scalars(select(AuditEntry).where(AuditEntry.action == "delete")).one()
        assert removed.old_value == {"unit": "NOICHINH", "kind": "admitted",
                                     "on": "2026-11-26", "count": 20}  # fmt: skip


async def test_the_trail_names_the_secretary_as_every_other_write_does(
    bot: BotHarness, db: Database, org: None
) -> None:
    calls = await bot.send(SECRETARY_NOICHINH, "/admission")
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "Kết nạp đảng viên mới"))
    calls = await bot.press(SECRETARY_NOICHINH, button(calls, "Hôm nay"))
    calls = await bot.send(SECRETARY_NOICHINH, "2")
    await bot.press(SECRETARY_NOICHINH, button(calls, "Xác nhận"))
    with db.transaction() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "admission")).one()
        assert entry.actor_label == str(SECRETARY_NOICHINH.id)  # the Telegram id, no prefix
        assert entry.actor_person_id is not None


async def test_a_sub_cell_is_told_its_base_committee_records_admissions(
    bot: BotHarness, db: Database, org: None
) -> None:
    assert "Chi bộ trực thuộc báo với đảng ủy cơ sở" in texts(
        await bot.send(SECRETARY_TNMT_01, "/admission")
    )
    assert "/admission" not in texts(await bot.send(SECRETARY_TNMT_01, "/help"))
    assert "/admission" in texts(await bot.send(SECRETARY_NOICHINH, "/help"))
    with db.transaction() as s:
        assert s.scalars(select(AdmissionEntry)).all() == []


async def test_the_digest_and_the_year_roll_up_show_progress_against_target(
    bot: BotHarness,
    db: Database,
    clock: ManualClock,
    org: None,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datetime import date

    with db.transaction() as s:
        for unit, count in (("TNMT", 60), ("NTM", 19), ("TAICHINH", 40), ("NOICHINH", 30)):
            s.add(AdmissionEntry(unit_code=unit, kind="admitted", on_date=date(2026, 6, 1),
                                 count=count, recorded_at=clock.now()))  # fmt: skip
        # Last year's: not counted.
        s.add(AdmissionEntry(unit_code="NTM", kind="admitted", on_date=date(2025, 12, 30),
                             count=7, recorded_at=clock.now()))  # fmt: skip
    assert "Kết nạp đảng viên năm 2026: <b>149/140, 106,42%</b>" in texts(
        await bot.send(LEADER, "/digest")
    )
    assert "Kết nạp đảng viên năm 2026: <b>149/140, 106,42%</b>" in texts(
        await bot.send(LEADER, "/grade")
    )
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert (
        main(["grade", "preview", "--year", "2026", "--format", "json", "--at", "2026-11-26"]) == 0
    )
    admissions = json.loads(capsys.readouterr().out)["admissions"]
    assert admissions["progress"] == "149/140, 106,42%"
    tnmt = next(u for u in admissions["units"] if u["code"] == "TNMT")
    assert (tnmt["admitted"], tnmt["target"], tnmt["progress"]) == (60, 50, "60/50, 120,00%")
    assert main(["digest", "--at", "2026-11-30", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["admissions"]["progress"] == "149/140, 106,42%"
