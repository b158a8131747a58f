"""Xếp loại tổ chức đảng cuối năm: the year-end preview grade of each organisation.

Pure. A grade is the best of Hoàn thành xuất sắc / Hoàn thành tốt / Hoàn thành
nhiệm vụ whose every criterion the organisation meets, else Không hoàn thành
nhiệm vụ. Criteria and their minimums are in the policy file (`grading:`); the
shipped numbers are placeholders, and the file says so.

Compliance comes from the ledger only: a `ledger` criterion counts the year's
obligations of one kind by status (`domain.obligations.Status`), whatever the
kind is called. Kinds the ledger does not hold (yet) simply have no rows, and a
criterion without rows does not apply: adding directives or cluster meetings to
the ledger makes their criteria count with no change here. Two criteria read
facts that are not statuses: the share of meetings the cell rated Tốt, and the
members' average in the year's surveys.

The preview is as of a day: what fell due is judged, what is not due yet is
pending, and a criterion that pending obligations could still lift (or sink) is
named as "what would still change it".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction

from domain.admissions import ScopeAdmissions
from domain.org import UnitKind
from domain.quality import QualityLevel
from domain.survey import SCALE
from domain.yaml_node import YamlNode


class Grade(StrEnum):
    XUAT_SAC = "xuat_sac"
    TOT = "tot"
    HOAN_THANH = "hoan_thanh"
    KHONG_HOAN_THANH = "khong_hoan_thanh"

    @property
    def label_vi(self) -> str:
        return _LABELS[self]


_LABELS = {
    Grade.XUAT_SAC: "Hoàn thành xuất sắc nhiệm vụ",
    Grade.TOT: "Hoàn thành tốt nhiệm vụ",
    Grade.HOAN_THANH: "Hoàn thành nhiệm vụ",
    Grade.KHONG_HOAN_THANH: "Không hoàn thành nhiệm vụ",
}
# The grades a criterion can set a minimum for, best first.
GRADED = (Grade.XUAT_SAC, Grade.TOT, Grade.HOAN_THANH)
ALL_GRADES = (*GRADED, Grade.KHONG_HOAN_THANH)


class Measure(StrEnum):
    LEDGER = "ledger"  # share of the year's obligations of one kind done
    QUALITY = "quality"  # share of the year's rated meetings at some levels
    SURVEY = "survey"  # members' average (1–5) in the year's surveys with results


@dataclass(frozen=True)
class Criterion:
    code: str
    label_vi: str
    measure: Measure
    minimum: Mapping[Grade, Fraction]  # a share (0–1), or a score for a survey
    obligation_kind: str | None = None  # ledger: the obligation kind, as the ledger names it
    counts: frozenset[str] = frozenset()  # ledger: the statuses that count as done
    levels: frozenset[str] = frozenset()  # quality: the levels that count


@dataclass(frozen=True)
class GradingPolicy:
    placeholder: bool  # the shipped thresholds: say so wherever a grade is shown
    preview_from_month: int  # leadership's shares and the /status preview, from this month
    good_or_better_at_least: Fraction  # target: share of Hoàn thành tốt trở lên
    excellent_at_most: Fraction  # cap: share of Hoàn thành xuất sắc
    criteria: tuple[Criterion, ...]


_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
# domain.obligations.Status values (that module reads the policy, so it is not imported
# here; tests/grading checks the two agree).
PENDING = "pending"
DONE_STATUSES = frozenset({"on_time", "late", "excused"})


def parse_policy(node: YamlNode) -> GradingPolicy:
    targets = node.node("targets")
    policy = GradingPolicy(
        placeholder=node.flag("placeholder"),
        preview_from_month=node.integer("preview_from_month", 1, 12),
        good_or_better_at_least=targets.rate("good_or_better_at_least"),
        excellent_at_most=targets.rate("excellent_at_most"),
        criteria=tuple(_criterion(item) for item in node.nodes("criteria")),
    )
    targets.done()
    codes = [c.code for c in policy.criteria]
    if len(set(codes)) != len(codes):
        node.fail("mã tiêu chí bị trùng", "criteria")
    node.done()
    return policy


def _criterion(item: YamlNode) -> Criterion:
    code = item.text("code")
    if not _KIND.fullmatch(code):
        item.fail("mã tiêu chí gồm chữ thường a-z, số và _, bắt đầu bằng chữ", "code")
    measures = [m for m in Measure if item.has(m.value)]
    if len(measures) != 1:
        item.fail(f"cần đúng một cách đo trong: {', '.join(m.value for m in Measure)}")
    measure = measures[0]
    sub = item.node(measure.value)
    kind, counts, levels = None, frozenset[str](), frozenset[str]()
    if measure == Measure.LEDGER:
        kind = sub.text("kind")
        if not _KIND.fullmatch(kind):
            sub.fail("loại nghĩa vụ gồm chữ thường a-z, số và _", "kind")
        counts = _strings(sub, "counts", DONE_STATUSES)
    elif measure == Measure.QUALITY:
        levels = _strings(sub, "levels", {q.value for q in QualityLevel})
    sub.done()
    minimum_node = item.node("minimum")
    minimum: dict[Grade, Fraction] = {}
    for grade in GRADED:
        if minimum_node.has(grade.value):
            minimum[grade] = _minimum(minimum_node, grade.value, measure)
    minimum_node.done()
    if not minimum:
        item.fail("cần ít nhất một mức tối thiểu (xuat_sac, tot, hoan_thanh)", "minimum")
    values = [minimum[g] for g in GRADED if g in minimum]
    if values != sorted(values, reverse=True):
        item.fail("mức tối thiểu của hạng cao không được thấp hơn hạng dưới", "minimum")
    criterion = Criterion(
        code=code,
        label_vi=item.text("label_vi"),
        measure=measure,
        minimum=minimum,
        obligation_kind=kind,
        counts=counts,
        levels=levels,
    )
    item.done()
    return criterion


def _strings(node: YamlNode, key: str, allowed: set[str] | frozenset[str]) -> frozenset[str]:
    value = node.raw(key)
    if not isinstance(value, list) or not value or not set(value) <= allowed:
        node.fail(f"phải là danh sách con của: {', '.join(sorted(allowed))}", key)
    return frozenset(value)


def _minimum(node: YamlNode, key: str, measure: Measure) -> Fraction:
    if measure != Measure.SURVEY:
        return node.rate(key)
    value = node.raw(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        node.fail("phải là điểm trên thang 1–5, ví dụ 3.5", key)
    score = Fraction(str(value))
    if not SCALE[0] <= score <= SCALE[-1]:
        node.fail("phải là điểm trên thang 1–5, ví dụ 3.5", key)
    return score


# ---------------------------------------------------------------------------
# What the preview reads for one organisation and year


@dataclass(frozen=True)
class UnitYear:
    code: str
    kind: UnitKind
    # Obligation kind → status → how many of the year's obligations (pending included).
    statuses: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    quality: Mapping[str, int] = field(default_factory=dict)  # level → ratings in the year
    survey_average: Fraction | None = None  # members' average over surveys with results
    surveys: int = 0  # surveys with results


@dataclass(frozen=True)
class Measurement:
    criterion: Criterion
    done: int  # obligations done (ledger), ratings at the levels (quality)
    decided: int  # obligations due so far (ledger), ratings (quality)
    pending: int = 0  # obligations not due yet (ledger)
    score: Fraction | None = None  # survey: the members' average

    @property
    def applies(self) -> bool:
        """False when the organisation has nothing of this kind (a cell without
        directives, a committee without surveys)."""
        if self.criterion.measure == Measure.SURVEY:
            return self.score is not None
        return self.decided + self.pending > 0

    @property
    def value(self) -> Fraction | None:
        """The share (or score) judged so far; None when nothing fell due yet."""
        if self.criterion.measure == Measure.SURVEY:
            return self.score
        return Fraction(self.done, self.decided) if self.decided else None

    @property
    def best(self) -> Fraction | None:
        """The share if every pending obligation is done in time."""
        total = self.decided + self.pending
        if self.criterion.measure != Measure.LEDGER or not total:
            return self.value
        return Fraction(self.done + self.pending, total)

    @property
    def worst(self) -> Fraction | None:
        """The share if no pending obligation is done."""
        total = self.decided + self.pending
        if self.criterion.measure != Measure.LEDGER or not total:
            return self.value
        return Fraction(self.done, total)

    def meets(self, grade: Grade) -> bool:
        minimum = self.criterion.minimum.get(grade)
        value = self.value
        return minimum is None or not self.applies or value is None or value >= minimum

    def can_still_meet(self, grade: Grade) -> bool:
        minimum = self.criterion.minimum.get(grade)
        best = self.best
        return minimum is None or best is None or best >= minimum

    def may_still_fail(self, grade: Grade) -> bool:
        """Met now, but pending obligations left undone would break it."""
        minimum = self.criterion.minimum.get(grade)
        worst = self.worst
        return minimum is not None and self.pending > 0 and worst is not None and worst < minimum


def measure(criterion: Criterion, unit: UnitYear) -> Measurement:
    if criterion.measure == Measure.SURVEY:
        return Measurement(criterion, 0, 0, score=unit.survey_average)
    if criterion.measure == Measure.QUALITY:
        rated = sum(unit.quality.values())
        done = sum(n for level, n in unit.quality.items() if level in criterion.levels)
        return Measurement(criterion, done, rated)
    statuses = unit.statuses.get(criterion.obligation_kind or "", {})
    pending = statuses.get(PENDING, 0)
    decided = sum(n for status, n in statuses.items() if status != PENDING)
    done = sum(n for status, n in statuses.items() if status in criterion.counts)
    return Measurement(criterion, done, decided, pending)


@dataclass(frozen=True)
class Shortfall:
    """A criterion an organisation misses for a grade."""

    measurement: Measurement
    grade: Grade

    @property
    def minimum(self) -> Fraction:
        return self.measurement.criterion.minimum[self.grade]

    @property
    def reachable(self) -> bool:
        """Pending obligations done in time would still meet it."""
        return self.measurement.can_still_meet(self.grade)


@dataclass(frozen=True)
class UnitGrade:
    code: str
    kind: UnitKind
    grade: Grade
    measurements: tuple[Measurement, ...]

    def shortfalls(self, grade: Grade) -> list[Shortfall]:
        return [Shortfall(m, grade) for m in self.measurements if not m.meets(grade)]

    @property
    def next_grade(self) -> Grade | None:
        """The grade just above this one (None: already the best)."""
        index = ALL_GRADES.index(self.grade)
        return ALL_GRADES[index - 1] if index > 0 else None

    @property
    def blocking(self) -> list[Shortfall]:
        """What keeps the organisation from the next grade up, each criterion named."""
        up = self.next_grade
        return self.shortfalls(up) if up is not None else []

    @property
    def at_risk(self) -> list[Measurement]:
        """Criteria met for this grade that undone pending obligations would break."""
        if self.grade == Grade.KHONG_HOAN_THANH:
            return []
        return [m for m in self.measurements if m.may_still_fail(self.grade)]

    @property
    def pending(self) -> list[Measurement]:
        """Criteria with obligations still to fall due this year."""
        return [m for m in self.measurements if m.pending]


def grade_unit(unit: UnitYear, policy: GradingPolicy) -> UnitGrade:
    measurements = tuple(measure(c, unit) for c in policy.criteria)
    grade = next(
        (g for g in GRADED if all(m.meets(g) for m in measurements)), Grade.KHONG_HOAN_THANH
    )
    return UnitGrade(unit.code, unit.kind, grade, measurements)


# ---------------------------------------------------------------------------
# The bloc's shares against its targets


@dataclass(frozen=True)
class Shares:
    counts: Mapping[Grade, int]
    good_or_better_target: Fraction
    excellent_cap: Fraction

    @property
    def graded(self) -> int:
        return sum(self.counts.values())

    @property
    def good_or_better(self) -> int:
        return self.counts.get(Grade.XUAT_SAC, 0) + self.counts.get(Grade.TOT, 0)

    @property
    def excellent(self) -> int:
        return self.counts.get(Grade.XUAT_SAC, 0)

    def share(self, count: int) -> Fraction | None:
        return Fraction(count, self.graded) if self.graded else None

    @property
    def good_or_better_met(self) -> bool | None:
        share = self.share(self.good_or_better)
        return None if share is None else share >= self.good_or_better_target

    @property
    def excellent_within_cap(self) -> bool | None:
        share = self.share(self.excellent)
        return None if share is None else share <= self.excellent_cap


def shares(grades: Iterable[UnitGrade], policy: GradingPolicy) -> Shares:
    counts = {g: 0 for g in ALL_GRADES}
    for unit in grades:
        counts[unit.grade] += 1
    return Shares(counts, policy.good_or_better_at_least, policy.excellent_at_most)


# The year-end preview of a scope, as the services build it.


@dataclass(frozen=True)
class UnitPreview:
    grade: UnitGrade
    name: str  # told apart from namesakes
    parent_code: str | None


@dataclass(frozen=True)
class YearPreview:
    year: int
    as_of: date
    scope_code: str
    scope_name: str
    ledger_start: date | None  # obligations before it are not in the ledger
    placeholder: bool
    units: tuple[UnitPreview, ...]
    shares: dict[str, Shares]
    admissions: ScopeAdmissions

    @property
    def partial_year(self) -> bool:
        """The ledger starts after 1 January: earlier months are not judged."""
        return self.ledger_start is not None and self.ledger_start > date(self.year, 1, 1)

    def by_grade(self, grade: Grade) -> list[UnitPreview]:
        return [u for u in self.units if u.grade.grade == grade]
