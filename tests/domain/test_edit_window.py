"""The edit window: when a month closes, who may still change it, what the bot offers."""

from __future__ import annotations

from datetime import date

import pytest

from domain.edit_window import (
    ClosedPeriodError,
    check_editable,
    edit_window_closes,
    is_period_open,
    recordable_months,
    registrable_months,
)
from domain.periods import Month
from domain.policy import default_policy

POLICY = default_policy()  # edit_grace_days: 5


def test_edit_window_across_month_ends() -> None:
    assert edit_window_closes(Month(2026, 11), 5) == date(2026, 12, 5)
    assert edit_window_closes(Month(2026, 12), 5) == date(2027, 1, 5)
    assert edit_window_closes(Month(2027, 2), 5) == date(2027, 3, 5)
    assert edit_window_closes(Month(2028, 2), 1) == date(2028, 3, 1)
    assert edit_window_closes(Month(2028, 1), 0) == date(2028, 1, 31)
    with pytest.raises(ValueError):
        edit_window_closes(Month(2028, 1), -1)


def test_period_open_until_closing_day_inclusive() -> None:
    dec = Month(2026, 12)
    assert is_period_open(dec, date(2026, 12, 15), 5)
    assert is_period_open(dec, date(2027, 1, 5), 5)
    assert not is_period_open(dec, date(2027, 1, 6), 5)
    # Next month's schedule may be entered ahead of time.
    assert is_period_open(Month(2027, 1), date(2026, 12, 20), 5)


def test_closed_month_refused_with_its_closing_day() -> None:
    with pytest.raises(ClosedPeriodError, match="Tháng 11/2026 đã khóa sổ từ ngày 05/12/2026"):
        check_editable(Month(2026, 11), date(2026, 12, 6), POLICY, edits_closed=False)


def test_open_month_and_admin_pass() -> None:
    check_editable(Month(2026, 11), date(2026, 12, 5), POLICY, edits_closed=False)
    check_editable(Month(2026, 12), date(2026, 11, 20), POLICY, edits_closed=False)
    check_editable(Month(2025, 1), date(2026, 12, 6), POLICY, edits_closed=True)


def test_recordable_months_keep_last_month_while_open() -> None:
    assert recordable_months(date(2026, 12, 5), POLICY, edits_closed=False) == [
        Month(2026, 11),
        Month(2026, 12),
    ]
    assert recordable_months(date(2026, 12, 6), POLICY, edits_closed=False) == [Month(2026, 12)]


def test_admin_records_three_months_back_oldest_first() -> None:
    assert recordable_months(date(2026, 12, 20), POLICY, edits_closed=True) == [
        Month(2026, 10),
        Month(2026, 11),
        Month(2026, 12),
    ]


def test_registrable_months() -> None:
    today = date(2026, 12, 10)
    assert registrable_months(today, this_month_unregistered=True) == [
        Month(2026, 12),
        Month(2027, 1),
    ]
    assert registrable_months(today, this_month_unregistered=False) == [Month(2027, 1)]
