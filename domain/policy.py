"""The bloc's policy: deadlines, the rating rubric and reminder timings.

The policy lives in a YAML file (`policy_default.yaml` ships with the package)
and is loaded into frozen dataclasses. Loading validates everything up front so
that a typo in the file stops the bot at start-up with a clear message, instead
of producing wrong deadlines weeks later.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import time
from fractions import Fraction
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any, NoReturn

import yaml

from domain import admissions as admissions_rules
from domain import grading as grading_rules
from domain import survey as survey_rules
from domain.errors import PolicyError
from domain.periods import Period, PeriodKind, kind_of
from domain.quality import QualityLevel
from domain.text_vi import format_percent

DEFAULT_POLICY_FILE = "policy_default.yaml"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MESSAGE_FIELDS = {"rate", "present", "members", "duration", "target"}
# A report type's code travels in button data ("open:report:<unit>:<type>:<period>"),
# which Telegram caps at 64 bytes: see domain.org.MAX_CODE_LENGTH for the budget.
MAX_REPORT_TYPE_LENGTH = 16
MEMBER_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
REPORT_TYPE_CODE = re.compile(rf"[a-z][a-z0-9_]{{0,{MAX_REPORT_TYPE_LENGTH - 1}}}")


# ---------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Criterion:
    code: str
    label_vi: str
    max_points: int


@dataclass(frozen=True)
class CriteriaGroup:
    code: str
    label_vi: str
    max_points: int
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class AttendanceBand:
    """Attendance rate at least `min_rate` earns `points`."""

    min_rate: Fraction
    points: int


@dataclass(frozen=True)
class TopLevelRequirements:
    """Extra conditions for Tốt; failing one caps the level at `cap_to`."""

    cap_to: QualityLevel
    full_attendance_points: bool
    min_duration_minutes: int
    required_nonzero: tuple[str, ...]  # criterion codes that must score > 0
    minutes_taken: bool


@dataclass(frozen=True)
class Rubric:
    groups: tuple[CriteriaGroup, ...]
    attendance_criterion: str
    attendance_bands: tuple[AttendanceBand, ...]  # highest min_rate first
    level_minimums: tuple[tuple[QualityLevel, int], ...]  # best level first
    top_level: TopLevelRequirements

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for g in self.groups for c in g.criteria)

    @property
    def answerable_criteria(self) -> tuple[Criterion, ...]:
        """Criteria the secretary scores; attendance is computed from the facts."""
        return tuple(c for c in self.criteria if c.code != self.attendance_criterion)

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    @property
    def total_points(self) -> int:
        return sum(g.max_points for g in self.groups)

    @property
    def attendance_max_points(self) -> int:
        return self.criterion(self.attendance_criterion).max_points

    def attendance_points_for(self, rate: Fraction) -> int:
        for band in self.attendance_bands:
            if rate >= band.min_rate:
                return band.points
        return 0  # unreachable after validation: the last band starts at 0

    def level_for(self, total: int) -> QualityLevel:
        for level, minimum in self.level_minimums:
            if total >= minimum:
                return level
        return QualityLevel.KEM

    def level_minimum(self, level: QualityLevel) -> int:
        return dict(self.level_minimums)[level]


@dataclass(frozen=True)
class PlausibilityRule:
    """Flag a rating when its points reach `level` (None: any level) and the condition holds.

    Exactly one of the condition fields is set.
    """

    code: str
    message_vi: str
    level: QualityLevel | None
    attendance_at_most: Fraction | None = None
    duration_below_minutes: int | None = None
    scored_without_minutes: str | None = None  # criterion code


@dataclass(frozen=True)
class ReportType:
    """A periodic report and its due rule (see `domain.reports.due_date`)."""

    code: str
    name_vi: str
    period: PeriodKind
    due_month_offset: int  # months after the first month of the covered period
    due_day: int  # clamped to the month's last day
    # Which periods of the year need this report (by `number_in_year`); None = all.
    # E.g. the six-month report covers only the first half: the annual report covers the year.
    only_periods: tuple[int, ...] | None = None

    def applies_to(self, period: Period) -> bool:
        if kind_of(period) != self.period:
            return False
        return self.only_periods is None or period.number_in_year in self.only_periods


@dataclass(frozen=True)
class RegistrationRule:
    """Schedule registration for month M is due on `due_day` of M + `due_month_offset`."""

    due_day: int
    due_month_offset: int


@dataclass(frozen=True)
class DeadlineReminders:
    days_before: tuple[int, ...]  # largest first
    on_due_day: bool
    overdue_every_days: int


@dataclass(frozen=True)
class MeetingReminders:
    day_before_at: time
    morning_of_at: time


@dataclass(frozen=True)
class RecordNudges:
    first_after_days: int
    every_days: int
    max_nudges: int


@dataclass(frozen=True)
class Escalation:
    after_days_overdue: int
    # A unit still overdue is listed again every this many days after the first time.
    repeat_every_days: int = 7


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def contains(self, clock: time) -> bool:
        """Whether a local clock time falls in the quiet window (start inclusive, end exclusive)."""
        if self.start <= self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end  # the window wraps midnight


@dataclass(frozen=True)
class WeeklyDigest:
    weekday: int  # 0 = Monday, as in `date.weekday()`
    at: time


@dataclass(frozen=True)
class ReminderPolicy:
    send_at: time
    quiet_hours: QuietHours
    registration: DeadlineReminders
    meeting: MeetingReminders
    record_nudge: RecordNudges
    reports: DeadlineReminders
    escalation: Escalation
    weekly_digest: WeeklyDigest
    # The "Nhắc lại sau" button holds a reminder back this long (then quiet hours apply).
    snooze_minutes: int = 120
    # After downtime, reminder days missed up to this many days ago are folded into
    # the next reminder; older ones are skipped (the next reminder day covers them).
    catch_up_days: int = 3


@dataclass(frozen=True)
class CommitteeMember:
    """A member of the bloc's committee (cấp ủy viên), who may attend a unit's meeting."""

    code: str
    name: str
    title: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.title})" if self.title else self.name


@dataclass(frozen=True)
class NoticeNames:
    """The names the office's formal notice prints (header, place, signature). An empty
    one is asked for where the notice is made (`chibo digest --province …`)."""

    province: str = ""  # "ĐẢNG BỘ TỈNH …"
    bloc: str = ""  # "ĐẢNG ỦY KHỐI …"
    place: str = ""  # the place in the date line
    signer: str = ""
    signer_title: str = "Chánh Văn phòng"
    number_suffix: str = "TB/ĐUK"  # "Số 45-TB/ĐUK"


@dataclass(frozen=True)
class Policy:
    attendance_target: Fraction
    edit_grace_days: int
    registration: RegistrationRule
    report_types: tuple[ReportType, ...]
    rubric: Rubric
    plausibility: tuple[PlausibilityRule, ...]
    reminders: ReminderPolicy
    survey: survey_rules.SurveyPolicy
    grading: grading_rules.GradingPolicy
    admissions: admissions_rules.AdmissionsPolicy
    source: str = "<memory>"
    notice: NoticeNames = NoticeNames()
    # Whether a base committee counts itself among its organisations in the roll-ups'
    # "có 02/8 tổ chức đảng …" (else only its sub-cells count).
    committee_counts_itself: bool = True
    committee_members: tuple[CommitteeMember, ...] = ()

    def committee_member(self, code: str) -> CommitteeMember | None:
        return next((m for m in self.committee_members if m.code == code), None)

    def report_type(self, code: str) -> ReportType:
        for rt in self.report_types:
            if rt.code == code:
                return rt
        raise KeyError(code)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Policy:
        """Read and validate a policy YAML file; `None` loads the default shipped file."""
        if path is None:
            ref = resources.files("domain").joinpath(DEFAULT_POLICY_FILE)
            text, source = ref.read_text(encoding="utf-8"), DEFAULT_POLICY_FILE
        else:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise PolicyError(f"Không đọc được tệp chính sách {path}: {exc}") from exc
            source = str(path)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise PolicyError(f"Tệp chính sách {source} không đúng cú pháp YAML: {exc}") from exc
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: Any, source: str = "<memory>") -> Policy:
        """Build and validate a policy from already-parsed YAML data."""
        return _build_policy(_Node(data, "", source))


@cache
def default_policy() -> Policy:
    """The shipped default policy, loaded once (it is immutable)."""
    return Policy.load()


# ---------------------------------------------------------------------------
# Reading YAML with error messages that name the field


class _Node:
    """A YAML mapping plus its position, so each error can say which field is wrong."""

    def __init__(self, data: Any, where: str, source: str) -> None:
        self.where = where
        self.source = source
        if not isinstance(data, dict):
            self.fail("phải là một bảng khóa: giá trị")
        self.data: dict[str, Any] = data
        self.used: set[str] = set()

    def fail(self, problem: str, key: str | None = None) -> NoReturn:
        field = ".".join(p for p in (self.where, key) if p) or "(gốc)"
        raise PolicyError(f"Tệp chính sách {self.source}, mục {field}: {problem}")

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def raw(self, key: str) -> Any:
        if key not in self.data:
            self.fail("thiếu mục bắt buộc", key)
        self.used.add(key)
        return self.data[key]

    def has(self, key: str) -> bool:
        return key in self.data

    def node(self, key: str) -> _Node:
        return _Node(self.raw(key), self.path(key), self.source)

    def nodes(self, key: str) -> list[_Node]:
        value = self.raw(key)
        if not isinstance(value, list) or not value:
            self.fail("phải là một danh sách không rỗng", key)
        return [_Node(item, f"{self.path(key)}[{i}]", self.source) for i, item in enumerate(value)]

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            self.fail("phải là một chuỗi không rỗng", key)
        return value.strip()

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            self.fail("phải là true hoặc false", key)
        return value

    def integer(self, key: str, low: int | None = None, high: int | None = None) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"phải là số nguyên, đang là {value!r}", key)
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(f"phải trong khoảng {low}…{high}, đang là {value}", key)
        return value

    def rate(self, key: str) -> Fraction:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"phải là tỷ lệ dạng số thập phân (0.95 = 95%), đang là {value!r}", key)
        rate = Fraction(str(value))  # via str: 0.95 becomes exactly 19/20
        if not 0 <= rate <= 1:
            self.fail(f"phải trong khoảng 0…1 (0.95 = 95%), đang là {value}", key)
        return rate

    def clock(self, key: str) -> time:
        value = self.raw(key)
        if isinstance(value, int):
            self.fail('giờ phải đặt trong dấu nháy, ví dụ "07:30"', key)
        try:
            return time.fromisoformat(str(value))
        except ValueError:
            self.fail(f'giờ không hợp lệ {value!r}, ví dụ đúng: "07:30"', key)

    def level(self, key: str) -> QualityLevel:
        value = self.raw(key)
        try:
            return QualityLevel(value)
        except ValueError:
            allowed = ", ".join(level.value for level in QualityLevel)
            self.fail(f"mức không hợp lệ {value!r}; dùng một trong: {allowed}", key)

    def done(self) -> None:
        """Refuse unknown keys: a misspelt key would otherwise be silently ignored."""
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            self.fail(f"khóa không hợp lệ: {', '.join(map(str, unknown))}")


# ---------------------------------------------------------------------------
# Building and validating


def _build_policy(root: _Node) -> Policy:
    if root.integer("version") != 1:
        root.fail("chỉ hỗ trợ version: 1", "version")
    target = root.rate("attendance_target")
    if target == 0:
        root.fail("phải lớn hơn 0", "attendance_target")
    rubric = _rubric(root.node("rubric"), target)
    policy = Policy(
        attendance_target=target,
        edit_grace_days=root.integer("edit_grace_days", 0, 31),
        registration=_registration(root.node("registration")),
        report_types=_report_types(root.node("report_types")),
        rubric=rubric,
        plausibility=_plausibility(root, rubric),
        reminders=_reminders(root.node("reminders")),
        survey=survey_rules.parse_policy(_section(root, "survey")),
        grading=grading_rules.parse_policy(_section(root, "grading")),
        admissions=admissions_rules.parse_policy(_section(root, "admissions")),
        source=root.source,
    )
    if root.has("notice"):
        policy = replace(policy, notice=_notice(root.node("notice")))
    if root.has("roll_up"):
        node = root.node("roll_up")
        policy = replace(policy, committee_counts_itself=node.flag("committee_counts_itself"))
        node.done()
    if root.has("committee_members"):
        policy = replace(policy, committee_members=_committee_members(root))
    root.done()
    return policy


def _notice(node: _Node) -> NoticeNames:
    def optional(key: str, default: str = "") -> str:
        if not node.has(key):
            return default
        value = node.raw(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            node.fail("phải là một chuỗi", key)
        return value.strip()

    names = NoticeNames(
        province=optional("province"),
        bloc=optional("bloc"),
        place=optional("place"),
        signer=optional("signer"),
        signer_title=optional("signer_title", NoticeNames.signer_title) or NoticeNames.signer_title,
        number_suffix=optional("number_suffix", NoticeNames.number_suffix)
        or NoticeNames.number_suffix,
    )
    node.done()
    return names


def _committee_members(root: _Node) -> tuple[CommitteeMember, ...]:
    value = root.raw("committee_members")
    if value in (None, []):
        return ()
    members = []
    for item in root.nodes("committee_members"):
        code = item.text("code")
        if not MEMBER_CODE.fullmatch(code):
            item.fail("mã phải gồm chữ, số, - hoặc _, tối đa 32 ký tự", "code")
        title = item.text("title") if item.has("title") else None
        members.append(CommitteeMember(code, item.text("name"), title))
        item.done()
    codes = [m.code for m in members]
    if len(set(codes)) != len(codes):
        root.fail("mã cấp ủy viên bị trùng", "committee_members")
    return tuple(members)


def _section(root: _Node, key: str) -> _Node:
    """A section added after the first policy files were written: a file without it
    takes the shipped default's."""
    if root.has(key):
        return root.node(key)
    text = resources.files("domain").joinpath(DEFAULT_POLICY_FILE).read_text(encoding="utf-8")
    return _Node(yaml.safe_load(text)[key], key, DEFAULT_POLICY_FILE)


def _registration(node: _Node) -> RegistrationRule:
    rule = RegistrationRule(
        due_day=node.integer("due_day", 1, 31),
        due_month_offset=node.integer("due_month_offset", -3, 0),
    )
    node.done()
    return rule


def _report_types(node: _Node) -> tuple[ReportType, ...]:
    if not node.data:
        node.fail("cần ít nhất một loại báo cáo")
    result = []
    for code in list(node.data):
        item = node.node(str(code))
        if not REPORT_TYPE_CODE.fullmatch(str(code)):
            node.fail(
                f"mã loại báo cáo {str(code)!r} phải gồm chữ thường a-z, số và _, bắt đầu bằng "
                f"chữ, tối đa {MAX_REPORT_TYPE_LENGTH} ký tự (nó nằm trong dữ liệu của nút bấm)"
            )
        kind = item.raw("period")
        try:
            period = PeriodKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in PeriodKind)
            item.fail(f"kỳ không hợp lệ {kind!r}; dùng một trong: {allowed}", "period")
        result.append(
            ReportType(
                code=str(code),
                name_vi=item.text("name_vi"),
                period=period,
                due_month_offset=item.integer("due_month_offset", 0, 24),
                due_day=item.integer("due_day", 1, 31),
                only_periods=_only_periods(item, period) if item.has("only_periods") else None,
            )
        )
        item.done()
    node.done()
    return tuple(result)


def _only_periods(item: _Node, kind: PeriodKind) -> tuple[int, ...]:
    value = item.raw("only_periods")
    valid = (
        isinstance(value, list)
        and value
        and all(isinstance(n, int) and 1 <= n <= kind.per_year for n in value)
        and len(set(value)) == len(value)
    )
    if not valid:
        item.fail(
            f"phải là danh sách số thứ tự kỳ khác nhau trong năm, từ 1 đến {kind.per_year}",
            "only_periods",
        )
    return tuple(sorted(value))


def _rubric(node: _Node, target: Fraction) -> Rubric:
    groups = tuple(_group(g) for g in node.nodes("groups"))
    codes = [g.code for g in groups] + [c.code for g in groups for c in g.criteria]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        node.fail(f"mã nhóm/tiêu chí bị trùng: {', '.join(duplicates)}", "groups")
    total = sum(g.max_points for g in groups)
    if total != 100:
        node.fail(f"tổng điểm các nhóm phải là 100 (thang 100 điểm), đang là {total}", "groups")
    criteria = {c.code: c for g in groups for c in g.criteria}

    attendance_code = node.text("attendance_criterion")
    if attendance_code not in criteria:
        node.fail(f"không có tiêu chí {attendance_code!r}", "attendance_criterion")
    bands = _attendance_bands(node, criteria[attendance_code].max_points, target)
    levels = _levels(node.node("levels"))
    top = _top_level(node.node("top_level"), criteria, attendance_code)
    node.done()
    return Rubric(groups, attendance_code, bands, levels, top)


def _group(node: _Node) -> CriteriaGroup:
    criteria = []
    for item in node.nodes("criteria"):
        criteria.append(
            Criterion(item.text("code"), item.text("label_vi"), item.integer("max_points", 1, 100))
        )
        item.done()
    group = CriteriaGroup(
        node.text("code"),
        node.text("label_vi"),
        node.integer("max_points", 1, 100),
        tuple(criteria),
    )
    node.done()
    subtotal = sum(c.max_points for c in group.criteria)
    if subtotal != group.max_points:
        node.fail(
            f"tổng điểm các tiêu chí ({subtotal}) khác điểm của nhóm ({group.max_points})",
            "max_points",
        )
    return group


def _attendance_bands(node: _Node, full: int, target: Fraction) -> tuple[AttendanceBand, ...]:
    bands = []
    for item in node.nodes("attendance_points"):
        bands.append(AttendanceBand(item.rate("min_rate"), item.integer("points", 0, full)))
        item.done()
    where = "attendance_points"
    for upper, lower in pairwise(bands):
        if lower.min_rate >= upper.min_rate:
            node.fail("min_rate phải giảm dần từ trên xuống", where)
        if lower.points > upper.points:
            node.fail("điểm phải giảm dần (hoặc bằng) theo tỷ lệ", where)
    if bands[0].points != full:
        node.fail(f"dòng đầu phải cho điểm tối đa ({full})", where)
    if bands[-1].min_rate != 0:
        node.fail("dòng cuối phải có min_rate: 0 để mọi tỷ lệ đều có điểm", where)
    for band in bands:
        if band.points == full and band.min_rate < target:
            node.fail(
                f"chỉ cho điểm tối đa khi đạt chỉ tiêu tỷ lệ dự ({format_percent(target)}), "
                f"dòng min_rate {format_percent(band.min_rate)} thấp hơn",
                where,
            )
    return tuple(bands)


def _levels(node: _Node) -> tuple[tuple[QualityLevel, int], ...]:
    order = (QualityLevel.TOT, QualityLevel.KHA, QualityLevel.TRUNG_BINH, QualityLevel.KEM)
    levels = tuple((level, node.integer(level.value, 0, 100)) for level in order)
    node.done()
    for (better, high), (_, low) in pairwise(levels):
        if low >= high:
            node.fail(f"điểm tối thiểu phải giảm dần; {better.value} = {high} không lớn hơn {low}")
    if levels[-1][1] != 0:
        node.fail("mức kem phải bắt đầu từ 0", "kem")
    return levels


def _top_level(
    node: _Node, criteria: Mapping[str, Criterion], attendance_code: str
) -> TopLevelRequirements:
    cap_to = node.level("cap_to")
    if cap_to == QualityLevel.TOT:
        node.fail("mức hạ xuống phải thấp hơn tot", "cap_to")
    required = node.raw("required_nonzero")
    if not isinstance(required, list) or not all(isinstance(c, str) for c in required):
        node.fail("phải là danh sách mã tiêu chí", "required_nonzero")
    for code in required:
        if code not in criteria or code == attendance_code:
            node.fail(f"không có tiêu chí chấm tay {code!r}", "required_nonzero")
    top = TopLevelRequirements(
        cap_to=cap_to,
        full_attendance_points=node.flag("full_attendance_points"),
        min_duration_minutes=node.integer("min_duration_minutes", 0, 600),
        required_nonzero=tuple(required),
        minutes_taken=node.flag("minutes_taken"),
    )
    node.done()
    return top


def _plausibility(root: _Node, rubric: Rubric) -> tuple[PlausibilityRule, ...]:
    if not root.has("plausibility") or root.data["plausibility"] in (None, []):
        root.used.add("plausibility")
        return ()
    rules = [_plausibility_rule(item, rubric) for item in root.nodes("plausibility")]
    codes = [r.code for r in rules]
    if len(set(codes)) != len(codes):
        root.fail("mã cảnh báo bị trùng", "plausibility")
    return tuple(rules)


def _plausibility_rule(item: _Node, rubric: Rubric) -> PlausibilityRule:
    conditions = ("attendance_at_most", "duration_below_minutes", "scored_without_minutes")
    present = [c for c in conditions if item.has(c)]
    if len(present) != 1:
        item.fail(f"cần đúng một điều kiện trong: {', '.join(conditions)}")
    condition = present[0]
    rule = PlausibilityRule(
        code=item.text("code"),
        message_vi=_message(item),
        level=item.level("level") if item.has("level") else None,
    )
    if condition == "attendance_at_most":
        rule = replace(rule, attendance_at_most=item.rate(condition))
    elif condition == "duration_below_minutes":
        rule = replace(rule, duration_below_minutes=item.integer(condition, 1, 600))
    else:
        code = item.text(condition)
        if code not in {c.code for c in rubric.criteria}:
            item.fail(f"không có tiêu chí {code!r}", condition)
        rule = replace(rule, scored_without_minutes=code)
    item.done()
    return rule


def _message(item: _Node) -> str:
    message = item.text("message_vi")
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}
    except ValueError as exc:
        item.fail(f"mẫu câu không hợp lệ: {exc}", "message_vi")
    unknown = fields - _MESSAGE_FIELDS
    if unknown:
        allowed = ", ".join("{" + f + "}" for f in sorted(_MESSAGE_FIELDS))
        item.fail(f"chỉ dùng được {allowed}; không có {sorted(unknown)}", "message_vi")
    return message


def _reminders(node: _Node) -> ReminderPolicy:
    quiet_node = node.node("quiet_hours")
    quiet = QuietHours(quiet_node.clock("start"), quiet_node.clock("end"))
    quiet_node.done()
    meeting_node = node.node("meeting")
    meeting = MeetingReminders(
        meeting_node.clock("day_before_at"), meeting_node.clock("morning_of_at")
    )
    meeting_node.done()
    nudge_node = node.node("record_nudge")
    nudges = RecordNudges(
        first_after_days=nudge_node.integer("first_after_days", 0, 31),
        every_days=nudge_node.integer("every_days", 1, 31),
        max_nudges=nudge_node.integer("max_nudges", 0, 20),
    )
    nudge_node.done()
    escalation_node = node.node("escalation")
    escalation = Escalation(escalation_node.integer("after_days_overdue", 1, 60))
    if escalation_node.has("repeat_every_days"):
        escalation = replace(
            escalation, repeat_every_days=escalation_node.integer("repeat_every_days", 1, 60)
        )
    escalation_node.done()
    digest_node = node.node("weekly_digest")
    weekday = digest_node.raw("weekday")
    if weekday not in _WEEKDAYS:
        digest_node.fail(f"phải là một trong: {', '.join(_WEEKDAYS)}", "weekday")
    digest = WeeklyDigest(_WEEKDAYS.index(weekday), digest_node.clock("at"))
    digest_node.done()

    policy = ReminderPolicy(
        send_at=node.clock("send_at"),
        quiet_hours=quiet,
        registration=_deadline_reminders(node.node("registration")),
        meeting=meeting,
        record_nudge=nudges,
        reports=_deadline_reminders(node.node("reports")),
        escalation=escalation,
        weekly_digest=digest,
    )
    if node.has("snooze_minutes"):
        policy = replace(policy, snooze_minutes=node.integer("snooze_minutes", 5, 24 * 60))
    if node.has("catch_up_days"):
        policy = replace(policy, catch_up_days=node.integer("catch_up_days", 0, 31))
    node.done()
    for key, clock in (
        ("send_at", policy.send_at),
        ("meeting.day_before_at", meeting.day_before_at),
        ("meeting.morning_of_at", meeting.morning_of_at),
        ("weekly_digest.at", digest.at),
    ):
        if quiet.contains(clock):
            node.fail(
                f"{clock:%H:%M} rơi vào giờ yên lặng ({quiet.start:%H:%M}–{quiet.end:%H:%M})", key
            )
    return policy


def _deadline_reminders(node: _Node) -> DeadlineReminders:
    days = node.raw("days_before")
    valid = isinstance(days, list) and all(
        isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 60 for d in days
    )
    if not valid or len(set(days)) != len(days):
        node.fail("phải là danh sách số ngày khác nhau, từ 1 đến 60", "days_before")
    result = DeadlineReminders(
        days_before=tuple(sorted(days, reverse=True)),
        on_due_day=node.flag("on_due_day"),
        overdue_every_days=node.integer("overdue_every_days", 1, 31),
    )
    node.done()
    return result
