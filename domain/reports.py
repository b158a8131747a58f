"""Periodic reports (chế độ báo cáo định kỳ): due dates and submission status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.periods import Period, period_of
from domain.policy import Policy, ReportType
from domain.text_vi import fold


@dataclass(frozen=True)
class ReportDue:
    """One report of one period and the day it is due."""

    report_type: ReportType
    period: Period
    due: date


def report_title(name: str, period_label: object) -> str:
    """A report and its period, with the period's words said once.

    "Báo cáo quý" + "Quý III/2026" → "Báo cáo quý III/2026";
    "Báo cáo sơ kết 6 tháng" + "6 tháng đầu năm 2026" → "Báo cáo sơ kết 6 tháng đầu năm 2026";
    "Báo cáo tháng" + "11/2026" → "Báo cáo tháng 11/2026".
    """
    name_words, period_words = str(name).split(), str(period_label).split()
    for k in range(min(len(name_words), len(period_words)), 0, -1):
        if fold(" ".join(name_words[-k:])) == fold(" ".join(period_words[:k])):
            return " ".join(name_words + period_words[k:])
    return " ".join(name_words + period_words)


def due_date(report_type: ReportType, period: Period) -> date:
    """Day `due_day` of the month `due_month_offset` months after the period's first month.

    A due day past the end of that month means its last day (31 → 30/04).
    """
    if not report_type.applies_to(period):
        raise ValueError(f"{report_type.code} is not due for {period!r}")
    return period.first_month.plus(report_type.due_month_offset).day(report_type.due_day)


def period_containing(report_type: ReportType, day: date) -> Period:
    """The period of this report type that `day` falls in (e.g. the quarter of 05/11 → Q4)."""
    return period_of(report_type.period, day)


def latest_due(report_type: ReportType, today: date) -> ReportDue:
    """The report whose due date is the most recent one on or before `today`."""
    period = period_containing(report_type, today)
    # Due dates grow with the period (offsets are >= 0), so walk back until one has come.
    while not report_type.applies_to(period) or due_date(report_type, period) > today:
        period = period.prev()
    return ReportDue(report_type, period, due_date(report_type, period))


def next_due(report_type: ReportType, today: date) -> ReportDue:
    """The report whose due date is the first one after `today`."""
    period = latest_due(report_type, today).period.next()
    while not report_type.applies_to(period):
        period = period.next()
    return ReportDue(report_type, period, due_date(report_type, period))


def reports_due(policy: Policy, today: date) -> list[ReportDue]:
    """What is due as of `today`, sorted by due date.

    For each report type: the latest deadline that has come (sent or not: the ledger
    says) and the next one ahead.
    """
    items = []
    for report_type in policy.report_types:
        items.append(latest_due(report_type, today))
        items.append(next_due(report_type, today))
    return sorted(items, key=lambda item: (item.due, item.report_type.code))


def deadlines_between(policy: Policy, start: date, end: date) -> list[ReportDue]:
    """Every report deadline falling in [start, end], sorted; for planning reminders."""
    items = []
    for report_type in policy.report_types:
        item = next_due(report_type, start - timedelta(days=1))  # first deadline on or after start
        while item.due <= end:
            items.append(item)
            item = next_due(report_type, item.due)
    return sorted(items, key=lambda item: (item.due, item.report_type.code))
