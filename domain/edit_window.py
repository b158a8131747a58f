"""The edit window: until when a month's meetings may be registered, recorded and rated.

A month stays open `policy.edit_grace_days` after it ends, so a meeting held on the
31st can still be recorded in the first days of the next month. After that the month
is closed: only someone allowed to edit closed periods (the office admin) may change
it, and the bot offers them `ADMIN_MONTHS_BACK` months (older corrections go through
the CSV import).
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.errors import UserInputError
from domain.periods import Month
from domain.policy import Policy

# How far back an admin may correct records of closed months from the bot.
ADMIN_MONTHS_BACK = 3


class ClosedPeriodError(UserInputError):
    """A closed month was to be changed by someone who may not edit closed periods."""


def edit_window_closes(month: Month, grace_days: int) -> date:
    """Last day on which records for `month` may still be entered or edited."""
    if grace_days < 0:
        raise ValueError(f"grace_days must be >= 0: {grace_days}")
    return month.last_day + timedelta(days=grace_days)


def is_period_open(month: Month, today: date, grace_days: int) -> bool:
    """Whether records for `month` may be edited on `today` (inclusive of the closing day).

    Future months are open too: registering next month's schedule is an edit.
    """
    return today <= edit_window_closes(month, grace_days)


def check_editable(month: Month, today: date, policy: Policy, *, edits_closed: bool) -> None:
    """Raise ClosedPeriodError unless `month` is open on `today` or `edits_closed` is allowed."""
    if edits_closed or is_period_open(month, today, policy.edit_grace_days):
        return
    closed = edit_window_closes(month, policy.edit_grace_days)
    raise ClosedPeriodError(
        f"Tháng {month} đã khóa sổ từ ngày {closed:%d/%m/%Y}, nên không sửa được nữa. "
        "Nếu cần điều chỉnh, vui lòng liên hệ Văn phòng Đảng ủy Khối."
    )


def recordable_months(today: date, policy: Policy, *, edits_closed: bool) -> list[Month]:
    """Months whose meetings the bot offers to record or rate, oldest first.

    This month and, while it is still open, the one before; an admin gets the last
    `ADMIN_MONTHS_BACK` months, closed or not.
    """
    this = Month.of(today)
    if edits_closed:
        return [this.plus(-i) for i in range(ADMIN_MONTHS_BACK - 1, -1, -1)]
    if is_period_open(this.prev(), today, policy.edit_grace_days):
        return [this.prev(), this]
    return [this]


def registrable_months(today: date, *, this_month_unregistered: bool) -> list[Month]:
    """Months whose schedule the bot offers to register, oldest first.

    Next month always; this month too (open all through itself) while some of its
    meetings are still unregistered.
    """
    this = Month.of(today)
    return ([this] if this_month_unregistered else []) + [this.next()]
