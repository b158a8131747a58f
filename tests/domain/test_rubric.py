from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from domain.errors import RatingInputError, UserInputError
from domain.policy import Policy
from domain.quality import QualityLevel
from domain.rubric import MeetingFacts, score_rating

FULL = {
    "noi_dung_tai_lieu": 10,
    "thong_bao_trieu_tap": 5,
    "trinh_tu_thoi_luong": 10,
    "phat_bieu_thao_luan": 15,
    "sat_thuc_te": 10,
    "phe_binh_tu_phe_binh": 10,
    "ket_luan": 10,
    "bien_ban_nghi_quyet": 10,
}  # 80 points; attendance adds up to 20


def facts(
    present: int = 20, members: int = 20, minutes: int = 120, minutes_taken: bool = True
) -> MeetingFacts:
    return MeetingFacts(
        present=present,
        total_members=members,
        duration_minutes=minutes,
        minutes_taken=minutes_taken,
    )


def answers(**changes: int) -> dict[str, int]:
    return {**FULL, **changes}


def codes(findings: tuple[Any, ...]) -> list[str]:
    return [f.code for f in findings]


def test_full_marks_is_tot(policy: Policy) -> None:
    result = score_rating(policy, FULL, facts())
    assert result.total == 100
    assert result.max_total == 100
    assert result.level == QualityLevel.TOT
    assert result.level.label_vi == "Tốt"
    assert not result.capped
    assert result.cap_reasons == ()
    assert result.flags == ()
    assert result.attendance_points == 20
    assert result.points["ty_le_du"] == 20
    assert list(result.points) == [c.code for c in policy.rubric.criteria]


def test_attendance_at_target_still_gets_full_marks(policy: Policy) -> None:
    result = score_rating(policy, FULL, facts(present=19))
    assert result.attendance_points == 20
    assert result.level == QualityLevel.TOT


def test_attendance_below_target_caps_tot_at_kha(policy: Policy) -> None:
    result = score_rating(policy, FULL, facts(present=18))  # 90%
    assert result.total == 98
    assert result.score_level == QualityLevel.TOT
    assert result.level == QualityLevel.KHA
    assert result.capped
    assert codes(result.cap_reasons) == ["attendance_below_full"]
    assert "90%" in result.cap_reasons[0].message_vi
    assert "95%" in result.cap_reasons[0].message_vi
    assert result.flags == ()  # 90% is low for Tốt but not implausible


def test_low_attendance_with_tot_points_is_flagged(policy: Policy) -> None:
    result = score_rating(policy, FULL, facts(present=17))  # exactly 85%
    assert result.total == 96
    assert result.level == QualityLevel.KHA
    assert codes(result.flags) == ["tot_low_attendance"]
    assert result.flags[0].message_vi == (
        "Điểm tự chấm đạt mức Tốt nhưng tỷ lệ đảng viên dự chỉ 85% (17/20)."
    )


def test_attendance_just_above_flag_threshold_is_not_flagged(policy: Policy) -> None:
    result = score_rating(policy, FULL, facts(present=52, members=61))  # 85.2%
    assert result.flags == ()
    assert result.level == QualityLevel.KHA


def test_short_meeting_caps_and_flags(policy: Policy) -> None:
    result = score_rating(policy, FULL, facts(minutes=60))
    assert result.level == QualityLevel.KHA
    assert codes(result.cap_reasons) == ["duration_too_short"]
    assert codes(result.flags) == ["tot_short_meeting"]
    assert "60 phút" in result.flags[0].message_vi


def test_ninety_minutes_is_enough(policy: Policy) -> None:
    assert score_rating(policy, FULL, facts(minutes=90)).level == QualityLevel.TOT
    assert score_rating(policy, FULL, facts(minutes=89)).level == QualityLevel.KHA


def test_no_minutes_caps_tot(policy: Policy) -> None:
    result = score_rating(policy, answers(bien_ban_nghi_quyet=0), facts(minutes_taken=False))
    assert result.total == 90
    assert result.score_level == QualityLevel.TOT
    assert result.level == QualityLevel.KHA
    assert codes(result.cap_reasons) == ["no_minutes"]
    assert result.flags == ()


def test_points_for_minutes_without_minutes_is_flagged_at_any_level(policy: Policy) -> None:
    result = score_rating(
        policy, answers(phat_bieu_thao_luan=0, sat_thuc_te=0), facts(minutes_taken=False)
    )
    assert result.level == QualityLevel.KHA  # 75 points: not Tốt anyway
    assert result.cap_reasons == ()
    assert codes(result.flags) == ["minutes_scored_without_minutes"]


def test_every_failed_condition_is_listed(policy: Policy) -> None:
    result = score_rating(policy, FULL, facts(present=17, minutes=45, minutes_taken=False))
    assert codes(result.cap_reasons) == [
        "attendance_below_full",
        "duration_too_short",
        "no_minutes",
    ]
    assert codes(result.flags) == [
        "tot_low_attendance",
        "tot_short_meeting",
        "minutes_scored_without_minutes",
    ]


def test_members_not_speaking_caps_tot(raw_policy: dict[str, Any]) -> None:
    # With the default levels, 0 for speaking can never reach 90; lower the bar to test the rule.
    raw_policy["rubric"]["levels"]["tot"] = 80
    policy = Policy.from_dict(raw_policy)
    result = score_rating(policy, answers(phat_bieu_thao_luan=0), facts())
    assert result.total == 85
    assert result.level == QualityLevel.KHA
    assert codes(result.cap_reasons) == ["zero_phat_bieu_thao_luan"]
    assert "Đảng viên phát biểu, thảo luận" in result.cap_reasons[0].message_vi


def test_cap_level_is_configurable(raw_policy: dict[str, Any]) -> None:
    raw_policy["rubric"]["top_level"]["cap_to"] = "trung_binh"
    policy = Policy.from_dict(raw_policy)
    assert score_rating(policy, FULL, facts(minutes=30)).level == QualityLevel.TRUNG_BINH


def test_conditions_can_be_switched_off(raw_policy: dict[str, Any]) -> None:
    top = raw_policy["rubric"]["top_level"]
    top.update(full_attendance_points=False, minutes_taken=False, min_duration_minutes=0)
    policy = Policy.from_dict(raw_policy)
    result = score_rating(policy, FULL, facts(present=18, minutes=30, minutes_taken=False))
    assert result.total == 98
    assert result.level == QualityLevel.TOT
    assert codes(result.flags) == ["tot_short_meeting", "minutes_scored_without_minutes"]


@pytest.mark.parametrize(
    ("ket_luan", "sat_thuc_te", "phe_binh", "total", "level"),
    [
        (9, 10, 10, 99, QualityLevel.TOT),
        (0, 10, 1, 81, QualityLevel.KHA),
        (0, 0, 0, 70, QualityLevel.KHA),
        (0, 0, 0, 69, QualityLevel.TRUNG_BINH),
    ],
)
def test_levels_by_total(
    policy: Policy, ket_luan: int, sat_thuc_te: int, phe_binh: int, total: int, level: QualityLevel
) -> None:
    scored = answers(ket_luan=ket_luan, sat_thuc_te=sat_thuc_te, phe_binh_tu_phe_binh=phe_binh)
    # Adjust the preparation score so the total hits the wanted value exactly.
    base = sum(scored.values()) + 20 - scored["noi_dung_tai_lieu"]
    scored["noi_dung_tai_lieu"] = total - base
    result = score_rating(policy, scored, facts())
    assert (result.total, result.level) == (total, level)
    assert not result.capped


def test_low_scores(policy: Policy) -> None:
    zero = dict.fromkeys(FULL, 0)
    result = score_rating(policy, zero, facts(present=10))  # 50% → 5 points
    assert (result.total, result.level) == (5, QualityLevel.KEM)
    assert result.level.label_vi == "Kém"
    almost = {**zero, "phat_bieu_thao_luan": 15, "noi_dung_tai_lieu": 10, "ket_luan": 10}
    result = score_rating(policy, almost, facts(present=14))  # 70% → 10 points
    assert (result.total, result.level) == (45, QualityLevel.KEM)
    result = score_rating(policy, {**almost, "thong_bao_trieu_tap": 5}, facts(present=14))
    assert (result.total, result.level) == (50, QualityLevel.TRUNG_BINH)


def test_out_of_range_answer_is_a_vietnamese_value_error(policy: Policy) -> None:
    with pytest.raises(RatingInputError) as info:
        score_rating(policy, answers(sat_thuc_te=11), facts())
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, UserInputError)
    assert str(info.value) == (
        "Điểm tiêu chí “Đánh giá tình hình, đề ra nhiệm vụ sát thực tế” phải từ 0 đến 10, "
        "đã nhập 11. Vui lòng chấm lại."
    )


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (answers(thong_bao_trieu_tap=-1), "phải từ 0 đến 5"),
        (
            {k: v for k, v in FULL.items() if k != "ket_luan"},
            "Chưa chấm tiêu chí “Kết luận rõ ràng”",
        ),
        (answers(bogus=3), "bogus"),
        (answers(ty_le_du=20), "tính tự động"),
        ({**FULL, "ket_luan": True}, "số nguyên"),
        ({**FULL, "ket_luan": 7.5}, "số nguyên"),
    ],
)
def test_bad_answers(policy: Policy, bad: dict[str, Any], fragment: str) -> None:
    with pytest.raises(RatingInputError, match=fragment):
        score_rating(policy, bad, facts())


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"present": 21, "total_members": 20}, "phải từ 0 đến tổng số"),
        ({"present": -1, "total_members": 20}, "phải từ 0 đến tổng số"),
        ({"present": 0, "total_members": 0}, "lớn hơn 0"),
        ({"present": 5, "total_members": 5, "duration_minutes": -5}, "Thời lượng"),
    ],
)
def test_bad_facts(kwargs: dict[str, int], fragment: str) -> None:
    values: dict[str, Any] = {"duration_minutes": 120, "minutes_taken": True, **kwargs}
    with pytest.raises(RatingInputError, match=fragment):
        MeetingFacts(**values)


def test_attendance_rate_is_exact() -> None:
    assert facts(present=19).attendance_rate == Fraction(19, 20)
    assert facts(present=2, members=3).attendance_rate * 3 == 2
