"""The bloc's policy: deadlines, the rating rubric and reminder timings.

The policy lives in a YAML file (`policy_default.yaml` ships with the package)
and is loaded into frozen dataclasses. Loading validates everything up front so
that a typo in the file stops the bot at start-up with a clear message, instead
of producing wrong deadlines weeks later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from domain import admissions as admissions_rules
from domain import grading as grading_rules
from domain import survey as survey_rules
from domain.errors import PolicyError
from domain.periods import Period, PeriodKind, kind_of
from domain.quality import QualityLevel
from domain.yaml_node import YamlNode

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
        # The reader builds this module's dataclasses, so it is imported here, not above.
        from domain.policy_reader import build_policy

        return build_policy(YamlNode(data, "", source))


@cache
def default_policy() -> Policy:
    """The shipped default policy, loaded once (it is immutable)."""
    return Policy.load()


# ---------------------------------------------------------------------------
# Reading YAML with error messages that name the field


# ---------------------------------------------------------------------------
# Building and validating
