"""The member survey's pure rules: windows, links, the respondent key, results, the gap."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from domain import survey as rules
from domain.errors import PolicyError
from domain.invite_codes import looks_like_code
from domain.periods import Quarter
from domain.policy import Policy


def test_the_window_runs_from_the_tenth_of_the_last_month_to_the_tenth_after(
    policy: Policy,
) -> None:
    s = policy.survey
    assert s.window(Quarter(2026, 4)) == (date(2026, 12, 10), date(2027, 1, 10))
    assert s.open_quarter(date(2027, 1, 10)) == Quarter(2026, 4)
    assert s.open_quarter(date(2027, 1, 11)) is None
    assert s.open_quarter(date(2026, 12, 9)) is None
    assert s.latest_quarter(date(2026, 12, 9)) == Quarter(2026, 3)
    assert s.latest_quarter(date(2026, 12, 10)) == Quarter(2026, 4)


def test_a_survey_link_is_never_an_invite_code() -> None:
    token = rules.new_token()
    argument = rules.link_argument(token)
    assert argument.startswith("ks-") and len(token) == rules.TOKEN_LENGTH
    assert rules.token_in(argument) == token
    assert not looks_like_code(argument)  # 22 symbols, never the 16 of an invite
    assert rules.token_in(f"🔖 {argument.lower()}") == token
    assert rules.token_in("ks-SHORT") is None and rules.token_in("ABCD1234") is None


def test_the_respondent_key_needs_the_secret_and_differs_per_survey() -> None:
    a = rules.respondent_key(b"k" * 32, 1, 123456789)
    assert a == rules.respondent_key(b"k" * 32, 1, 123456789)
    assert a != rules.respondent_key(b"k" * 32, 2, 123456789)
    assert a != rules.respondent_key(b"j" * 32, 1, 123456789)
    assert "123456789" not in a and len(a) == 64


def test_answers_in_a_button_are_checked() -> None:
    assert rules.parse_answers("453", 5) == (4, 5, 3)
    assert rules.parse_answers("", 5) == ()
    assert rules.parse_answers("453216", 5) is None
    assert rules.parse_answers("406", 5) is None
    assert rules.parse_answers("4a", 5) is None


def test_comments_are_kept_printable_and_short() -> None:
    assert rules.clean_comment("  Tốt\x00 lắm \n") == "Tốt  lắm"
    assert rules.clean_comment("   ") is None
    assert len(rules.clean_comment("x" * 5000) or "") == rules.MAX_COMMENT


def test_results_exist_only_from_min_responses_and_hide_the_order() -> None:
    answers = [(5, 4), (3, 4), (4, 1), (4, 3)]
    assert rules.result_of(answers, ["b", None, "A", "c"], 5) is None
    result = rules.result_of([*answers, (4, 3)], ["b", None, "A", "c"], 5)
    assert result is not None
    assert result.averages == (Fraction(4), Fraction(3))
    assert result.overall == Fraction(7, 2) and rules.format_score(result.overall) == "3,5"
    assert result.comments == ("A", "b", "c")
    assert rules.result_of([], [], 0) is None  # never a result of nothing


def test_self_rating_above_the_members_view() -> None:
    gap = rules.SelfRatingGap(Fraction(1, 2), Fraction(7, 2))
    assert rules.self_rating_above_members(["tot", "tot", "kha"], Fraction(3), gap)
    assert not rules.self_rating_above_members(["tot", "kha"], Fraction(3), gap)  # half only
    assert not rules.self_rating_above_members(["tot", "tot"], Fraction(7, 2), gap)
    assert not rules.self_rating_above_members([], Fraction(1), gap)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.update(min_responses=0), "min_responses"),
        (lambda s: s.update(closes={"month": 3, "day": 1}), "ngày đóng phải sau ngày mở"),
        (lambda s: s.update(scale=["a", "b"]), "scale"),
        (lambda s: s["questions"].append(dict(s["questions"][0])), "trùng"),
        (lambda s: s["questions"][0].update(code="Bad Code"), "mã câu hỏi"),
        (lambda s: s["self_rating_gap"].update(members_below=7), "members_below"),
        (lambda s: s.update(extra=1), "khóa không hợp lệ"),
    ],
)
def test_a_bad_survey_section_stops_the_policy(
    raw_policy: dict[str, Any], change: Any, message: str
) -> None:
    change(raw_policy["survey"])
    with pytest.raises(PolicyError, match=message):
        Policy.from_dict(raw_policy)


def test_an_older_policy_file_without_the_new_sections_takes_the_defaults(
    raw_policy: dict[str, Any], policy: Policy
) -> None:
    for key in ("survey", "grading", "admissions"):
        del raw_policy[key]
    older = Policy.from_dict(raw_policy)
    assert older.survey == policy.survey
    assert older.grading == policy.grading
    assert older.admissions == policy.admissions
