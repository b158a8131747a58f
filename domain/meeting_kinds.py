"""The kinds of Party meeting a unit registers and records."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from domain.org import UnitKind


class MeetingKind(enum.StrEnum):
    REGULAR = "regular"  # sinh hoạt chi bộ thường kỳ: every month
    COMMITTEE = "committee"  # sinh hoạt cấp ủy / chi ủy: every month, units with a committee
    THEMATIC = "thematic"  # sinh hoạt chuyên đề: at least once a quarter


def meeting_kinds_for(kind: UnitKind) -> tuple[MeetingKind, ...]:
    """Which meetings a unit holds: cells meet; a base committee's committee meets."""
    if kind in (UnitKind.BASE_CELL, UnitKind.SUB_CELL):
        return (MeetingKind.REGULAR, MeetingKind.THEMATIC)
    if kind == UnitKind.BASE_COMMITTEE:
        return (MeetingKind.COMMITTEE,)
    return ()


# The meeting each unit must hold every month: cells their regular meeting, a base
# committee its committee meeting (its sub-cells hold the regular ones).
MONTHLY_KIND: Mapping[UnitKind, MeetingKind] = {
    UnitKind.BASE_CELL: MeetingKind.REGULAR,
    UnitKind.SUB_CELL: MeetingKind.REGULAR,
    UnitKind.BASE_COMMITTEE: MeetingKind.COMMITTEE,
}
