"""The digest's results: totals, snapshots, the week before, the trend, the digest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain.digest.facts import QUALITY_ORDER, SCHEMA, UnitInfo, UnitRef, rounded
from domain.digest.lists import Lists
from domain.windows import Window

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class Totals:
    registration_expected: int = 0
    registration_on_time: int = 0
    registration_late: int = 0
    registration_missing: int = 0
    registration_pending: int = 0
    meetings_expected: int = 0
    meetings_held: int = 0
    meetings_excused: int = 0
    meetings_unexcused: int = 0
    meetings_pending: int = 0
    rated: int = 0
    quality: Mapping[str, int] = field(default_factory=dict)
    attendance_meetings: int = 0
    attendance_average: Fraction | None = None
    attendance_below_target: int = 0
    thematic_expected: int = 0
    thematic_held: int = 0
    reports_expected: int = 0
    reports_on_time: int = 0
    reports_late: int = 0
    reports_missing: int = 0
    unreachable: int = 0

    @property
    def registered(self) -> int:
        return self.registration_on_time + self.registration_late

    def as_dict(self, target: Fraction) -> dict[str, Any]:
        return {
            "registration": {
                "expected": self.registration_expected,
                "registered": self.registered,
                "on_time": self.registration_on_time,
                "late": self.registration_late,
                "missing": self.registration_missing,
                "pending": self.registration_pending,
            },
            "meetings": {
                "expected": self.meetings_expected,
                "held": self.meetings_held,
                "excused": self.meetings_excused,
                "unexcused": self.meetings_unexcused,
                "pending": self.meetings_pending,
            },
            "rated": {"held": self.meetings_held, "rated": self.rated},
            "quality": {level.value: self.quality.get(level.value, 0) for level in QUALITY_ORDER},
            "attendance": {
                "meetings": self.attendance_meetings,
                "average": rounded(self.attendance_average),
                "target": rounded(target),
                "below_target": self.attendance_below_target,
            },
            "thematic": {"expected": self.thematic_expected, "held": self.thematic_held},
            "reports": {
                "expected": self.reports_expected,
                "on_time": self.reports_on_time,
                "late": self.reports_late,
                "missing": self.reports_missing,
            },
            "unreachable": self.unreachable,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Totals:
        """The inverse of `as_dict` (a frozen snapshot read back)."""
        reg, meet, att, rep = d["registration"], d["meetings"], d["attendance"], d["reports"]
        average = att.get("average")
        return cls(
            registration_expected=reg["expected"],
            registration_on_time=reg["on_time"],
            registration_late=reg["late"],
            registration_missing=reg["missing"],
            registration_pending=reg["pending"],
            meetings_expected=meet["expected"],
            meetings_held=meet["held"],
            meetings_excused=meet["excused"],
            meetings_unexcused=meet["unexcused"],
            meetings_pending=meet["pending"],
            rated=d["rated"]["rated"],
            quality=dict(d["quality"]),
            attendance_meetings=att["meetings"],
            attendance_average=None
            if average is None
            else Fraction(str(average)).limit_denominator(10_000),
            attendance_below_target=att["below_target"],
            thematic_expected=d["thematic"]["expected"],
            thematic_held=d["thematic"]["held"],
            reports_expected=rep["expected"],
            reports_on_time=rep["on_time"],
            reports_late=rep["late"],
            reports_missing=rep["missing"],
            unreachable=d["unreachable"],
        )


@dataclass(frozen=True)
class Snapshot:
    """The digest's numbers and lists for one scope as of one day."""

    periods: Window
    totals: Totals
    lists: Lists = field(default_factory=Lists)


@dataclass(frozen=True)
class Past:
    """A figure of an earlier day: frozen if a weekly digest sent it, else as recomputed.

    `corrected` holds the headline numbers that changed since they were frozen (a record
    of an old month corrected later), as recomputed now.
    """

    periods: Window
    totals: Totals
    frozen: bool = False
    corrected: Mapping[str, int | float | None] = field(default_factory=dict)

    def corrections_dict(self) -> dict[str, Any]:
        return dict(self.corrected)


@dataclass(frozen=True)
class TrendPoint:
    at: date
    totals: Totals
    frozen: bool = False

    def as_dict(self) -> dict[str, Any]:
        t = self.totals
        return {
            "at": self.at.isoformat(),
            "registered": t.registered,
            "registration_expected": t.registration_expected,
            "held": t.meetings_held,
            "meetings_expected": t.meetings_expected,
            "reports_on_time": t.reports_on_time,
            "reports_expected": t.reports_expected,
            "frozen": self.frozen,
        }


@dataclass(frozen=True)
class Breakdown:
    """One child of the scope (a cluster of the bloc, a base organisation of a cluster)."""

    unit: UnitRef
    totals: Totals


# Headline numbers compared week on week, and the period each depends on.
CHANGE_KEYS: tuple[tuple[str, str], ...] = (
    ("registered", "registration"),
    ("meetings_held", "meeting"),
    ("rated", "meeting"),
    ("attendance_average", "meeting"),
    ("thematic_held", "quarter"),
    ("reports_on_time", "reports"),
    ("reports_late", "reports"),
    ("reports_missing", "reports"),
    ("unreachable", "always"),
)


@dataclass(frozen=True)
class Digest:
    scope: UnitInfo
    current: Snapshot
    previous: Past
    breakdown: tuple[Breakdown, ...]
    trend: tuple[TrendPoint, ...]
    attendance_target: Fraction

    @property
    def at(self) -> date:
        return self.current.periods.day

    @property
    def totals(self) -> Totals:
        return self.current.totals

    @property
    def lists(self) -> Lists:
        return self.current.lists

    @property
    def periods(self) -> Window:
        return self.current.periods

    @property
    def changes(self) -> dict[str, int | float | None]:
        """Current minus previous week, for numbers whose period did not change (else None)."""
        return _differences(self.current, self.previous.periods, self.previous.totals)

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of `chibo digest --format json` (schema in README)."""
        return {
            "schema": SCHEMA,
            "scope": {"code": self.scope.code, "name": self.scope.name, "kind": self.scope.kind},
            "at": self.at.isoformat(),
            "periods": _periods_dict(self.periods),
            "totals": self.totals.as_dict(self.attendance_target),
            "previous": {
                "at": self.previous.periods.day.isoformat(),
                "periods": _periods_dict(self.previous.periods),
                "totals": self.previous.totals.as_dict(self.attendance_target),
                "frozen": self.previous.frozen,
                "corrected": self.previous.corrections_dict(),
            },
            "changes": self.changes,
            "lists": self.lists.as_dict(),
            "breakdown": [
                {
                    "unit": b.unit.code,
                    "name": b.unit.name,
                    "totals": b.totals.as_dict(self.attendance_target),
                }
                for b in self.breakdown
            ],
            "trend": [t.as_dict() for t in self.trend],
        }


def _differences(
    now: Snapshot, before_periods: Window, before: Totals
) -> dict[str, int | float | None]:
    p, q = now.periods, before_periods
    same = {
        "registration": p.registration_month == q.registration_month,
        "meeting": p.meeting_month == q.meeting_month,
        "quarter": p.quarter == q.quarter,
        "reports": [r.period for r in p.reports] == [r.period for r in q.reports],
        "always": True,
    }
    result: dict[str, int | float | None] = {}
    for key, period in CHANGE_KEYS:
        a = getattr(now.totals, key)
        b = getattr(before, key)
        if not same[period] or a is None or b is None:
            result[key] = None
        elif isinstance(a, Fraction) or isinstance(b, Fraction):
            result[key] = round(float(a - b), 4)
        else:
            result[key] = a - b
    return result


def _periods_dict(p: Window) -> dict[str, Any]:
    return {
        "registration_month": p.registration_month.key,
        "registration_due": p.registration_due.isoformat(),
        "meeting_month": p.meeting_month.key,
        "quarter": p.quarter.key,
        "reports": [
            {"report_type": r.report_type.code, "period": r.period.key, "due": r.due.isoformat()}
            for r in p.reports
        ],
    }
