from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.periods import HalfYear, Month, PeriodKind, Quarter, Year
from domain.policy import Policy, ReportType
from domain.reports import (
    deadlines_between,
    due_date,
    latest_due,
    next_due,
    period_containing,
    reports_due,
)


def test_default_due_dates(policy: Policy) -> None:
    monthly = policy.report_type("monthly")
    quarterly = policy.report_type("quarterly")
    six_month = policy.report_type("six_month")
    annual = policy.report_type("annual")
    assert due_date(monthly, Month(2026, 11)) == date(2026, 11, 20)
    assert due_date(monthly, Month(2027, 2)) == date(2027, 2, 20)
    assert due_date(quarterly, Quarter(2026, 4)) == date(2026, 12, 15)
    assert due_date(quarterly, Quarter(2028, 1)) == date(2028, 3, 15)
    assert due_date(six_month, HalfYear(2026, 1)) == date(2026, 6, 15)
    assert due_date(annual, Year(2026)) == date(2026, 11, 15)


def test_due_date_rejects_a_period_the_report_does_not_cover(policy: Policy) -> None:
    with pytest.raises(ValueError):
        due_date(policy.report_type("monthly"), Quarter(2026, 4))
    with pytest.raises(ValueError):  # the six-month report covers the first half only
        due_date(policy.report_type("six_month"), HalfYear(2026, 2))


def test_due_day_is_clamped_to_month_end() -> None:
    end_of_month = ReportType("m", "Tháng", PeriodKind.MONTH, due_month_offset=0, due_day=31)
    assert due_date(end_of_month, Month(2026, 4)) == date(2026, 4, 30)
    assert due_date(end_of_month, Month(2027, 2)) == date(2027, 2, 28)
    assert due_date(end_of_month, Month(2028, 2)) == date(2028, 2, 29)
    assert due_date(end_of_month, Month(2026, 12)) == date(2026, 12, 31)


def test_due_in_the_next_month_crosses_the_year() -> None:
    next_month = ReportType("m", "Tháng", PeriodKind.MONTH, due_month_offset=1, due_day=5)
    assert due_date(next_month, Month(2026, 12)) == date(2027, 1, 5)
    # On 03/01/2027 the December report is not due yet; November's was the last deadline.
    assert latest_due(next_month, date(2027, 1, 3)).period == Month(2026, 11)
    assert next_due(next_month, date(2027, 1, 3)).period == Month(2026, 12)
    assert latest_due(next_month, date(2027, 1, 5)).period == Month(2026, 12)


def test_period_containing(policy: Policy) -> None:
    day = date(2026, 11, 26)
    assert period_containing(policy.report_type("monthly"), day) == Month(2026, 11)
    assert period_containing(policy.report_type("quarterly"), day) == Quarter(2026, 4)
    assert period_containing(policy.report_type("annual"), day) == Year(2026)


def test_latest_and_next_due_around_the_due_day(policy: Policy) -> None:
    monthly = policy.report_type("monthly")
    assert latest_due(monthly, date(2026, 11, 19)).period == Month(2026, 10)
    assert next_due(monthly, date(2026, 11, 19)).due == date(2026, 11, 20)
    on_due_day = latest_due(monthly, date(2026, 11, 20))
    assert (on_due_day.period, on_due_day.due) == (Month(2026, 11), date(2026, 11, 20))
    assert next_due(monthly, date(2026, 11, 20)).period == Month(2026, 12)


def test_latest_and_next_due_across_quarters_and_years(policy: Policy) -> None:
    quarterly = policy.report_type("quarterly")
    assert latest_due(quarterly, date(2027, 1, 10)).period == Quarter(2026, 4)
    assert next_due(quarterly, date(2027, 1, 10)).due == date(2027, 3, 15)
    assert latest_due(quarterly, date(2026, 12, 14)).period == Quarter(2026, 3)
    six_month = policy.report_type("six_month")
    assert latest_due(six_month, date(2027, 1, 10)).period == HalfYear(2026, 1)
    assert next_due(six_month, date(2027, 1, 10)).period == HalfYear(2027, 1)
    assert next_due(six_month, date(2026, 6, 15)).due == date(2027, 6, 15)
    annual = policy.report_type("annual")
    assert latest_due(annual, date(2026, 11, 14)).period == Year(2025)
    assert latest_due(annual, date(2026, 11, 15)).period == Year(2026)


def test_reports_due_as_of_a_day(policy: Policy) -> None:
    items = reports_due(policy, date(2026, 11, 26))
    assert [(i.report_type.code, i.period.key, i.due) for i in items] == [
        ("six_month", "2026-H1", date(2026, 6, 15)),
        ("quarterly", "2026-Q3", date(2026, 9, 15)),
        ("annual", "2026", date(2026, 11, 15)),
        ("monthly", "2026-11", date(2026, 11, 20)),
        ("quarterly", "2026-Q4", date(2026, 12, 15)),
        ("monthly", "2026-12", date(2026, 12, 20)),
        ("six_month", "2027-H1", date(2027, 6, 15)),
        ("annual", "2027", date(2027, 11, 15)),
    ]


def test_deadlines_between(policy: Policy) -> None:
    items = deadlines_between(policy, date(2026, 12, 15), date(2027, 3, 15))
    assert [(i.report_type.code, i.period.key) for i in items] == [
        ("quarterly", "2026-Q4"),
        ("monthly", "2026-12"),
        ("monthly", "2027-01"),
        ("monthly", "2027-02"),
        ("quarterly", "2027-Q1"),
    ]
    assert deadlines_between(policy, date(2026, 12, 21), date(2027, 1, 19)) == []


def test_only_periods_is_honoured(raw_policy: dict[str, Any]) -> None:
    # A bloc that skips the December monthly report (the annual one covers it).
    raw_policy["report_types"]["monthly"]["only_periods"] = list(range(1, 12))
    monthly = Policy.from_dict(raw_policy).report_type("monthly")
    assert next_due(monthly, date(2026, 11, 20)).period == Month(2027, 1)
    assert latest_due(monthly, date(2027, 1, 19)).period == Month(2026, 11)
