"""Status of a duty that has a due date (a report, a schedule registration)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class DeadlineStatus(StrEnum):
    ON_TIME = "on_time"  # done on or before the due date
    LATE = "late"  # done after the due date
    MISSING = "missing"  # not done and the due date has passed
    PENDING = "pending"  # not done yet, but not due yet either

    @property
    def label_vi(self) -> str:
        return _LABELS[self]


_LABELS = {
    DeadlineStatus.ON_TIME: "Đúng hạn",
    DeadlineStatus.LATE: "Chậm",
    DeadlineStatus.MISSING: "Quá hạn, chưa thực hiện",
    DeadlineStatus.PENDING: "Chưa đến hạn",
}


def deadline_status(due: date, done_on: date | None, today: date) -> DeadlineStatus:
    """Classify a duty due on `due`, done on local date `done_on` (None if not done).

    The due date itself still counts as on time; MISSING starts the day after.
    """
    if done_on is not None:
        return DeadlineStatus.ON_TIME if done_on <= due else DeadlineStatus.LATE
    return DeadlineStatus.MISSING if today > due else DeadlineStatus.PENDING
