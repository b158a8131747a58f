"""`chibo activity import`: past meetings and reports; a broken file is refused whole."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

import bot.cli
from bot.cli import main
from domain.activity_csv import KNOWN_COLUMNS
from domain.meeting_kinds import MeetingKind
from services.clock import ManualClock
from storage.db import Database
from storage.models import (
    AuditEntry,
    MeetingRecord,
    MeetingSchedule,
    QualityRating,
    ReportSubmission,
)
from tests.auxil.clocks import T0

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "activity.csv"
ACTIVITY_ENTITIES = ("meeting_schedule", "meeting_record", "quality_rating", "report_submission")
HEADER = ",".join(KNOWN_COLUMNS) + "\n"


def row(**cells: str) -> str:
    """One CSV line with the given cells, in the header's column order."""
    unknown = set(cells) - set(KNOWN_COLUMNS)
    assert not unknown, unknown
    return ",".join(cells.get(c, "") for c in KNOWN_COLUMNS) + "\n"


def meeting(**cells: str) -> str:
    base = {
        "record_type": "meeting",
        "unit": "NTM",
        "month": "2026-10",
        "kind": "regular",
        "held": "có",
        "held_on": "08/10/2026",
        "present": "10",
        "total_members": "11",
    }
    return row(**{**base, **cells})


def report(**cells: str) -> str:
    base = {"record_type": "report", "unit": "NTM", "period": "2026-10", "report_type": "monthly"}
    return row(**{**base, "sent_on": "19/10/2026", **cells})


# Lines 2 and 3 are good; the bad row under test is line 4.
GOOD = (
    HEADER
    + meeting(
        planned="08/10/2026 14:00",
        place="Hội trường",
        registered_on="20/09/2026",
        duration_minutes="120",
        excused_absent="1",
        score="91",
        level="Tốt",
        minutes_taken="có",
    )
    + report()
)


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path, demo_org: None) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    # 09:00 on 26/11/2026 in Hà Nội, whatever the machine's clock says.
    monkeypatch.setattr(bot.cli, "SystemClock", lambda: ManualClock(T0))


def write(tmp_path: Path, text: str, name: str = "activity.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(db: Database) -> dict[str, int]:
    with db.transaction() as s:
        result = {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (MeetingSchedule, MeetingRecord, QualityRating, ReportSubmission)
        }
        result["audit"] = (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.entity.in_(ACTIVITY_ENTITIES))
            )
            or 0
        )
    return result


def activity_audit(db: Database, action: str | None = None) -> list[AuditEntry]:
    with db.transaction() as s:
        query = select(AuditEntry).where(AuditEntry.entity.in_(ACTIVITY_ENTITIES))
        if action is not None:
            query = query.where(AuditEntry.action == action)
        return list(s.scalars(query.order_by(AuditEntry.id)))


def test_example_file_lands_and_reimport_changes_nothing(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["activity", "import", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Đã nhập 6 dòng cuộc họp, 4 dòng báo cáo." in out
    assert "Lịch sinh hoạt: 5 mới, 0 cập nhật, 0 không đổi." in out
    assert "Kết quả sinh hoạt: 5 mới" in out
    assert "Đánh giá chất lượng: 3 mới" in out
    assert "Báo cáo: 4 mới" in out
    assert counts(db) == {
        "meeting_schedules": 5,
        "meeting_records": 5,
        "quality_ratings": 3,
        "report_submissions": 4,
        "audit": 17,
    }
    entries = activity_audit(db)
    assert {(e.action, e.actor_label) for e in entries} == {("create", "import")}

    with db.transaction() as s:
        schedule = s.scalars(
            select(MeetingSchedule).where(
                MeetingSchedule.unit_code == "NOICHINH", MeetingSchedule.month == "2026-09"
            )
        ).first()
        assert schedule is not None and schedule.source == "import"
        # 05/09/2026 14:00 in Hà Nội is 07:00 UTC; registered_on at local midnight.
        assert schedule.planned_at == datetime(2026, 9, 5, 7, 0, tzinfo=UTC)
        assert schedule.registered_at == datetime(2026, 8, 19, 17, 0, tzinfo=UTC)
        # No registered_on: assumed registered on the due day (25th of the month before).
        thematic = s.scalars(
            select(MeetingSchedule).where(MeetingSchedule.kind == MeetingKind.THEMATIC)
        ).one()
        assert thematic.registered_at == datetime(2026, 8, 24, 17, 0, tzinfo=UTC)
        assert thematic.theme is not None and thematic.theme.startswith("Học tập")

        not_held = s.scalars(
            select(MeetingRecord).where(
                MeetingRecord.unit_code == "NOICHINH", MeetingRecord.month == "2026-10"
            )
        ).one()
        assert not not_held.held and not_held.not_held_excused is True
        assert not_held.not_held_reason == "Trùng đợt công tác của cơ quan"

        rated = s.scalars(select(MeetingRecord).where(MeetingRecord.unit_code == "VPUBND-01")).one()
        assert (rated.held_on, rated.present, rated.total_members) == (date(2026, 10, 10), 10, 11)
        assert rated.rating is not None
        assert (rated.rating.score, rated.rating.level, rated.rating.answers) == (85, "kha", {})

        late = s.scalars(select(ReportSubmission).where(ReportSubmission.period == "2026-Q3")).one()
        assert late.due_on == date(2026, 9, 15)
        assert late.sent_at == datetime(2026, 9, 15, 17, 0, tzinfo=UTC)  # 16/09 local

    assert main(["activity", "import", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Lịch sinh hoạt: 0 mới, 0 cập nhật, 5 không đổi." in out
    assert "Kết quả sinh hoạt: 0 mới, 0 cập nhật, 5 không đổi." in out
    assert "Đánh giá chất lượng: 0 mới, 0 cập nhật, 3 không đổi." in out
    assert "Báo cáo: 0 mới, 0 cập nhật, 4 không đổi." in out
    assert counts(db)["audit"] == 17


def test_changed_values_are_updated_and_audited(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["activity", "import", str(write(tmp_path, GOOD))]) == 0
    changed = GOOD.replace(",10,11,1,", ",9,11,1,").replace(",91,Tốt,", ",75,Khá,")
    changed = changed.replace("19/10/2026", "21/10/2026")
    assert changed.count(",9,11,1,") == 1
    assert main(["activity", "import", str(write(tmp_path, changed))]) == 0
    out = capsys.readouterr().out
    assert "Kết quả sinh hoạt: 0 mới, 1 cập nhật, 0 không đổi." in out
    assert "Đánh giá chất lượng: 0 mới, 1 cập nhật, 0 không đổi." in out
    assert "Báo cáo: 0 mới, 1 cập nhật, 0 không đổi." in out
    assert "Lịch sinh hoạt: 0 mới, 0 cập nhật, 1 không đổi." in out

    updates = {e.entity: e for e in activity_audit(db, "update")}
    assert set(updates) == {"meeting_record", "quality_rating", "report_submission"}
    record = updates["meeting_record"]
    assert record.actor_label == "import" and record.entity_key == "NTM:regular:2026-10"
    assert (record.old_value, record.new_value) == ({"present": 10}, {"present": 9})
    rating = updates["quality_rating"]
    assert rating.old_value is not None and rating.new_value is not None
    assert (rating.old_value["score"], rating.old_value["level"]) == (91, "tot")
    assert (rating.new_value["score"], rating.new_value["level"]) == (75, "kha")
    sent = updates["report_submission"]
    assert sent.entity_key == "NTM:monthly:2026-10"
    assert sent.old_value == {"sent_at": "2026-10-18T17:00:00+00:00"}
    assert sent.new_value == {"sent_at": "2026-10-20T17:00:00+00:00"}
    with db.transaction() as s:
        stored = s.scalars(select(MeetingRecord)).one()
        assert stored.present == 9 and stored.rating is not None
        assert stored.rating.level == "kha"


def test_meeting_no_longer_held_loses_its_rating(db: Database, tmp_path: Path) -> None:
    assert main(["activity", "import", str(write(tmp_path, GOOD))]) == 0
    not_held = HEADER + meeting(
        planned="08/10/2026 14:00",
        place="Hội trường",
        registered_on="20/09/2026",
        held="không",
        held_on="",
        present="",
        total_members="",
        not_held_reason="Mưa bão",
    )
    assert main(["activity", "import", str(write(tmp_path, not_held))]) == 0
    assert counts(db)["quality_ratings"] == 0
    assert [e.entity for e in activity_audit(db, "delete")] == ["quality_rating"]


def test_bom_semicolons_and_iso_dates_are_accepted(db: Database, tmp_path: Path) -> None:
    text = "\ufeff" + GOOD.replace(",", ";").replace("08/10/2026", "2026-10-08")
    assert main(["activity", "import", str(write(tmp_path, text))]) == 0
    assert counts(db)["meeting_records"] == 1


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        pytest.param(meeting(unit="KHONGCO"), "đơn vị KHONGCO không tồn tại", id="unknown-unit"),
        pytest.param(
            meeting(kind="committee"),
            "đơn vị NTM (base_cell) không có cuộc họp loại committee",
            id="kind-not-for-unit",
        ),
        pytest.param(
            meeting(unit="VPUBND"),
            "đơn vị VPUBND (base_committee) không có cuộc họp loại regular",
            id="committee-has-no-regular",
        ),
        pytest.param(meeting(month="10/2026"), "month '10/2026' không đúng dạng", id="month-fmt"),
        pytest.param(meeting(month="2026-13"), "month '2026-13' không đúng dạng", id="month-13"),
        pytest.param(
            meeting(held_on="01/09/2026"),
            "held_on 01/09/2026 không thuộc tháng 2026-10",
            id="held-on-outside-month",
        ),
        pytest.param(
            meeting(planned="01/11/2026 14:00"),
            "planned 01/11/2026 không thuộc tháng 2026-10",
            id="planned-outside-month",
        ),
        pytest.param(
            meeting(present="12"), "present 12 lớn hơn total_members 11", id="present-over-total"
        ),
        pytest.param(
            meeting(excused_absent="2"),
            "excused_absent 2 lớn hơn số vắng (11 − 10 = 1)",
            id="excused-over-absent",
        ),
        pytest.param(meeting(total_members="0"), "total_members 0 ngoài khoảng", id="total-zero"),
        pytest.param(meeting(score="101"), "score 101 ngoài khoảng 0–100", id="score-range"),
        pytest.param(
            meeting(score="85", level="Tốt"),
            "level Tốt không khớp với score 85 (theo thang điểm là Khá)",
            id="level-disagrees",
        ),
        pytest.param(meeting(level="Khá"), "có level thì cần score", id="level-without-score"),
        pytest.param(
            meeting(duration_minutes="1441"), "duration_minutes 1441 ngoài khoảng", id="duration"
        ),
        pytest.param(
            meeting(month="2026-11", held_on="27/11/2026"),
            "held_on 27/11/2026 ở tương lai",
            id="future-held-on",
        ),
        pytest.param(meeting(month="2026-12", held_on=""), "tháng 2026-12 ở tương lai", id="fmon"),
        pytest.param(
            report(period="2026-11", sent_on="30/11/2026"),
            "sent_on 30/11/2026 ở tương lai",
            id="future-sent-on",
        ),
        pytest.param(
            meeting(held_on="31/09/2026", month="2026-09"),
            "held_on 31/09/2026 không phải ngày có thật",
            id="impossible-date",
        ),
        pytest.param(
            meeting(planned="05/10/2026 25:00"), "planned 05/10/2026 25:00 có giờ", id="bad-hour"
        ),
        pytest.param(meeting(held="chắc có"), "held 'chắc có' không hợp lệ", id="bad-bool"),
        pytest.param(
            report(report_type="weekly"),
            "report_type 'weekly' không có trong chính sách",
            id="unknown-report-type",
        ),
        pytest.param(report(period="2026-Q5"), "period '2026-Q5' không hợp lệ", id="bad-period"),
        pytest.param(
            report(report_type="quarterly"),
            "báo cáo quarterly không có kỳ 2026-10",
            id="period-kind-mismatch",
        ),
        pytest.param(
            report(report_type="six_month", period="2025-H2"),
            "báo cáo six_month không có kỳ 2025-H2",
            id="six-month-h2",
        ),
        pytest.param(
            report(sent_on="30/09/2026"), "sent_on 30/09/2026 trước khi kỳ 2026-10", id="early"
        ),
        pytest.param(report(unit="C1"), "đơn vị C1 (cluster) không nộp báo cáo", id="cluster"),
        pytest.param(
            meeting(kind="thematic"),
            "sinh hoạt chuyên đề cần ghi chuyên đề (cột theme)",
            id="thematic-without-theme",
        ),
        pytest.param(
            meeting(held="không"),
            "cuộc họp không tổ chức (held=không) không dùng cột held_on, present, total_members",
            id="not-held-with-facts",
        ),
        pytest.param(
            meeting(held="", held_on="", present="", total_members=""),
            "cần ít nhất cột planned",
            id="neither-planned-nor-held",
        ),
        pytest.param(meeting(period="2026-10"), "dòng cuộc họp không dùng cột period", id="mix"),
        pytest.param(meeting(record_type="minutes"), "record_type 'minutes'", id="record-type"),
        pytest.param(
            meeting(month="2026-10"),
            "cuộc họp NTM/regular/2026-10 trùng với dòng 2",
            id="duplicate-meeting",
        ),
        pytest.param(report(), "báo cáo NTM/monthly/2026-10 trùng với dòng 3", id="dup-report"),
    ],
)
def test_bad_line_exits_2_names_the_line_and_writes_nothing(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str, expected: str
) -> None:
    path = write(tmp_path, GOOD + bad)
    assert main(["activity", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"dòng 4: {expected}" in err, err
    assert "chưa ghi gì" in err
    assert "dòng 2:" not in err and "dòng 3:" not in err
    assert set(counts(db).values()) == {0}


def test_every_bad_line_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD + meeting(unit="X1") + report(period="2026-Q7") + meeting(present="99", unit="NTM")
    assert main(["activity", "import", str(write(tmp_path, text))]) == 2
    err = capsys.readouterr().err
    assert "dòng 4: đơn vị X1" in err
    assert "dòng 5: period '2026-Q7'" in err
    assert "dòng 6: present 99" in err


def test_header_problems_are_refused(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["activity", "import", str(write(tmp_path, "unit,month,held_date\n"))]) == 2
    err = capsys.readouterr().err
    assert "dòng 1: thiếu cột record_type" in err
    assert "dòng 1: cột không dùng được: held_date" in err
    assert set(counts(db).values()) == {0}


def test_unreadable_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("record_type,unit\nmeeting,Đ\n".encode("cp1258"))
    assert main(["activity", "import", str(path)]) == 2
    assert "Không đọc được tệp" in capsys.readouterr().err


def test_line_numbers_count_quoted_line_breaks_and_blank_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    two_line_theme = meeting(
        kind="thematic", month="2026-09", held_on="12/09/2026", theme='"Chuyên đề\nhai dòng"'
    )
    text = GOOD + two_line_theme + "\n" + meeting(unit="X1")  # lines 4–5, blank 6, bad 7
    assert main(["activity", "import", str(write(tmp_path, text))]) == 2
    err = capsys.readouterr().err
    assert "dòng 7: đơn vị X1 không tồn tại" in err
    assert "dòng 4" not in err and "dòng 5" not in err


def test_a_registration_for_a_meeting_still_to_come_is_accepted(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Registered before the export, for a meeting ahead (this month or next): its row has
    `registered_on` and no `held`; it lands as a schedule, registered that day."""
    upcoming = row(
        record_type="meeting",
        unit="NTM",
        month="2026-12",
        kind="regular",
        planned="08/12/2026 14:00",
        place="Hội trường",
        registered_on="20/11/2026",
    )
    assert main(["activity", "import", str(write(tmp_path, HEADER + upcoming))]) == 0
    with db.transaction() as s:
        schedule = s.scalars(select(MeetingSchedule)).one()
        assert (schedule.month, schedule.planned_at) == (
            "2026-12",
            datetime(2026, 12, 8, 7, 0, tzinfo=UTC),
        )
        assert schedule.registered_at == datetime(2026, 11, 19, 17, 0, tzinfo=UTC)
    capsys.readouterr()
    for bad in (
        upcoming.replace(",20/11/2026,", ",,"),  # no registered_on: when was it registered?
        upcoming.replace("2026-12,", "2027-01,").replace("08/12/2026", "08/01/2027"),  # too far
        meeting(
            month="2026-12",
            planned="08/12/2026 14:00",
            registered_on="20/11/2026",
            held_on="08/12/2026",
        ),
    ):
        assert main(["activity", "import", str(write(tmp_path, HEADER + bad))]) == 2
        assert "ở tương lai" in capsys.readouterr().err
