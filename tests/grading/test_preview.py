"""The year-end preview from the ledger: the secretary's /status, leadership's /grade,
`chibo grade preview`, and new obligation kinds that plug in."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from bot.cli import main
from domain.policy import default_policy
from domain.roles import Role
from services import grading
from services.clock import ManualClock
from storage.db import Database
from storage.models import LedgerEntry, Unit
from tests.auxil.cast import LEADER, OFFICER_C1, SECRETARY_NOICHINH, SECRETARY_NTM, bind
from tests.auxil.updates import BotHarness, texts

pytestmark = pytest.mark.usefixtures("year")


@pytest.fixture(autouse=True)
def people(db: Database, clock: ManualClock, year: None) -> None:
    bind(db, clock.now(), SECRETARY_NOICHINH, Role.SECRETARY, "NOICHINH")
    bind(db, clock.now(), SECRETARY_NTM, Role.SECRETARY, "NTM")
    bind(db, clock.now(), LEADER, Role.LEADER, "DUK")
    bind(db, clock.now(), OFFICER_C1, Role.CLUSTER_OFFICER, "C1")


def test_grades_follow_the_ledger(db: Database, clock: ManualClock) -> None:
    preview = grading.preview(db, "DUK", 2026, now=clock.now(), policy=default_policy())
    grades = {u.grade.code: u.grade.grade.value for u in preview.units}
    assert grades["NTM"] == "xuat_sac"
    assert grades["NOICHINH"] == "hoan_thanh"  # 2 of 3 quarters with a thematic meeting
    assert grades["TNMT-01"] == "hoan_thanh"  # rated Khá: never Tốt
    assert grades["TAICHINH-02"] == "khong_hoan_thanh"  # nothing recorded
    ntm = next(u.grade for u in preview.units if u.grade.code == "NTM")
    meetings = next(m for m in ntm.measurements if m.criterion.code == "meetings_held")
    # December's meeting is still to come (its month opened in the ledger on 1/11, but it
    # is not due): the year is judged on twelve months.
    assert (meetings.done, meetings.decided, meetings.pending) == (11, 11, 1)
    assert preview.shares["base"].graded == 4 and preview.shares["base"].excellent == 1


async def test_a_secretary_sees_the_preview_and_what_would_still_change_it(
    bot: BotHarness,
) -> None:
    shown = texts(await bot.send(SECRETARY_NOICHINH, "/status"))
    assert "Dự kiến xếp loại năm 2026</b> (tạm tính; ngưỡng tạm, chưa chính thức)" in shown
    assert "Hiện đạt: <b>Hoàn thành nhiệm vụ</b>" in shown
    assert "Chưa đạt hoàn thành tốt nhiệm vụ vì:" in shown
    assert "Sinh hoạt chuyên đề mỗi quý: 2/3 (cần ≥ 75%), còn 1 việc chưa đến hạn" in shown
    best = texts(await bot.send(SECRETARY_NTM, "/status"))
    assert "Hiện đạt: <b>Hoàn thành xuất sắc nhiệm vụ</b>" in best
    assert "Cần làm đủ, đúng hạn để giữ mức này:" in best
    assert "Sinh hoạt định kỳ hằng tháng: 11/11, còn 1 việc chưa đến hạn" in best


async def test_before_october_the_preview_is_not_shown(bot: BotHarness, clock: ManualClock) -> None:
    clock.set(datetime(2026, 9, 20, 2, 0, tzinfo=UTC))
    assert "Dự kiến xếp loại" not in texts(await bot.send(SECRETARY_NOICHINH, "/status"))
    shown = texts(await bot.send(LEADER, "/grade"))
    assert "được xem từ ngày 01/10/2026" in shown and "chibo grade preview" in shown


async def test_leadership_sees_the_shares_against_the_targets_and_a_file(
    bot: BotHarness,
) -> None:
    calls = await bot.send(LEADER, "/grade")
    text = calls[0].text
    assert "DỰ KIẾN XẾP LOẠI TỔ CHỨC ĐẢNG NĂM 2026" in text
    assert "giá trị tạm (placeholder)" in text
    assert "Hoàn thành tốt nhiệm vụ trở lên: <b>1/4 (25%)</b> — chỉ tiêu ≥ 80% ⚠️" in text
    assert "Hoàn thành xuất sắc: <b>1 (25%)</b> — tối đa 20% ⚠️ vượt" in text
    assert "Dự kiến không hoàn thành nhiệm vụ</b> (6)" in text
    assert "Chi bộ Phòng Ngân sách: Sinh hoạt định kỳ hằng tháng" in text
    assert "Kết nạp đảng viên năm 2026: <b>0/4, 0,00%</b>" in text
    workbook = load_workbook(io.BytesIO(next(iter(calls[1].files.values()))))
    sheet = workbook["Dự kiến xếp loại 2026"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["NTM"][3] == "Hoàn thành xuất sắc nhiệm vụ"
    assert rows["NOICHINH"][4] == "Sinh hoạt chuyên đề mỗi quý"
    officer = texts(await bot.send(OFFICER_C1, "/grade"))
    assert "Cụm 1" in officer and "Chi bộ cơ quan Ban Nội chính" not in officer


async def test_the_digest_adds_the_shares_from_october(bot: BotHarness) -> None:
    digest = texts(await bot.send(LEADER, "/digest"))
    assert "Dự kiến xếp loại năm 2026 (tạm tính, ngưỡng tạm):" in digest
    assert "Tổ chức cơ sở đảng: hoàn thành tốt trở lên 1/4 (25%, chỉ tiêu ≥ 80%) ⚠️" in digest


def test_directives_and_cluster_meetings_count_once_the_ledger_holds_them(
    db: Database, clock: ManualClock
) -> None:
    now = clock.now()
    with db.transaction() as s:
        path = s.get(Unit, "NTM").path  # type: ignore[union-attr]
        for period, resolution, done_on in (
            ("2026-D1", "done", date(2026, 3, 1)),
            ("2026-D2", "open", None),
        ):
            s.add(
                LedgerEntry(
                    unit_code="NTM",
                    unit_path=path,
                    kind="directive",
                    subject="chuong-trinh-hanh-dong",
                    period=period,
                    due_on=date(2026, 4, 30),
                    resolution=resolution,
                    done_on=done_on,
                    resolved_at=now if done_on else None,
                    updated_at=now,
                )
            )
    preview = grading.preview(db, "DUK", 2026, now=now, policy=default_policy())
    ntm = next(u.grade for u in preview.units if u.grade.code == "NTM")
    assert ntm.grade == "hoan_thanh"
    directive = next(m for m in ntm.measurements if m.criterion.code == "directives_done")
    assert (directive.done, directive.decided) == (1, 2)
    assert [s.measurement.criterion.code for s in ntm.blocking] == ["directives_done"]
    others = [u.grade for u in preview.units if u.grade.code != "NTM"]
    assert all(
        not next(m for m in g.measurements if m.criterion.code == "directives_done").applies
        for g in others
    )


def test_the_cli_writes_json_and_xlsx_and_refuses_a_year_not_begun(
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = ["--at", "2026-11-26"]
    assert main(["grade", "preview", "--year", "2026", "--format", "json", *at]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schema"] == "chibo.grade_preview/1"
    assert document["placeholder_thresholds"] is True
    assert document["shares"]["base"]["good_or_better"] == {
        "count": 1,
        "share": 0.25,
        "target_at_least": 0.8,
        "met": False,
    }
    ntm = next(u for u in document["units"] if u["code"] == "NTM")
    assert ntm["grade"] == "xuat_sac" and ntm["unmet_for_next_grade"] == []
    noichinh = next(u for u in document["units"] if u["code"] == "NOICHINH")
    assert noichinh["unmet_for_next_grade"] == ["thematic_quarterly"]
    assert document["admissions"]["progress"] == "0/4, 0,00%"

    out = tmp_path / "xep-loai.xlsx"
    args = ["grade", "preview", "--year", "2026", "--format", "xlsx", "--output", str(out), *at]
    assert main(args) == 0
    assert {"Dự kiến xếp loại 2026", "Tỷ lệ xếp loại 2026", "Kết nạp đảng viên 2026"} <= set(
        load_workbook(out).sheetnames
    )
    assert main(args) == 2  # an existing file is kept without --force
    assert main(["grade", "preview", "--year", "2027", *at]) == 2
    assert "chưa bắt đầu" in capsys.readouterr().err
    assert main(["grade", "preview", "--year", "2026", "--scope", "NOPE", *at]) == 2
