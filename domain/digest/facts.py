"""What storage hands in to the digest (per-unit facts, the ledger's counts), and
the plain values every part of the digest shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain.meeting_kinds import MeetingKind
from domain.obligations import Obligation, ObligationKind, Resolution, Status, resolved_status
from domain.org import UnitKind
from domain.quality import QualityLevel

if TYPE_CHECKING:
    pass

SCHEMA = "chibo.digest/1"
TREND_WEEKS = 8
QUALITY_ORDER = (QualityLevel.TOT, QualityLevel.KHA, QualityLevel.TRUNG_BINH, QualityLevel.KEM)
THEMATIC_SUBJECT = MeetingKind.THEMATIC.value
REGULAR = MeetingKind.REGULAR.value


# ---------------------------------------------------------------------------
# What storage hands in


@dataclass(frozen=True, slots=True)
class UnitInfo:
    code: str
    name: str
    kind: UnitKind
    path: str
    parent_code: str | None
    members: int | None = None


@dataclass(frozen=True, slots=True)
class LedgerCount:
    """How many obligations share these values (one GROUP BY row).

    `known_from` is the index of the first digest day by whose end the resolution was
    known (None: still open, or known only after the last day).
    """

    kind: ObligationKind
    subject: str
    period: str
    due_on: date
    resolution: Resolution
    on_time: bool
    known_from: int | None
    child: str | None
    count: int
    level: str | None = None  # ratings: the level given
    # Held meetings with attendance figures: how many, the sum of their rates
    # (present / members) and how many were below the target.
    measured: int = 0
    rate_sum: float = 0.0
    below_target: int = 0

    def status(self, day: date, index: int) -> Status:
        if self.known_from is not None and self.known_from <= index:
            if self.resolution == Resolution.DONE:
                return Status.ON_TIME if self.on_time else Status.LATE
            return resolved_status(self.resolution, None, self.due_on)
        return Status.MISSING if day > self.due_on else Status.PENDING


@dataclass(frozen=True, slots=True)
class UnreachableFact:
    unit: UnitInfo
    role: str
    person_name: str
    since: datetime


@dataclass(frozen=True, slots=True)
class FlaggedFact:
    unit: UnitInfo
    kind: MeetingKind
    level: str
    score: int | None
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LowAttendanceFact:
    unit: UnitInfo
    present: int
    total: int


@dataclass(frozen=True)
class DigestFacts:
    """Everything `build` needs, for `days` (ascending; the last one is the digest's)."""

    scope: UnitInfo
    children: tuple[UnitInfo, ...]
    days: tuple[date, ...]
    current: tuple[LedgerCount, ...]  # the digest day, by child
    history: tuple[LedgerCount, ...]  # every day, `known_from` over `days`, no child
    problems: tuple[tuple[UnitInfo, Obligation], ...]  # the digest day's non-compliant rows
    group_totals: Mapping[str | None, int]  # registration: units per base committee
    groups: Mapping[str, UnitInfo]
    flagged: tuple[FlaggedFact, ...] = ()
    low_attendance: tuple[LowAttendanceFact, ...] = ()
    unreachable: tuple[UnreachableFact, ...] = ()  # known by the end of the digest day
    unreachable_since: tuple[tuple[str | None, datetime], ...] = ()  # (child, since)
    frozen: Mapping[date, Mapping[str, Any]] = field(default_factory=dict)


def digest_days(at: date, weeks: int = TREND_WEEKS) -> tuple[date, ...]:
    """The digest day and the weekly days before it (the trend; the previous week is one)."""
    return tuple(at - timedelta(days=7 * k) for k in range(weeks - 1, -1, -1))


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name}


def rounded(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)
