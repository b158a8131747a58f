"""A seeded half-year (January–June 2026 in the small bloc) rolled up: the notice's four
appendix lists come out exactly as the office writes them, on SQLite and PostgreSQL.

Every fact goes through the services on a clock that walks the half-year, so the
ledger is the one the bot would have kept.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time
from functools import partial
from pathlib import Path

import pytest
from docx import Document

from bot import cli
from domain import meeting_record
from domain.cluster_meetings import Answer, Mark
from domain.localtime import at_local
from domain.meeting_kinds import MeetingKind
from domain.notice import header
from domain.obligations import ObligationKind, Status
from domain.periods import HalfYear, Month
from domain.policy import CommitteeMember, NoticeNames, default_policy
from domain.roles import Role
from messages.rollup_files import rollup_docx, rollup_xlsx
from messages.rollup_text import appendix_lines, rollup_summary
from services import cluster_meetings, directives, meeting_records, ratings, reports, schedules
from services.actors import Actor, load_actor
from services.clock import ManualClock
from services.org import import_org
from services.rollup import build_rollup
from storage.db import Database
from tests.auxil.cast import ADMIN, bind
from tests.auxil.orgs import SMALL_ORG

H1 = HalfYear(2026, 1)
END = date(2026, 6, 30)
MEMBERS = (
    CommitteeMember("NVA", "Nguyễn Văn An", "Phó Bí thư Đảng ủy Khối"),
    CommitteeMember("TVB", "Trần Văn Bình", "Ủy viên Ban Thường vụ"),
)
POLICY = replace(default_policy(), committee_members=MEMBERS)
REGISTERING = ("TNMT", "TNMT-01", "TNMT-02", "TNMT-03", "NTM", "TAICHINH", "TAICHINH-01")
MISSED = {("TNMT-02", 2), ("TNMT-02", 5), ("TNMT-03", 3), ("TAICHINH-02", 6), ("NOICHINH", 4)}

EXPECTED = {
    "directives": [
        "Số 12-KH/ĐUK — Chương trình hành động thực hiện Nghị quyết số 05-NQ/ĐUK (hạn "
        "31/03/2026): có 01/4 tổ chức đảng chưa hoàn thành, 1 tổ chức đảng hoàn thành chậm:",
        "- Chi bộ Ban Xây dựng nông thôn mới (chậm, 05/04/2026)",
        "- Đảng bộ cơ quan Sở Tài chính",
        "Số 15-KH/ĐUK — Kế hoạch sửa đổi Quy chế làm việc (hạn 30/04/2026): có 01/3 tổ chức "
        "đảng chưa hoàn thành, 1 tổ chức đảng hoàn thành chậm:",
        "- Đảng bộ cơ quan Sở Tài nguyên và Môi trường: Chi bộ Thanh tra",
        "- Đảng bộ cơ quan Sở Tài chính: Chi bộ Văn phòng Sở Tài chính (chậm, 10/05/2026)",
    ],
    "registrations": [
        "- Đảng bộ cơ quan Sở Tài nguyên và Môi trường: có 02/4 tổ chức đảng không đăng ký đủ "
        "lịch sinh hoạt: Chi bộ Thanh tra (tháng 02, 05), Chi bộ Phòng Pháp chế (tháng 03)",
        "- Đảng bộ cơ quan Sở Tài chính: có 01/3 tổ chức đảng không đăng ký đủ lịch sinh hoạt: "
        "Chi bộ Phòng Ngân sách (tháng 06)",
        "- Các tổ chức cơ sở đảng: có 01/2 tổ chức đảng không đăng ký đủ lịch sinh hoạt: "
        "Chi bộ cơ quan Ban Nội chính Tỉnh ủy (tháng 04)",
    ],
    "reports": [
        "- Báo cáo tháng 03/2026 (hạn 20/03/2026): gửi chậm 1: Chi bộ Ban Xây dựng nông thôn "
        "mới (25/03/2026)",
        "- Báo cáo tháng 05/2026 (hạn 20/05/2026): chưa gửi 1: Đảng bộ cơ quan Sở Tài nguyên "
        "và Môi trường",
        "- Báo cáo quý II/2026 (hạn 15/06/2026): chưa gửi 1: Chi bộ cơ quan Ban Nội chính Tỉnh ủy",
        "- Báo cáo sơ kết 6 tháng đầu năm 2026 (hạn 15/06/2026): chưa gửi 1: Đảng bộ cơ quan "
        "Sở Tài chính",
    ],
    "absences": [
        "- Không có lý do:",
        "  + Đảng bộ cơ quan Sở Tài chính (Cụm 2, 20/05/2026)",
        "- Có lý do:",
        "  + Chi bộ Ban Xây dựng nông thôn mới (Cụm 1, 15/03/2026): Đi công tác cơ sở",
    ],
}


def moment(month: int, day: int, hour: int = 9, year: int = 2026) -> datetime:
    return at_local(date(year, month, day), time(hour, 0))


class HalfYearWorld:
    """The small bloc walked through January–June 2026 by the office's admin."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.clock = ManualClock(moment(12, 1, year=2025))
        import_org(db, SMALL_ORG, now=self.clock.now(), actor="test", policy=POLICY)
        bind(db, self.clock.now(), ADMIN, Role.ADMIN, "DUK")
        found = load_actor(db, ADMIN.id)
        assert found is not None
        self.admin: Actor = found

    def at(self, when: datetime) -> datetime:
        assert when >= self.clock.now(), when
        self.clock.advance(when - self.clock.now())
        return when

    def register(self, unit: str, month: Month) -> None:
        now = self.clock.now()
        kinds = {"TNMT": MeetingKind.COMMITTEE, "TAICHINH": MeetingKind.COMMITTEE}
        request = schedules.ScheduleRequest(
            unit,
            kinds.get(unit, MeetingKind.REGULAR),
            month,
            at_local(month.day(10), time(14, 0)),
            "Hội trường",
        )
        schedules.register_schedule(self.db, self.admin, request, now=now, policy=POLICY)

    def held(
        self,
        unit: str,
        month: Month,
        *,
        visitor: str | None = None,
        kind: MeetingKind = MeetingKind.REGULAR,
    ) -> None:
        member = POLICY.committee_member(visitor) if visitor else None
        record = meeting_record.RecordInput(
            held=True,
            held_on=month.day(10),
            duration_minutes=120,
            present=10,
            total_members=11,
            excused_absent=1,
            higher_attendee=member.label if member else None,
            higher_attendee_code=visitor,
            theme="Học tập Nghị quyết" if kind == MeetingKind.THEMATIC else None,
            minutes_taken=True,
        )
        meeting_records.record_meeting(
            self.db, self.admin, unit, kind, month, record, now=self.clock.now(), policy=POLICY
        )

    def rate(self, unit: str, month: Month, share: float) -> None:
        """Each criterion scored at `share` of its points."""
        answers = {c.code: int(c.max_points * share) for c in POLICY.rubric.answerable_criteria}
        ratings.rate_meeting(
            self.db,
            self.admin,
            unit,
            MeetingKind.REGULAR,
            month,
            answers,
            now=self.clock.now(),
            policy=POLICY,
        )

    def not_held(self, unit: str, month: Month) -> None:
        record = meeting_record.RecordInput(
            held=False, not_held_reason="Trùng lịch công tác", not_held_excused=True
        )
        meeting_records.record_meeting(
            self.db,
            self.admin,
            unit,
            MeetingKind.REGULAR,
            month,
            record,
            now=self.clock.now(),
            policy=POLICY,
        )

    def report(self, unit: str, report_type: str, period: str, sent: datetime) -> None:
        reports.confirm_report(
            self.db, self.admin, unit, report_type, period, document=None, now=sent, policy=POLICY
        )

    def directive(self, title: str, ref: str, due: date, targets: str) -> int:
        request = directives.DirectiveRequest(title, ref, due, targets)
        issued = directives.issue(
            self.db,
            request,
            issuer=self.admin,
            actor_label="test",
            scope_code="DUK",
            now=self.clock.now(),
            policy=POLICY,
        )
        return issued.directive.id

    def done(self, directive: int, unit: str, when: datetime) -> None:
        directives.confirm(
            self.db,
            self.admin,
            directive,
            unit,
            document=("file", "van-ban.pdf"),
            now=when,
            policy=POLICY,
        )

    def call(self, cluster: str, starts: datetime) -> None:
        request = cluster_meetings.MeetingRequest(cluster, starts, "Hội trường", "Giao ban")
        cluster_meetings.call(self.db, self.admin, request, now=self.clock.now(), policy=POLICY)

    def answer(self, meeting: int, unit: str, reason: str) -> None:
        cluster_meetings.answer(
            self.db, self.admin, meeting, unit, Answer.ABSENT, reason, now=self.clock.now()
        )

    def mark(self, meeting: int, marks: dict[str, Mark]) -> None:
        cluster_meetings.mark(
            self.db, self.admin, meeting, marks, now=self.clock.now(), policy=POLICY
        )


def seed(db: Database) -> HalfYearWorld:
    """Every fact of the half-year, applied in time order."""
    w = HalfYearWorld(db)
    events: list[tuple[datetime, int, Callable[[], object]]] = []

    def on(when: datetime, action: Callable[[], object]) -> None:
        events.append((when, len(events), action))

    for month in (Month(2026, m) for m in range(1, 7)):
        for unit in (*REGISTERING, "TAICHINH-02", "NOICHINH"):
            if (unit, month.month) not in MISSED:
                on(
                    moment(month.prev().month, 20, year=month.prev().year),
                    partial(w.register, unit, month),
                )
        # Every unit meets every month (the committees their committee's meeting), but
        # TAICHINH-02 in April (excused); cells hold a thematic meeting each quarter (but
        # NOICHINH in the first); a member of the bloc's committee visits three times.
        visitors = {("TNMT-01", 3): "NVA", ("TNMT-01", 5): "NVA", ("NOICHINH", 4): "TVB"}
        for unit in (*REGISTERING, "TAICHINH-02", "NOICHINH"):
            kind = MeetingKind.COMMITTEE if unit in ("TNMT", "TAICHINH") else MeetingKind.REGULAR
            record = partial(
                w.held, unit, month, kind=kind, visitor=visitors.get((unit, month.month))
            )
            if (unit, month.month) == ("TAICHINH-02", 4):
                record = partial(w.not_held, unit, month)
            on(at_local(month.day(12), time(9)), record)
            if kind == MeetingKind.REGULAR and (unit, month.month) != ("TAICHINH-02", 4):
                # Rated the next day: full points (a Khá: 91% attendance caps a Tốt), but
                # NOICHINH half points (Trung bình).
                share = 0.5 if unit == "NOICHINH" else 1.0
                on(at_local(month.day(13), time(8)), partial(w.rate, unit, month, share))
            quarter_end = month.month in (3, 6) and kind == MeetingKind.REGULAR
            if quarter_end and (unit, month.month) != ("NOICHINH", 3):
                thematic = partial(w.held, unit, month, kind=MeetingKind.THEMATIC)
                on(at_local(month.day(13), time(9)), thematic)
        for unit in ("TNMT", "NTM", "TAICHINH", "NOICHINH"):
            if (unit, month.month) != ("TNMT", 5):
                late = (unit, month.month) == ("NTM", 3)
                sent = moment(month.month, 25 if late else 18)
                on(sent, partial(w.report, unit, "monthly", month.key, sent))
    for unit in ("TNMT", "NTM", "TAICHINH", "NOICHINH"):
        on(moment(3, 14), partial(w.report, unit, "quarterly", "2026-Q1", moment(3, 14)))
    for unit in ("TNMT", "NTM", "TAICHINH"):
        on(moment(6, 12), partial(w.report, unit, "quarterly", "2026-Q2", moment(6, 12)))
    for unit in ("TNMT", "NTM", "NOICHINH"):
        on(moment(6, 13), partial(w.report, unit, "six_month", "2026-H1", moment(6, 13)))
    on(
        moment(3, 2),
        partial(
            w.directive,
            "Chương trình hành động thực hiện Nghị quyết số 05-NQ/ĐUK",
            "Số 12-KH/ĐUK",
            date(2026, 3, 31),
            "base",
        ),
    )
    on(moment(3, 20), partial(w.done, 1, "TNMT", moment(3, 20)))
    on(moment(3, 30), partial(w.done, 1, "NOICHINH", moment(3, 30)))
    on(moment(4, 5), partial(w.done, 1, "NTM", moment(4, 5)))
    on(
        moment(4, 6),
        partial(
            w.directive,
            "Kế hoạch sửa đổi Quy chế làm việc",
            "Số 15-KH/ĐUK",
            date(2026, 4, 30),
            "TNMT-01,TNMT-02,TAICHINH-01",
        ),
    )
    on(moment(4, 28), partial(w.done, 2, "TNMT-01", moment(4, 28)))
    on(moment(5, 10), partial(w.done, 2, "TAICHINH-01", moment(5, 10)))
    on(moment(3, 3), partial(w.call, "C1", moment(3, 15, 8)))
    on(moment(3, 4), partial(w.answer, 1, "NTM", "Đi công tác cơ sở"))
    on(moment(3, 15, 11), partial(w.mark, 1, {"TNMT": Mark.ATTENDED, "NTM": Mark.EXCUSED}))
    on(moment(5, 19), partial(w.call, "C2", moment(5, 20, 8)))
    on(moment(5, 20, 11), partial(w.mark, 2, {"NOICHINH": Mark.ATTENDED}))  # TAICHINH: no reason
    for when, _, action in sorted(events, key=lambda e: (e[0], e[1])):
        w.at(when)
        action()
    w.at(moment(7, 1, 10))
    return w


@pytest.fixture
def half_year(db: Database) -> HalfYearWorld:
    return seed(db)


def test_the_notices_four_appendix_lists(db: Database, half_year: HalfYearWorld) -> None:
    rollup = build_rollup(db, "DUK", H1, END, POLICY)
    assert appendix_lines(rollup, "vi", {}) == EXPECTED


def test_a_committee_that_does_not_count_itself(db: Database, half_year: HalfYearWorld) -> None:
    policy = replace(POLICY, committee_counts_itself=False)
    rollup = build_rollup(db, "DUK", H1, END, policy)
    lines = appendix_lines(rollup, "vi", {})["registrations"]
    assert lines[0].startswith(
        "- Đảng bộ cơ quan Sở Tài nguyên và Môi trường: có 02/3 tổ chức đảng không đăng ký"
    )
    assert lines[2].startswith("- Các tổ chức cơ sở đảng: có 01/4 tổ chức đảng")


def test_the_roll_up_counts_and_visits(db: Database, half_year: HalfYearWorld) -> None:
    rollup = build_rollup(db, "DUK", H1, END, POLICY)
    total, k = rollup.total, ObligationKind
    assert (total.done(k.REGISTRATION), total.of(k.REGISTRATION)) == (49, 54)
    assert (total.done(k.DIRECTIVE), total.of(k.DIRECTIVE)) == (5, 7)
    assert (total.done(k.CLUSTER_MEETING), total.of(k.CLUSTER_MEETING)) == (2, 4)
    assert (total.done(k.MEETING), total.of(k.MEETING), total.of(k.MEETING, Status.EXCUSED)) == (
        53,
        54,
        1,
    )
    assert (total.done(k.THEMATIC), total.of(k.THEMATIC)) == (13, 14)
    assert total.attendance_meetings == 41 and total.visits == 3
    assert dict(total.quality) == {"kha": 35, "trung_binh": 6}
    rows = {r.unit.code: r.counts for r in rollup.rows}
    assert (rows["NTM"].done(k.REGISTRATION), rows["NTM"].of(k.REGISTRATION)) == (6, 6)
    assert rows["TNMT"].visits == 2 and rows["NOICHINH"].visits == 1
    assert rollup.member_visits == (
        ("Nguyễn Văn An (Phó Bí thư Đảng ủy Khối)", 2),
        ("Trần Văn Bình (Ủy viên Ban Thường vụ)", 1),
    )
    assert "TNMT-01" not in {u.code for u in rollup.without_visit}
    assert {"NTM", "TNMT-02", "TAICHINH"} <= {u.code for u in rollup.without_visit}
    document = json.loads(json.dumps(rollup.as_dict()))
    assert document["schema"] == "chibo.rollup/1" and document["period"]["key"] == "2026-H1"
    assert [c["unit"] for c in document["clusters"]] == ["C1", "C2"]


def test_the_notice_docx_and_the_chat_text(db: Database, half_year: HalfYearWorld) -> None:
    rollup = build_rollup(db, "DUK", H1, END, POLICY)
    names = NoticeNames(
        "Đảng bộ tỉnh Thái Bình", "Đảng ủy Khối các cơ quan tỉnh", "Thái Bình", "Nguyễn Văn An"
    )
    doc = Document(io.BytesIO(rollup_docx(rollup, header(names, date(2026, 7, 1), number="52"))))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "PHỤ LỤC CHI TIẾT" in body
    attached = "(Kèm theo Thông báo số 52-TB/ĐUK ngày 1/7/2026 của Ban Thường vụ Đảng ủy Khối"
    assert attached + " các cơ quan tỉnh)" in body
    for lines in EXPECTED.values():
        for line in lines:
            assert line in body, line
    assert "6 tháng đầu năm 2026" in body and "bot" not in body.lower().replace("báo", "")
    text = rollup_summary(rollup, "vi")
    assert "TỔNG HỢP 6 THÁNG ĐẦU NĂM 2026" in text
    assert "Chi bộ Thanh tra (tháng 02, 05)" in text
    assert rollup_xlsx(rollup)[:2] == b"PK"


def test_the_cli_writes_the_roll_up(
    db_url: str,
    db: Database,
    half_year: HalfYearWorld,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(_policy_text(), encoding="utf-8")
    monkeypatch.setenv("POLICY_FILE", str(policy_file))
    assert (
        cli.main(["digest", "--period", "2026-H1", "--at", "2026-07-01", "--format", "json"]) == 0
    )
    assert (
        json.loads(capsys.readouterr().out)["appendix"]["reports"][0]["report"]
        == "Báo cáo tháng 03/2026"
    )
    args = ["digest", "--period", "2026-H1", "--at", "2026-07-01", "--format", "docx"]
    assert cli.main(args) == 2
    assert "--number" in capsys.readouterr().err
    assert cli.main([*args, "--number", "52", "--output", "so-ket.docx"]) == 0
    body = "\n".join(p.text for p in Document(str(tmp_path / "so-ket.docx")).paragraphs)
    assert EXPECTED["absences"][1] in body
    assert cli.main(["digest", "--period", "2027", "--at", "2026-07-01"]) == 2


def _policy_text() -> str:
    from importlib import resources

    text = resources.files("domain").joinpath("policy_default.yaml").read_text(encoding="utf-8")
    return (
        text.replace('province: ""', 'province: "Đảng bộ tỉnh Thái Bình"')
        .replace('bloc: ""', 'bloc: "Đảng ủy Khối các cơ quan tỉnh"')
        .replace('place: ""', 'place: "Thái Bình"')
        .replace('signer: ""', 'signer: "Nguyễn Văn An"')
    )
