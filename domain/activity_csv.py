"""Past activity from spreadsheets: meetings and report submissions, validated as a whole file.

One module on purpose (≈ 620 lines): a line's columns are checked together (a record
needs `held`, a score needs a record) and the file as a whole (the same meeting twice),
over one table of columns; the record's own checks are `domain.meeting_record`'s.

Pure: no database. `parse_activity_csv` gets the known units (code → kind), the
policy and the local `today`, checks every line and either returns the parsed
rows or raises `ActivityFileError` listing every bad line ("dòng 7: …"). The
import use-case (`services.activity_import`) writes nothing unless this passes.

One row is one meeting (`record_type=meeting`: a unit, a meeting kind and a month;
optionally its registered schedule, its record and its quality score) or one
periodic report sent (`record_type=report`). See README, "Importing past activity".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from domain import meeting_record
from domain.localtime import at_local
from domain.meeting_kinds import MeetingKind, meeting_kinds_for
from domain.meeting_record import Problem, RecordInput
from domain.org import MAX_MEMBERS, MEETING_KINDS, RowError, UnitKind
from domain.periods import Month, Period, parse_period_key
from domain.policy import Policy
from domain.quality import QualityLevel
from domain.reports import due_date
from domain.text_vi import LINE_BREAKS, fold, has_control_characters

REQUIRED_COLUMNS = ("record_type", "unit")
MEETING_COLUMNS = (
    "month",
    "kind",
    "planned",
    "place",
    "registered_on",
    "held",
    "held_on",
    "duration_minutes",
    "present",
    "total_members",
    "excused_absent",
    "higher_attendee",
    "theme",
    "minutes_taken",
    "not_held_reason",
    "not_held_excused",
    "score",
    "level",
)
REPORT_COLUMNS = ("period", "report_type", "sent_on")
KNOWN_COLUMNS = REQUIRED_COLUMNS + MEETING_COLUMNS + REPORT_COLUMNS

# Columns that describe what happened at a held meeting; meaningless when it was not held.
_HELD_ONLY = (
    "held_on",
    "duration_minutes",
    "present",
    "total_members",
    "excused_absent",
    "higher_attendee",
    "minutes_taken",
    "score",
    "level",
)
_NOT_HELD_ONLY = ("not_held_reason", "not_held_excused")
# Columns of the meeting record: they need `held`.
_RECORD_COLUMNS = _HELD_ONLY + _NOT_HELD_ONLY

# Lengths of the storage columns (PostgreSQL refuses longer text).
_MAX_LENGTH = {"place": 300, "theme": 500, "higher_attendee": 300, "not_held_reason": 500}
MAX_DURATION_MINUTES = 24 * 60

_TRUE = frozenset({"co", "yes", "y", "1", "true"})
_FALSE = frozenset({"khong", "no", "n", "0", "false"})
_DATE_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_MONTH_KEY = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class ImportedSchedule:
    planned_at: datetime  # aware, Asia/Ho_Chi_Minh
    place: str
    theme: str | None
    registered_at: datetime  # aware, Asia/Ho_Chi_Minh


@dataclass(frozen=True)
class ImportedRating:
    score: int
    level: QualityLevel


@dataclass(frozen=True)
class MeetingRow:
    line: int
    unit: str
    kind: MeetingKind
    month: Month
    schedule: ImportedSchedule | None
    record: RecordInput | None
    rating: ImportedRating | None

    @property
    def key(self) -> str:
        return f"{self.unit}/{self.kind.value}/{self.month.key}"


@dataclass(frozen=True)
class ReportRow:
    line: int
    unit: str
    report_type: str
    period: Period
    due_on: date
    sent_at: datetime  # aware, Asia/Ho_Chi_Minh

    @property
    def key(self) -> str:
        return f"{self.unit}/{self.report_type}/{self.period.key}"


@dataclass(frozen=True)
class ActivityFile:
    meetings: tuple[MeetingRow, ...]
    reports: tuple[ReportRow, ...]


class ActivityFileError(ValueError):
    """The file has bad lines; `errors` lists each one, in line order."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def parse_activity_csv(
    text: str, units: Mapping[str, UnitKind], policy: Policy, today: date
) -> ActivityFile:
    """Parse and validate a whole activity file; raise ActivityFileError listing every bad line.

    `units` maps every known unit code to its kind; `today` is the local date, and
    no date in the file may be after it (the file is past activity).
    """
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ActivityFileError([RowError(1, "tệp rỗng, thiếu dòng tiêu đề")]) from None
    except csv.Error as error:
        raise ActivityFileError([RowError(1, f"không đọc được dòng tiêu đề: {error}")]) from None
    columns = [h.strip().lower() for h in header]
    header_errors = _header_errors(columns)
    if header_errors:
        raise ActivityFileError([RowError(1, e) for e in header_errors])

    context = _Context(units, policy, today)
    meetings: list[MeetingRow] = []
    reports: list[ReportRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    last_line = reader.line_num
    while True:
        line = last_line + 1  # where this record starts (a quoted cell may span lines)
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(line, f"dòng CSV hỏng: {error}"))
            break
        last_line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) > len(columns):
            errors.append(
                RowError(line, f"có {len(cells)} ô, nhiều hơn {len(columns)} cột của tiêu đề")
            )
            continue
        raw = {name: value.strip() for name, value in zip(columns, cells, strict=False)}
        row = _Row(line, raw, context)
        parsed = row.parse()
        errors.extend(row.errors)
        if parsed is None:
            continue
        what = "cuộc họp" if isinstance(parsed, MeetingRow) else "báo cáo"
        if parsed.key in seen:
            errors.append(RowError(line, f"{what} {parsed.key} trùng với dòng {seen[parsed.key]}"))
            continue
        seen[parsed.key] = line
        if isinstance(parsed, MeetingRow):
            meetings.append(parsed)
        else:
            reports.append(parsed)
    if errors:
        raise ActivityFileError(sorted(errors, key=lambda e: e.line))
    return ActivityFile(tuple(meetings), tuple(reports))


def _header_errors(columns: list[str]) -> list[str]:
    errors = []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        errors.append(f"thiếu cột {', '.join(missing)}")
    unknown = [c for c in columns if c and c not in KNOWN_COLUMNS]
    if unknown:
        errors.append(
            f"cột không dùng được: {', '.join(unknown)} "
            f"(các cột hợp lệ: {', '.join(KNOWN_COLUMNS)})"
        )
    if "" in columns:
        errors.append("có cột không có tên")
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    if repeated:
        errors.append(f"cột lặp lại: {', '.join(repeated)}")
    return errors


@dataclass(frozen=True)
class _Context:
    units: Mapping[str, UnitKind]
    policy: Policy
    today: date


class _Row:
    """One data line: each reader records its own errors and returns None when the cell is bad."""

    def __init__(self, line: int, raw: Mapping[str, str], context: _Context) -> None:
        self.line = line
        self.raw = raw
        self.ctx = context
        self.errors: list[RowError] = []

    # -- helpers ------------------------------------------------------------

    def fail(self, message: str) -> None:
        self.errors.append(RowError(self.line, message))

    def cell(self, name: str) -> str:
        return self.raw.get(name, "")

    def given(self, *names: str) -> list[str]:
        return [n for n in names if self.cell(n)]

    def text(self, name: str) -> str | None:
        value = self.cell(name)
        if not value:
            return None
        limit = _MAX_LENGTH[name]
        if len(value) > limit:
            self.fail(f"{name} dài {len(value)} ký tự, tối đa {limit}")
            return None
        if has_control_characters(value, allowed=LINE_BREAKS):
            self.fail(f"{name} có ký tự điều khiển (không in được); hãy gõ lại")
            return None
        return value

    def flag(self, name: str) -> bool | None:
        value = self.cell(name)
        if not value:
            return None
        folded = fold(value)
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        self.fail(f"{name} {value!r} không hợp lệ (ghi có/không, yes/no hoặc 1/0)")
        return None

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self.cell(name)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            self.fail(f"{name} {value!r} không phải số nguyên")
            return None
        if not low <= number <= high:
            self.fail(f"{name} {number} ngoài khoảng {low}–{high}")
            return None
        return number

    def day(self, name: str) -> date | None:
        value = self.cell(name)
        if not value:
            return None
        day = self._date(name, value)
        if day is not None and day > self.ctx.today:
            self.fail(f"{name} {value} ở tương lai (hôm nay {self.ctx.today:%d/%m/%Y})")
            return None
        return day

    def _date(self, name: str, value: str) -> date | None:
        if m := _DATE_DMY.fullmatch(value):
            d, mo, y = int(m[1]), int(m[2]), int(m[3])
        elif m := _DATE_ISO.fullmatch(value):
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
        else:
            self.fail(f"{name} {value!r} không đúng dạng ngày dd/mm/yyyy")
            return None
        try:
            return date(y, mo, d)
        except ValueError:
            self.fail(f"{name} {value} không phải ngày có thật")
            return None

    def moment(self, name: str, *, future_ok: bool = False) -> datetime | None:
        value = self.cell(name)
        if not value:
            return None
        parts = value.split()
        if len(parts) != 2 or not (m := _TIME.fullmatch(parts[1])):
            self.fail(f"{name} {value!r} không đúng dạng dd/mm/yyyy hh:mm")
            return None
        day = self._date(name, parts[0])
        if day is None:
            return None
        hour, minute = int(m[1]), int(m[2])
        if hour > 23 or minute > 59:
            self.fail(f"{name} {value} có giờ không hợp lệ")
            return None
        if day > self.ctx.today and not future_ok:
            self.fail(f"{name} {value} ở tương lai (hôm nay {self.ctx.today:%d/%m/%Y})")
            return None
        return at_local(day, time(hour, minute))

    # -- the row ------------------------------------------------------------

    def parse(self) -> MeetingRow | ReportRow | None:
        record_type = fold(self.cell("record_type"))
        unit = self.cell("unit")
        unit_kind: UnitKind | None = None
        if not unit:
            self.fail("thiếu mã đơn vị (cột unit)")
        elif unit not in self.ctx.units:
            self.fail(f"đơn vị {unit} không tồn tại")
        else:
            unit_kind = self.ctx.units[unit]
        if record_type == "meeting":
            return self.meeting(unit, unit_kind)
        if record_type == "report":
            return self.report(unit, unit_kind)
        shown = self.cell("record_type")
        self.fail(
            f"record_type {shown!r} không hợp lệ (meeting hoặc report)"
            if shown
            else "thiếu record_type (meeting hoặc report)"
        )
        return None

    def meeting(self, unit: str, unit_kind: UnitKind | None) -> MeetingRow | None:
        stray = self.given(*REPORT_COLUMNS)
        if stray:
            self.fail(f"dòng cuộc họp không dùng cột {', '.join(stray)}")

        # A registration made already for a meeting still to come (no `held`, and when
        # it was registered): its month and planned day may be ahead of today.
        upcoming = not self.cell("held") and bool(self.cell("registered_on"))
        month = self.month(upcoming)
        kind = self.meeting_kind(unit, unit_kind)
        theme = self.text("theme")
        if kind == MeetingKind.THEMATIC and not self.cell("theme"):
            self.fail("sinh hoạt chuyên đề cần ghi chuyên đề (cột theme)")

        if not self.given("planned", "held"):
            self.fail("cần ít nhất cột planned (lịch đã đăng ký) hoặc held (đã họp hay chưa)")
        schedule = self.schedule(month, theme, upcoming)
        record, rating = self.record(month, theme)
        if record is not None and month is not None and kind is not None:
            self.check_record(kind, month, record)
        if self.errors or month is None or kind is None:
            return None
        return MeetingRow(self.line, unit, kind, month, schedule, record, rating)

    def month(self, upcoming: bool = False) -> Month | None:
        value = self.cell("month")
        if not value:
            self.fail("thiếu tháng (cột month, dạng YYYY-MM)")
            return None
        m = _MONTH_KEY.fullmatch(value)
        if m is None or not 1 <= int(m[2]) <= 12:
            self.fail(f"month {value!r} không đúng dạng YYYY-MM (ví dụ 2026-11)")
            return None
        month = Month(int(m[1]), int(m[2]))
        if month.first_day > self.ctx.today and not (
            upcoming and month <= Month.of(self.ctx.today).next()
        ):
            self.fail(f"tháng {month.key} ở tương lai (hôm nay {self.ctx.today:%d/%m/%Y})")
            return None
        return month

    def meeting_kind(self, unit: str, unit_kind: UnitKind | None) -> MeetingKind | None:
        value = self.cell("kind")
        if not value:
            self.fail("thiếu loại cuộc họp (cột kind: regular, committee hoặc thematic)")
            return None
        try:
            kind = MeetingKind(value.lower())
        except ValueError:
            self.fail(f"kind {value!r} không hợp lệ (regular, committee hoặc thematic)")
            return None
        if unit_kind is not None and kind not in meeting_kinds_for(unit_kind):
            allowed = ", ".join(k.value for k in meeting_kinds_for(unit_kind)) or "không có"
            self.fail(
                f"đơn vị {unit} ({unit_kind.value}) không có cuộc họp loại {kind.value} "
                f"(chỉ: {allowed})"
            )
            return None
        return kind

    def schedule(
        self, month: Month | None, theme: str | None, upcoming: bool = False
    ) -> ImportedSchedule | None:
        planned = self.moment("planned", future_ok=upcoming)
        registered_on = self.day("registered_on")
        place = self.text("place")
        if not self.cell("planned"):
            stray = self.given("registered_on", "place")
            if stray:
                self.fail(f"cột {', '.join(stray)} cần có planned (lịch đã đăng ký)")
            return None
        if planned is None or month is None:
            return None
        if Month.of(planned.date()) != month:
            self.fail(f"planned {planned:%d/%m/%Y} không thuộc tháng {month.key}")
            return None
        if registered_on is not None:
            if registered_on > planned.date():
                self.fail(
                    f"registered_on {registered_on:%d/%m/%Y} sau ngày họp dự kiến "
                    f"{planned:%d/%m/%Y}"
                )
                return None
            registered_at = at_local(registered_on, time(0, 0))
        else:
            registered_at = at_local(self.registration_due(month), time(0, 0))
        return ImportedSchedule(planned, place or "", theme, registered_at)

    def registration_due(self, month: Month) -> date:
        """When the schedule of `month` had to be registered: assumed when the file says nothing."""
        rule = self.ctx.policy.registration
        return month.plus(rule.due_month_offset).day(rule.due_day)

    def record(
        self, month: Month | None, theme: str | None
    ) -> tuple[RecordInput | None, ImportedRating | None]:
        held = self.flag("held")
        if not self.cell("held"):
            stray = self.given(*_RECORD_COLUMNS)
            if stray:
                self.fail(f"cột {', '.join(stray)} cần có held (đã họp hay chưa)")
            return None, None
        if held is None:
            return None, None
        if not held:
            stray = self.given(*_HELD_ONLY)
            if stray:
                self.fail(f"cuộc họp không tổ chức (held=không) không dùng cột {', '.join(stray)}")
            record = RecordInput(
                held=False,
                held_on=None,
                duration_minutes=None,
                present=None,
                total_members=None,
                excused_absent=None,
                higher_attendee=None,
                theme=theme,
                minutes_taken=None,
                not_held_reason=self.text("not_held_reason"),
                not_held_excused=self.flag("not_held_excused"),
            )
            return record, None

        stray = self.given(*_NOT_HELD_ONLY)
        if stray:
            self.fail(f"cuộc họp đã tổ chức (held=có) không dùng cột {', '.join(stray)}")
        present, total, excused = self.attendance()
        record = RecordInput(
            held=True,
            held_on=self.day("held_on"),
            duration_minutes=self.integer("duration_minutes", 1, MAX_DURATION_MINUTES),
            present=present,
            total_members=total,
            excused_absent=excused,
            higher_attendee=self.text("higher_attendee"),
            theme=theme,
            minutes_taken=self.flag("minutes_taken"),
            not_held_reason=None,
            not_held_excused=None,
        )
        return record, self.rating()

    def attendance(self) -> tuple[int | None, int | None, int | None]:
        present = self.integer("present", 0, MAX_MEMBERS)
        total = self.integer("total_members", 1, MAX_MEMBERS)
        excused = self.integer("excused_absent", 0, MAX_MEMBERS)
        if self.cell("present") and not self.cell("total_members"):
            self.fail("có present thì cần total_members (tổng số đảng viên)")
        pair = self.cell("present") and self.cell("total_members")
        if self.cell("excused_absent") and not pair:
            self.fail("có excused_absent thì cần present và total_members")
        return present, total, excused

    def check_record(self, kind: MeetingKind, month: Month, record: RecordInput) -> None:
        """The bot's rules for a record (domain.meeting_record), said with column names."""
        for problem in meeting_record.problems(kind, month, record, self.ctx.today, complete=False):
            match problem:
                case Problem.NO_DATE if not self.cell("held_on"):
                    self.fail("cuộc họp đã tổ chức cần ngày họp (cột held_on)")
                case Problem.DATE_OUTSIDE_MONTH:
                    self.fail(f"held_on {record.held_on:%d/%m/%Y} không thuộc tháng {month.key}")
                case Problem.PRESENT_OVER_TOTAL:
                    self.fail(
                        f"present {record.present} lớn hơn total_members {record.total_members}"
                    )
                case Problem.EXCUSED_OVER_ABSENT:
                    assert record.present is not None and record.total_members is not None
                    absent = record.total_members - record.present
                    self.fail(
                        f"excused_absent {record.excused_absent} lớn hơn số vắng "
                        f"({record.total_members} − {record.present} = {absent})"
                    )
                # A bad held_on cell, a future held_on (`day`) and a missing theme (`meeting`,
                # for schedules too) are said where the cell is read.

    def rating(self) -> ImportedRating | None:
        rubric = self.ctx.policy.rubric
        score = self.integer("score", 0, rubric.total_points)
        level_text = self.cell("level")
        if not self.cell("score"):
            if level_text:
                self.fail("có level thì cần score (điểm tự chấm)")
            return None
        if score is None:
            return None
        level = rubric.level_for(score)
        if level_text:
            given = _level(level_text)
            if given is None:
                self.fail(f"level {level_text!r} không hợp lệ (Tốt, Khá, Trung bình, Kém)")
                return None
            if given != level:
                self.fail(
                    f"level {level_text} không khớp với score {score} "
                    f"(theo thang điểm là {level.label_vi})"
                )
                return None
        return ImportedRating(score, level)

    def report(self, unit: str, unit_kind: UnitKind | None) -> ReportRow | None:
        stray = self.given(*MEETING_COLUMNS)
        if stray:
            self.fail(f"dòng báo cáo không dùng cột {', '.join(stray)}")
        if unit_kind is not None and unit_kind not in MEETING_KINDS:
            self.fail(f"đơn vị {unit} ({unit_kind.value}) không nộp báo cáo định kỳ")

        report_type = None
        code = self.cell("report_type")
        if not code:
            self.fail("thiếu loại báo cáo (cột report_type)")
        else:
            try:
                report_type = self.ctx.policy.report_type(code)
            except KeyError:
                known = ", ".join(rt.code for rt in self.ctx.policy.report_types)
                self.fail(f"report_type {code!r} không có trong chính sách (chỉ: {known})")

        period: Period | None = None
        key = self.cell("period")
        if not key:
            self.fail("thiếu kỳ báo cáo (cột period, ví dụ 2026-11, 2026-Q3, 2026-H1, 2026)")
        else:
            try:
                period = parse_period_key(key)
            except ValueError:
                self.fail(f"period {key!r} không hợp lệ (ví dụ 2026-11, 2026-Q3, 2026-H1, 2026)")
            else:
                if period.key != key:
                    self.fail(f"period {key!r} không hợp lệ, hãy ghi {period.key}")
                    period = None
                elif period.first_day > self.ctx.today:
                    self.fail(f"kỳ {key} ở tương lai (hôm nay {self.ctx.today:%d/%m/%Y})")
                    period = None

        sent_on = self.day("sent_on")
        if not self.cell("sent_on"):
            self.fail("thiếu ngày gửi báo cáo (cột sent_on)")
        if report_type is None or period is None:
            return None
        if not report_type.applies_to(period):
            self.fail(f"báo cáo {report_type.code} không có kỳ {period.key}")
            return None
        if sent_on is not None and sent_on < period.first_day:
            self.fail(
                f"sent_on {sent_on:%d/%m/%Y} trước khi kỳ {period.key} bắt đầu "
                f"({period.first_day:%d/%m/%Y})"
            )
        if self.errors or sent_on is None:
            return None
        return ReportRow(
            self.line,
            unit,
            report_type.code,
            period,
            due_date(report_type, period),
            at_local(sent_on, time(0, 0)),
        )


def _level(text: str) -> QualityLevel | None:
    folded = fold(text).replace(" ", "_")
    for level in QualityLevel:
        if folded in (level.value, fold(level.label_vi).replace(" ", "_")):
            return level
    return None
