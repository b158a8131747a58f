"""The grading rules: the best grade whose every criterion is met; each shortfall named."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from domain import grading as rules
from domain.errors import PolicyError
from domain.grading import Grade, UnitYear
from domain.obligations import Status
from domain.org import UnitKind
from domain.policy import Policy


def cell(**statuses: dict[str, int]) -> UnitYear:
    return UnitYear("X", UnitKind.BASE_CELL, statuses, {"tot": 10}, None, 0)


PERFECT = {
    "meeting": {"on_time": 10, "pending": 2},
    "thematic": {"on_time": 3, "pending": 1},
    "registration": {"on_time": 11},
    "report": {"on_time": 16, "pending": 2},
}


def test_the_status_names_are_the_ledgers() -> None:
    assert Status.PENDING.value == rules.PENDING
    assert {Status.ON_TIME, Status.LATE, Status.EXCUSED} == rules.DONE_STATUSES


def test_everything_done_is_excellent_and_pending_work_may_still_change_it(
    policy: Policy,
) -> None:
    graded = rules.grade_unit(cell(**PERFECT), policy.grading)
    assert graded.grade == Grade.XUAT_SAC and graded.blocking == []
    # Two monthly meetings still to come: leaving them undone would break "all months".
    assert {m.criterion.code for m in graded.at_risk} >= {"meetings_held", "thematic_quarterly"}


def test_each_unmet_criterion_is_named_with_whether_it_can_still_be_met(policy: Policy) -> None:
    short = {**PERFECT, "thematic": {"on_time": 2, "missing": 1, "pending": 1}}
    graded = rules.grade_unit(cell(**short), policy.grading)
    assert graded.grade == Grade.HOAN_THANH
    [blocking] = graded.blocking
    assert (blocking.measurement.criterion.code, blocking.grade) == ("thematic_quarterly", "tot")
    assert blocking.measurement.value == Fraction(2, 3) and blocking.reachable  # 3/4 if held
    worse = {**PERFECT, "thematic": {"missing": 3, "pending": 1}}
    graded = rules.grade_unit(cell(**worse), policy.grading)
    assert graded.grade == Grade.KHONG_HOAN_THANH
    assert graded.blocking[0].measurement.best == Fraction(1, 4)
    assert not graded.blocking[0].reachable  # under hoàn thành's half even if Q4 is held


def test_any_obligation_kind_counts_once_the_ledger_holds_it(policy: Policy) -> None:
    without = rules.grade_unit(cell(**PERFECT), policy.grading)
    directive = next(m for m in without.measurements if m.criterion.code == "directives_done")
    assert not directive.applies  # no directive rows: the criterion does not apply
    late = {**PERFECT, "directive": {"on_time": 1, "late": 1}}
    graded = rules.grade_unit(cell(**late), policy.grading)
    assert graded.grade == Grade.HOAN_THANH
    assert [s.measurement.criterion.label_vi for s in graded.blocking] == [
        "Hoàn thành văn bản chỉ đạo đúng thời hạn"
    ]
    attended = {**PERFECT, "cluster_meeting": {"on_time": 3, "excused": 1}}
    assert rules.grade_unit(cell(**attended), policy.grading).grade == Grade.TOT


def test_the_members_view_and_self_ratings_count(policy: Policy) -> None:
    low = UnitYear("X", UnitKind.SUB_CELL, PERFECT, {"tot": 10}, Fraction(29, 10), 2)
    graded = rules.grade_unit(low, policy.grading)
    assert graded.grade == Grade.KHONG_HOAN_THANH
    assert [s.measurement.criterion.code for s in graded.blocking] == ["members_view"]
    modest = UnitYear("X", UnitKind.SUB_CELL, PERFECT, {"kha": 10}, None, 0)
    assert rules.grade_unit(modest, policy.grading).grade == Grade.HOAN_THANH


def test_shares_against_the_targets(policy: Policy) -> None:
    nothing_done = {kind: {"missing": sum(n.values())} for kind, n in PERFECT.items()}
    units = [
        cell(**PERFECT),
        cell(**PERFECT),
        cell(**PERFECT, cluster_meeting={"on_time": 3, "excused": 1}),
        cell(**nothing_done),
    ]
    grades = [rules.grade_unit(u, policy.grading) for u in units]
    assert [g.grade for g in grades] == ["xuat_sac", "xuat_sac", "tot", "khong_hoan_thanh"]
    shares = rules.shares(grades, policy.grading)
    assert shares.graded == 4 and shares.excellent == 2 and shares.good_or_better == 3
    assert shares.good_or_better_met is False  # 75% < 80%
    assert shares.excellent_within_cap is False  # 50% > 20%


def test_the_shipped_thresholds_are_labelled_placeholders(policy: Policy) -> None:
    from importlib import resources

    text = resources.files("domain").joinpath("policy_default.yaml").read_text("utf-8")
    grading = text[text.index("\ngrading:") :]
    assert "PLACEHOLDER" in grading and policy.grading.placeholder
    assert "PLACEHOLDER" in text[text.index("self_rating_gap") - 400 :]
    assert "PLACEHOLDER" in text[text.index("\nadmissions:") :]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c[0].update(minimum={"xuat_sac": 0.5, "tot": 0.9}), "không được thấp hơn"),
        (lambda c: c[0]["ledger"].update(counts=["done"]), "counts"),
        (lambda c: c[0].update(quality={"levels": ["tot"]}), "đúng một cách đo"),
        (lambda c: c[-1].update(minimum={"tot": 6}), "thang 1–5"),
        (lambda c: c.append(dict(c[0])), "trùng"),
        (lambda c: c[0].update(minimum={}), "ít nhất một mức"),
    ],
)
def test_a_bad_grading_section_stops_the_policy(
    raw_policy: dict[str, Any], change: Any, message: str
) -> None:
    change(raw_policy["grading"]["criteria"])
    with pytest.raises(PolicyError, match=message):
        Policy.from_dict(raw_policy)
