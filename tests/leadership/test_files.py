"""The XLSX, PNG and DOCX open and carry the seeded month's numbers; exports and the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import matplotlib.image
import pytest
from docx import Document
from openpyxl import load_workbook

from bot import cli
from domain import notice
from domain.periods import Month
from domain.policy import NoticeNames, default_policy
from messages.digest_chart import digest_chart_png
from messages.digest_files import digest_docx, digest_xlsx
from messages.month_export_files import export_csv, export_xlsx
from services import digest_job as digest_jobs
from services import file_renderer
from services.digest import build_digest, export_month
from services.digest_job import digest_job
from storage.db import Database
from tests.leadership.seed import AT
from tests.leadership.test_digest_json import EXPECTED_TOTALS

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture
def digest(db: Database):  # type: ignore[no-untyped-def]
    return build_digest(db, "DUK", AT, default_policy())


def test_xlsx_has_the_numbers_and_lists(digest) -> None:  # type: ignore[no-untyped-def]
    wb = load_workbook(io.BytesIO(digest_xlsx(digest)))
    summary = {
        row[0]: row[1:]
        for row in wb["Tổng hợp"].iter_rows(values_only=True)
        if row and row[0] is not None
    }
    assert summary["Đơn vị đã đăng ký lịch sinh hoạt"] == (5, 9, -4)
    assert summary["Đơn vị phải đăng ký"][0] == 9
    assert summary["Đã tổ chức"] == (5, 4, 1)
    assert summary["Đã tự đánh giá chất lượng"] == (3, 2, 1)
    assert summary["Tốt"][0] == 2 and summary["Khá"][0] == 1
    assert summary["Tỷ lệ đảng viên dự bình quân"][0] == 91.5
    assert summary["Báo cáo chưa gửi"] == (4, 5, -1)
    not_registered = list(wb["Chưa đăng ký lịch"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in not_registered] == ["TNMT-03", "TAICHINH", "TAICHINH-02", "NOICHINH"]
    assert not_registered[0][0] == "Đảng bộ cơ quan Sở Tài nguyên và Môi trường"
    assert not_registered[3][0] == "Các chi bộ cơ sở"
    reports = list(wb["Báo cáo chậm, chưa gửi"].iter_rows(min_row=2, values_only=True))
    assert len(reports) == 7
    flagged = list(wb["Tự đánh giá cần xem lại"].iter_rows(min_row=2, values_only=True))
    assert flagged == [
        ("TNMT-02", "Chi bộ Thanh tra", "Sinh hoạt chi bộ thường kỳ", "Tốt", 91,
         "Tự xếp Tốt nhưng tỷ lệ đảng viên dự thấp"),
    ]  # fmt: skip
    breakdown = {
        r[0]: r for r in wb["Theo đơn vị trực thuộc"].iter_rows(min_row=2, values_only=True)
    }
    assert breakdown["C1"][2:4] == (4, 5) and breakdown["C2"][2:4] == (1, 4)
    trend = list(wb["Xu hướng 8 tuần"].iter_rows(min_row=2, values_only=True))
    assert len(trend) == 8
    assert trend[-1][1] == round(100 * 5 / 9, 1) and trend[-1][2] == round(100 * 5 / 9, 1)


def test_files_drawn_in_a_child_process_carry_the_same_numbers(digest) -> None:  # type: ignore[no-untyped-def]
    """`chibo run` draws files in a short-lived child (services.file_renderer)."""
    file_renderer.use_child_process(files_per_child=2)
    try:
        child = {
            "xlsx": file_renderer.render(digest_xlsx, digest, "vi"),
            "png": file_renderer.render(digest_chart_png, digest, "vi"),
            "docx": file_renderer.render(
                digest_docx, digest, notice.header(NOTICE_NAMES, AT), "vi"
            ),
        }
    finally:
        file_renderer.shutdown()
    here = load_workbook(io.BytesIO(digest_xlsx(digest, "vi")))
    there = load_workbook(io.BytesIO(child["xlsx"]))
    for name in here.sheetnames:
        assert list(there[name].iter_rows(values_only=True)) == list(
            here[name].iter_rows(values_only=True)
        ), name
    assert child["png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert "PHỤ LỤC" in "\n".join(p.text for p in Document(io.BytesIO(child["docx"])).paragraphs)
    assert file_renderer.child_peak_mb > 0  # the child says how large it grew


def test_the_digest_itself_is_built_in_the_renderer_child(db: Database, digest) -> None:  # type: ignore[no-untyped-def]
    """Under `chibo run` the whole digest job runs in the child: same figures, same text."""
    policy = default_policy()
    job = digest_job(db, policy, "DUK", AT, ("vi",), texts=("summary", "overdue"), files=("xlsx",))
    here = digest_jobs.build(db, job)
    file_renderer.use_child_process(files_per_child=1)
    try:
        there = digest_jobs.build(db, job)
    finally:
        file_renderer.shutdown()
    assert there.totals == here.totals == digest.totals.as_dict(policy.attendance_target)
    assert there.texts == here.texts
    assert "Đảng bộ Khối các cơ quan tỉnh" in there.texts[("vi", "summary")]
    assert load_workbook(io.BytesIO(there.files[("vi", "xlsx")])).sheetnames


def test_png_chart_opens(digest, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = digest_chart_png(digest)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    path = tmp_path / "chart.png"
    path.write_bytes(data)
    image = matplotlib.image.imread(path)
    height, width = image.shape[:2]
    assert width >= 1000 and height >= 400


NOTICE_NAMES = NoticeNames(
    province="Đảng bộ tỉnh Thái Bình",
    bloc="Đảng ủy Khối các cơ quan tỉnh",
    place="Thái Bình",
    signer="Nguyễn Văn An",
)


def test_docx_notice_has_header_numbers_and_appendix(digest) -> None:  # type: ignore[no-untyped-def]
    header_names = notice.header(NOTICE_NAMES, date(2026, 11, 30), number="45")
    doc = Document(io.BytesIO(digest_docx(digest, header_names)))
    body = "\n".join(p.text for p in doc.paragraphs)
    header = "\n".join(c.text for c in doc.tables[0].rows[0].cells)
    assert "ĐẢNG BỘ TỈNH THÁI BÌNH\nĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH\n*\nSố 45-TB/ĐUK" in header
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in header and "Thái Bình, ngày 30 tháng 11 năm 2026" in header
    signature = "\n".join(c.text for c in doc.tables[1].rows[0].cells)
    assert "T/L BAN THƯỜNG VỤ\nCHÁNH VĂN PHÒNG" in signature and "Nguyễn Văn An" in signature
    assert "(Kèm theo Thông báo số 45-TB/ĐUK ngày 30/11/2026" in body
    assert "bot" not in body.lower().replace("báo", "")
    assert "THÔNG BÁO" in body
    assert "Có 5/9 tổ chức đảng đã đăng ký lịch sinh hoạt (đúng hạn 3, chậm 2)" in body
    assert "Có 5/9 tổ chức đảng đã tổ chức sinh hoạt" in body
    assert "Tốt 2, Khá 1, Trung bình 0, Kém 0" in body
    assert "91,5%" in body
    assert "Có 2/7 chi bộ đã tổ chức sinh hoạt chuyên đề" in body
    assert "đúng hạn 9, chậm 3, chưa gửi 4" in body
    assert "Đảng bộ cơ quan Sở Tài chính: có 02/3 tổ chức đảng chưa đăng ký" in body
    appendix = "\n".join(cell.text for t in doc.tables[2:] for row in t.rows for cell in row.cells)
    for code in ("TNMT-03", "TAICHINH-02", "NOICHINH"):
        assert code in appendix
    assert "Chi bộ đi công tác cơ sở" in appendix


def test_month_export_xlsx_and_csv(db: Database) -> None:
    export = export_month(db, "DUK", Month(2026, 11), date(2026, 12, 6), default_policy())
    assert [r.unit.code for r in export.rows][:3] == ["NTM", "TNMT", "TNMT-01"]
    assert len(export.rows) == 9
    wb = load_workbook(io.BytesIO(export_xlsx(export)))
    sheet = wb.worksheets[0]
    assert sheet.title == "Chi tiết đơn vị 2026-11"
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["NOICHINH"][5] == "Đăng ký chậm"
    assert rows["NOICHINH"][10:13] == (26, 26, 100.0)
    assert rows["TAICHINH-02"][8] == "Chưa báo cáo kết quả"
    text = export_csv(export).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][0] == "Mã" and len(lines) == 10
    by_code = {line[0]: line for line in lines[1:]}
    assert by_code["TNMT-02"][14] == "Tốt" and by_code["TNMT-02"][16].startswith("Tự xếp Tốt")
    # The monthly report of November is the one due inside the month.
    monthly = lines[0].index("Báo cáo tháng (11/2026)")
    assert by_code["NTM"][monthly] == "Gửi chậm (22/11/2026)"


def test_cli_digest_json_and_export(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli.main(["digest", "--at", "2026-11-30", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["totals"] == EXPECTED_TOTALS
    assert cli.main(["digest", "--at", "2026-11-30", "--scope", "C2", "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "Cụm 2" in out and "<b>" not in out
    assert cli.main(["digest", "--at", "2026-11-30", "--scope", "NOPE"]) == 2
    assert cli.main(["export", "--month", "2026-11", "--at", "2026-12-06", "--format", "csv"]) == 0
    assert (tmp_path / "chibo-DUK-2026-11.csv").read_text(encoding="utf-8-sig").startswith("Mã,")
    target = tmp_path / "out.xlsx"
    assert cli.main(["export", "--month", "2026-11", "--output", str(target)]) == 0
    assert load_workbook(target).worksheets[0].max_row == 10
    docx = ["digest", "--at", "2026-11-30", "--format", "docx", "--output", "n.docx"]
    # The shipped policy names nobody: the notice is refused, saying what is missing.
    assert cli.main(docx) == 2
    said = capsys.readouterr().err
    for missing in ("--province", "--bloc", "--place", "--signer", "--number"):
        assert missing in said
    assert not (tmp_path / "n.docx").exists()
    names = ["--province", "Đảng bộ tỉnh Thái Bình", "--bloc", "Đảng ủy Khối các cơ quan tỉnh"]
    names += ["--place", "Thái Bình", "--signer", "Nguyễn Văn An", "--number", "45"]
    assert cli.main([*docx, *names]) == 0
    header = "\n".join(c.text for c in Document(str(tmp_path / "n.docx")).tables[0].rows[0].cells)
    assert "Số 45-TB/ĐUK" in header and "ĐẢNG BỘ TỈNH THÁI BÌNH" in header
