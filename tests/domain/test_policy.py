from __future__ import annotations

from datetime import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from domain.errors import PolicyError
from domain.periods import PeriodKind
from domain.policy import Policy, QuietHours, default_policy
from domain.quality import QualityLevel


def test_default_policy_loads(policy: Policy) -> None:
    assert policy.attendance_target == Fraction(95, 100)
    assert policy.edit_grace_days == 5
    assert policy.registration.due_day == 25
    assert policy.registration.due_month_offset == -1
    assert policy.source == "policy_default.yaml"
    assert Policy.load() == policy
    assert default_policy() is default_policy()


def test_default_rubric_is_the_100_point_scheme(policy: Policy) -> None:
    rubric = policy.rubric
    assert rubric.total_points == 100
    assert {g.code: g.max_points for g in rubric.groups} == {
        "preparation": 15,
        "attendance": 20,
        "conduct": 45,
        "closing": 20,
    }
    for group in rubric.groups:
        assert sum(c.max_points for c in group.criteria) == group.max_points
    assert rubric.criterion("phat_bieu_thao_luan").label_vi == "Đảng viên phát biểu, thảo luận"
    assert rubric.attendance_max_points == 20
    assert "ty_le_du" not in {c.code for c in rubric.answerable_criteria}
    assert len(rubric.answerable_criteria) == len(rubric.criteria) - 1
    with pytest.raises(KeyError):
        rubric.criterion("nope")


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (100, QualityLevel.TOT),
        (90, QualityLevel.TOT),
        (89, QualityLevel.KHA),
        (70, QualityLevel.KHA),
        (69, QualityLevel.TRUNG_BINH),
        (50, QualityLevel.TRUNG_BINH),
        (49, QualityLevel.KEM),
        (0, QualityLevel.KEM),
    ],
)
def test_level_thresholds(policy: Policy, total: int, level: QualityLevel) -> None:
    assert policy.rubric.level_for(total) == level


@pytest.mark.parametrize(
    ("present", "members", "points"),
    [
        (20, 20, 20),
        (19, 20, 20),  # exactly the 95% target: full marks
        (37, 39, 18),  # 94.9%: just under the target
        (18, 20, 18),
        (17, 20, 16),
        (16, 20, 14),
        (14, 20, 10),
        (10, 20, 5),
        (9, 20, 0),
        (0, 20, 0),
    ],
)
def test_attendance_points(policy: Policy, present: int, members: int, points: int) -> None:
    assert policy.rubric.attendance_points_for(Fraction(present, members)) == points


def test_report_types(policy: Policy) -> None:
    codes = [rt.code for rt in policy.report_types]
    assert codes == ["monthly", "quarterly", "six_month", "annual"]
    assert policy.report_type("quarterly").period == PeriodKind.QUARTER
    assert policy.report_type("six_month").only_periods == (1,)
    assert policy.report_type("annual").name_vi == "Báo cáo tổng kết năm"
    with pytest.raises(KeyError):
        policy.report_type("weekly")


def test_reminder_timings(policy: Policy) -> None:
    r = policy.reminders
    assert r.send_at == time(8, 0)
    assert r.quiet_hours == QuietHours(time(21, 0), time(7, 0))
    assert r.registration.days_before == (3, 1)
    assert r.registration.on_due_day
    assert r.meeting.day_before_at == time(16, 0)
    assert r.meeting.morning_of_at == time(7, 0)
    assert (r.record_nudge.first_after_days, r.record_nudge.every_days) == (1, 2)
    assert r.record_nudge.max_nudges == 3
    assert r.reports.days_before == (3,)
    assert r.escalation.after_days_overdue == 3
    assert r.weekly_digest.weekday == 0  # Monday
    assert r.weekly_digest.at == time(7, 30)


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        (time(21, 0), True),
        (time(23, 59), True),
        (time(0, 0), True),
        (time(6, 59), True),
        (time(7, 0), False),
        (time(20, 59), False),
        (time(12, 0), False),
    ],
)
def test_quiet_hours_wrap_midnight(clock: time, quiet: bool) -> None:
    assert QuietHours(time(21, 0), time(7, 0)).contains(clock) is quiet


def test_quiet_hours_within_a_day() -> None:
    q = QuietHours(time(12, 0), time(13, 30))
    assert q.contains(time(12, 0))
    assert q.contains(time(13, 29))
    assert not q.contains(time(13, 30))
    assert not q.contains(time(8, 0))


def test_plausibility_rules(policy: Policy) -> None:
    codes = [rule.code for rule in policy.plausibility]
    assert codes == ["tot_low_attendance", "tot_short_meeting", "minutes_scored_without_minutes"]
    low = policy.plausibility[0]
    assert low.level == QualityLevel.TOT
    assert low.attendance_at_most == Fraction(85, 100)


def test_load_from_path(tmp_path: Path, raw_policy: dict[str, Any]) -> None:
    raw_policy["edit_grace_days"] = 7
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw_policy, allow_unicode=True), encoding="utf-8")
    loaded = Policy.load(path)
    assert loaded.edit_grace_days == 7
    assert loaded.source == str(path)


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="Không đọc được"):
        Policy.load(tmp_path / "nope.yaml")


def test_load_bad_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("rubric: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match="cú pháp YAML"):
        Policy.load(path)


def test_plausibility_may_be_empty(raw_policy: dict[str, Any]) -> None:
    raw_policy["plausibility"] = []
    assert Policy.from_dict(raw_policy).plausibility == ()
    del raw_policy["plausibility"]
    assert Policy.from_dict(raw_policy).plausibility == ()


# --- validation errors: each names the field and the problem --------------------------


def _groups(raw: dict[str, Any]) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = raw["rubric"]["groups"]
    return groups


def _expect_error(raw: dict[str, Any], *fragments: str) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(raw, source="test.yaml")
    message = str(info.value)
    assert message.startswith("Tệp chính sách test.yaml")
    for fragment in fragments:
        assert fragment in message


def test_error_when_criteria_do_not_add_up_to_group(raw_policy: dict[str, Any]) -> None:
    _groups(raw_policy)[0]["criteria"][0]["max_points"] = 8
    _expect_error(raw_policy, "rubric.groups[0]", "(13) khác điểm của nhóm (15)")


def test_error_when_groups_do_not_add_up_to_100(raw_policy: dict[str, Any]) -> None:
    group = _groups(raw_policy)[3]
    group["max_points"] = 25
    group["criteria"][0]["max_points"] = 15
    _expect_error(raw_policy, "rubric.groups", "phải là 100", "105")


def test_error_on_duplicate_criterion_codes(raw_policy: dict[str, Any]) -> None:
    _groups(raw_policy)[3]["criteria"][1]["code"] = "ket_luan"
    _expect_error(raw_policy, "bị trùng", "ket_luan")


def test_error_on_unknown_attendance_criterion(raw_policy: dict[str, Any]) -> None:
    raw_policy["rubric"]["attendance_criterion"] = "dự_họp"
    _expect_error(raw_policy, "rubric.attendance_criterion")


def test_error_when_attendance_rates_not_descending(raw_policy: dict[str, Any]) -> None:
    bands = raw_policy["rubric"]["attendance_points"]
    bands[1], bands[2] = bands[2], bands[1]
    _expect_error(raw_policy, "rubric.attendance_points", "giảm dần")


def test_error_when_attendance_points_rise_as_rate_falls(raw_policy: dict[str, Any]) -> None:
    raw_policy["rubric"]["attendance_points"][2]["points"] = 19
    _expect_error(raw_policy, "rubric.attendance_points", "điểm phải giảm dần")


def test_error_when_full_marks_below_target(raw_policy: dict[str, Any]) -> None:
    raw_policy["rubric"]["attendance_points"][1]["points"] = 20
    _expect_error(raw_policy, "chỉ tiêu", "95%", "90%")


def test_error_when_last_band_does_not_start_at_zero(raw_policy: dict[str, Any]) -> None:
    raw_policy["rubric"]["attendance_points"].pop()
    _expect_error(raw_policy, "min_rate: 0")


def test_error_when_rate_out_of_range(raw_policy: dict[str, Any]) -> None:
    raw_policy["attendance_target"] = 95
    _expect_error(raw_policy, "attendance_target", "0…1")


def test_error_when_levels_not_descending(raw_policy: dict[str, Any]) -> None:
    raw_policy["rubric"]["levels"]["kha"] = 95
    _expect_error(raw_policy, "rubric.levels", "giảm dần")


def test_error_when_cap_is_tot(raw_policy: dict[str, Any]) -> None:
    raw_policy["rubric"]["top_level"]["cap_to"] = "tot"
    _expect_error(raw_policy, "top_level.cap_to")


def test_error_on_unknown_level_name(raw_policy: dict[str, Any]) -> None:
    raw_policy["rubric"]["top_level"]["cap_to"] = "Khá"
    _expect_error(raw_policy, "top_level.cap_to", "tot, kha, trung_binh, kem")


def test_error_on_unknown_key(raw_policy: dict[str, Any]) -> None:
    raw_policy["reminders"]["meeting"]["day_befor_at"] = "16:00"
    _expect_error(raw_policy, "reminders.meeting", "khóa không hợp lệ: day_befor_at")


def test_error_on_missing_key(raw_policy: dict[str, Any]) -> None:
    del raw_policy["edit_grace_days"]
    _expect_error(raw_policy, "edit_grace_days", "thiếu")


def test_error_on_wrong_type(raw_policy: dict[str, Any]) -> None:
    raw_policy["registration"]["due_day"] = "25"
    _expect_error(raw_policy, "registration.due_day", "số nguyên")


def test_error_on_unquoted_time(raw_policy: dict[str, Any]) -> None:
    # YAML 1.1 reads 16:00 without quotes as the base-60 number 960.
    raw = yaml.safe_load("t: 16:00")
    assert raw == {"t": 960}
    raw_policy["reminders"]["meeting"]["day_before_at"] = raw["t"]
    _expect_error(raw_policy, "reminders.meeting.day_before_at", "dấu nháy")


def test_error_on_bad_time(raw_policy: dict[str, Any]) -> None:
    raw_policy["reminders"]["send_at"] = "25:00"
    _expect_error(raw_policy, "reminders.send_at")


def test_error_when_reminder_falls_in_quiet_hours(raw_policy: dict[str, Any]) -> None:
    raw_policy["reminders"]["meeting"]["morning_of_at"] = "06:30"
    _expect_error(raw_policy, "reminders.meeting.morning_of_at", "giờ yên lặng")


def test_error_on_duplicate_reminder_days(raw_policy: dict[str, Any]) -> None:
    raw_policy["reminders"]["reports"]["days_before"] = [3, 3]
    _expect_error(raw_policy, "reminders.reports.days_before")


def test_error_on_unknown_weekday(raw_policy: dict[str, Any]) -> None:
    raw_policy["reminders"]["weekly_digest"]["weekday"] = "thứ 2"
    _expect_error(raw_policy, "weekly_digest.weekday", "monday")


def test_error_on_unknown_period_kind(raw_policy: dict[str, Any]) -> None:
    raw_policy["report_types"]["monthly"]["period"] = "week"
    _expect_error(raw_policy, "report_types.monthly.period", "half_year")


def test_error_on_only_periods_out_of_range(raw_policy: dict[str, Any]) -> None:
    raw_policy["report_types"]["six_month"]["only_periods"] = [3]
    _expect_error(raw_policy, "report_types.six_month.only_periods", "từ 1 đến 2")


def test_error_when_due_day_out_of_range(raw_policy: dict[str, Any]) -> None:
    raw_policy["report_types"]["annual"]["due_day"] = 32
    _expect_error(raw_policy, "report_types.annual.due_day", "1…31")


def test_error_on_plausibility_rule_with_two_conditions(raw_policy: dict[str, Any]) -> None:
    raw_policy["plausibility"][0]["duration_below_minutes"] = 60
    _expect_error(raw_policy, "plausibility[0]", "đúng một điều kiện")


def test_error_on_plausibility_message_placeholder(raw_policy: dict[str, Any]) -> None:
    raw_policy["plausibility"][1]["message_vi"] = "Chỉ {minutes} phút."
    _expect_error(raw_policy, "plausibility[1].message_vi", "minutes")


def test_error_on_plausibility_unknown_criterion(raw_policy: dict[str, Any]) -> None:
    raw_policy["plausibility"][2]["scored_without_minutes"] = "bien_ban"
    _expect_error(raw_policy, "plausibility[2].scored_without_minutes")


def test_error_on_duplicate_plausibility_codes(raw_policy: dict[str, Any]) -> None:
    raw_policy["plausibility"][1]["code"] = "tot_low_attendance"
    _expect_error(raw_policy, "mã cảnh báo bị trùng")


def test_error_on_required_nonzero_attendance(raw_policy: dict[str, Any]) -> None:
    raw_policy["rubric"]["top_level"]["required_nonzero"] = ["ty_le_du"]
    _expect_error(raw_policy, "top_level.required_nonzero")


def test_error_on_wrong_version(raw_policy: dict[str, Any]) -> None:
    raw_policy["version"] = 2
    _expect_error(raw_policy, "version")


def test_error_when_root_is_not_a_mapping() -> None:
    with pytest.raises(PolicyError, match="gốc"):
        Policy.from_dict(["not", "a", "mapping"])
