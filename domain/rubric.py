"""Scoring a meeting's quality self-rating against the policy's 100-point rubric."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from domain.errors import RatingInputError
from domain.policy import PlausibilityRule, Policy, Rubric
from domain.quality import QualityLevel, lower_of
from domain.text_vi import format_percent


@dataclass(frozen=True)
class MeetingFacts:
    """What is known about the meeting apart from the secretary's scores.

    `total_members` is the denominator of the attendance rate; whether members
    exempt from meetings are excluded is the caller's choice.
    """

    present: int
    total_members: int
    duration_minutes: int
    minutes_taken: bool

    def __post_init__(self) -> None:
        if self.total_members < 1:
            raise RatingInputError("Tổng số đảng viên phải lớn hơn 0. Vui lòng nhập lại.")
        if not 0 <= self.present <= self.total_members:
            raise RatingInputError(
                f"Số đảng viên dự ({self.present}) phải từ 0 đến tổng số đảng viên "
                f"({self.total_members}). Vui lòng nhập lại."
            )
        if not 0 <= self.duration_minutes <= 24 * 60:
            raise RatingInputError(
                "Thời lượng sinh hoạt phải từ 0 đến 1440 phút. Vui lòng nhập lại, ví dụ: 120."
            )

    @property
    def attendance_rate(self) -> Fraction:
        return Fraction(self.present, self.total_members)


@dataclass(frozen=True)
class Finding:
    """A reason or warning: a stable `code` for templates/queries and a Vietnamese sentence."""

    code: str
    message_vi: str


@dataclass(frozen=True)
class RatingResult:
    total: int
    max_total: int
    level: QualityLevel  # the final level, after the Tốt cap
    score_level: QualityLevel  # what the points alone would give
    points: Mapping[str, int]  # per criterion code, attendance included
    attendance_points: int
    cap_reasons: tuple[Finding, ...]  # why the level is below `score_level`; empty if not capped
    flags: tuple[Finding, ...]  # plausibility warnings for leadership review

    @property
    def capped(self) -> bool:
        return self.level != self.score_level


def score_rating(policy: Policy, answers: Mapping[str, int], facts: MeetingFacts) -> RatingResult:
    """Add up the secretary's answers and the attendance points, and decide the level.

    `answers` holds a score for every criterion except the attendance one, which is
    computed from `facts`. Missing, unknown or out-of-range answers raise
    `RatingInputError` (a ValueError) whose message can be shown to the user.
    """
    rubric = policy.rubric
    points = _checked_answers(rubric, answers)
    attendance = rubric.attendance_points_for(facts.attendance_rate)
    points[rubric.attendance_criterion] = attendance
    points = {c.code: points[c.code] for c in rubric.criteria}  # rubric order, for display

    total = sum(points.values())
    score_level = rubric.level_for(total)
    cap_reasons: tuple[Finding, ...] = ()
    level = score_level
    if score_level == QualityLevel.TOT:
        cap_reasons = _top_level_shortfalls(policy, points, facts)
        if cap_reasons:
            level = lower_of(score_level, rubric.top_level.cap_to)

    flags = tuple(
        Finding(rule.code, _format(rule, policy, facts))
        for rule in policy.plausibility
        if _rule_applies(rule, score_level, points, facts)
    )
    return RatingResult(
        total=total,
        max_total=rubric.total_points,
        level=level,
        score_level=score_level,
        points=points,
        attendance_points=attendance,
        cap_reasons=cap_reasons,
        flags=flags,
    )


def _checked_answers(rubric: Rubric, answers: Mapping[str, int]) -> dict[str, int]:
    if rubric.attendance_criterion in answers:
        raise RatingInputError(
            "Điểm tỷ lệ đảng viên dự sinh hoạt được tính tự động từ số người dự, không cần chấm."
        )
    known = {c.code for c in rubric.answerable_criteria}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise RatingInputError(f"Không có tiêu chí chấm điểm: {', '.join(unknown)}.")
    checked: dict[str, int] = {}
    for criterion in rubric.answerable_criteria:
        if criterion.code not in answers:
            raise RatingInputError(
                f"Chưa chấm tiêu chí “{criterion.label_vi}”. Vui lòng chấm đủ các tiêu chí."
            )
        value = answers[criterion.code]
        if isinstance(value, bool) or not isinstance(value, int):
            raise RatingInputError(
                f"Điểm tiêu chí “{criterion.label_vi}” phải là số nguyên "
                f"từ 0 đến {criterion.max_points}."
            )
        if not 0 <= value <= criterion.max_points:
            raise RatingInputError(
                f"Điểm tiêu chí “{criterion.label_vi}” phải từ 0 đến {criterion.max_points}, "
                f"đã nhập {value}. Vui lòng chấm lại."
            )
        checked[criterion.code] = value
    return checked


def _top_level_shortfalls(
    policy: Policy, points: Mapping[str, int], facts: MeetingFacts
) -> tuple[Finding, ...]:
    """Why a meeting whose points reach Tốt may not be rated Tốt (empty if it may)."""
    rubric = policy.rubric
    top = rubric.top_level
    reasons = []
    if top.full_attendance_points and points[rubric.attendance_criterion] < (
        rubric.attendance_max_points
    ):
        reasons.append(
            Finding(
                "attendance_below_full",
                f"Tỷ lệ đảng viên dự {format_percent(facts.attendance_rate)} chưa đạt "
                f"{format_percent(_full_marks_rate(rubric))} nên chưa được xếp loại Tốt.",
            )
        )
    if facts.duration_minutes < top.min_duration_minutes:
        reasons.append(
            Finding(
                "duration_too_short",
                f"Thời lượng {facts.duration_minutes} phút, dưới "
                f"{top.min_duration_minutes} phút nên chưa được xếp loại Tốt.",
            )
        )
    for code in top.required_nonzero:
        if points[code] == 0:
            label = rubric.criterion(code).label_vi
            reasons.append(
                Finding(
                    f"zero_{code}", f"Tiêu chí “{label}” được 0 điểm nên chưa được xếp loại Tốt."
                )
            )
    if top.minutes_taken and not facts.minutes_taken:
        reasons.append(
            Finding("no_minutes", "Buổi sinh hoạt không ghi biên bản nên chưa được xếp loại Tốt.")
        )
    return tuple(reasons)


def _rule_applies(
    rule: PlausibilityRule,
    score_level: QualityLevel,
    points: Mapping[str, int],
    facts: MeetingFacts,
) -> bool:
    # Rules look at the points (before the cap): the cap already lowers the level,
    # the flag tells leadership the self-score itself looks inflated.
    if rule.level is not None and score_level.rank < rule.level.rank:
        return False
    if rule.attendance_at_most is not None:
        return facts.attendance_rate <= rule.attendance_at_most
    if rule.duration_below_minutes is not None:
        return facts.duration_minutes < rule.duration_below_minutes
    if rule.scored_without_minutes is not None:
        return not facts.minutes_taken and points[rule.scored_without_minutes] > 0
    return False


def _format(rule: PlausibilityRule, policy: Policy, facts: MeetingFacts) -> str:
    return rule.message_vi.format(
        rate=format_percent(facts.attendance_rate),
        present=facts.present,
        members=facts.total_members,
        duration=facts.duration_minutes,
        target=format_percent(policy.attendance_target),
    )


def _full_marks_rate(rubric: Rubric) -> Fraction:
    full = rubric.attendance_max_points
    return min(b.min_rate for b in rubric.attendance_bands if b.points == full)
