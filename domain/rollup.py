"""Half-year and year roll-ups (sơ kết, tổng kết): a period's months, from the ledger.

Per base organisation (its committee and sub-cells together) and per cluster: months
registered, meetings held, thematic meetings, reports on time / late / missing,
directives, cluster meetings, average attendance, the self-ratings and the visits
of the bloc's committee members; and the PHỤ LỤC CHI TIẾT in the notices' form. A
status is the ledger's as of the roll-up's day (`domain.obligations`), so a roll-up
of a finished half-year made later shows what was known by its day. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from domain.digest.duties import ClusterAbsence, DirectiveProblem, Ref
from domain.digest.facts import QUALITY_ORDER, UnitInfo
from domain.errors import UserInputError
from domain.obligations import Obligation, ObligationKind, Status
from domain.org import UnitKind, fold
from domain.periods import HalfYear, Month, Period, Quarter, Year, parse_period_key

SCHEMA = "chibo.rollup/1"
DONE = (Status.ON_TIME, Status.LATE)
_WORDS: Mapping[str, type[Period]] = {
    "6t": HalfYear,
    "6 thang": HalfYear,
    "6thang": HalfYear,
    "so ket": HalfYear,
    "nam": Year,
    "tong ket": Year,
    "quy": Quarter,
}


def parse_rollup_period(text: str, today: date) -> Period:
    """ "6t" (this half-year), "năm" (this year), "quý", or a key ("2026-H1", "2026-Q3",
    "2026"). A period that has not begun is refused."""
    folded = fold(text).strip()
    kind = _WORDS.get(folded)
    if kind is not None:
        return kind.of(today)
    try:
        period = parse_period_key(text.strip().upper())
    except ValueError:
        raise UserInputError(
            "Chưa hiểu kỳ tổng hợp. Gõ 6t (6 tháng), năm, quý, hoặc dạng 2026-H1, 2026-Q3, 2026."
        ) from None
    if isinstance(period, Month):
        raise UserInputError("Kỳ tổng hợp là quý, 6 tháng hoặc năm; theo tháng, dùng /digest.")
    if period.first_day > today:
        raise UserInputError(f"Kỳ {period} chưa bắt đầu.")
    return period


# ---------------------------------------------------------------------------
# What storage hands in


@dataclass(frozen=True)
class RollupFacts:
    scope: UnitInfo
    units: tuple[UnitInfo, ...]  # every active unit of the subtree, in tree order
    obligations: tuple[Obligation, ...]  # the period's ledger rows of the subtree
    attendance: tuple[tuple[str, int, int], ...] = ()  # (unit, present, members), held regular
    ratings: tuple[tuple[str, str], ...] = ()  # (unit, level) of held monthly meetings
    visits: tuple[tuple[str, str | None, str], ...] = ()  # (unit, member code, name as written)
    directives: tuple[DirectiveProblem, ...] = ()
    absences: tuple[ClusterAbsence, ...] = ()


# ---------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Counts:
    """The figures of one row (a base organisation, a cluster, the scope)."""

    statuses: Mapping[tuple[ObligationKind, Status], int] = field(default_factory=dict)
    attendance_meetings: int = 0
    attendance_sum: Fraction = Fraction(0)
    quality: Mapping[str, int] = field(default_factory=dict)
    visits: int = 0

    def of(self, kind: ObligationKind, *statuses: Status) -> int:
        wanted = statuses or tuple(s for s in Status if s != Status.PENDING)
        return sum(self.statuses.get((kind, s), 0) for s in wanted)

    def done(self, kind: ObligationKind) -> int:
        return self.of(kind, *DONE)

    @property
    def attendance_average(self) -> Fraction | None:
        if not self.attendance_meetings:
            return None
        return self.attendance_sum / self.attendance_meetings

    def as_dict(self) -> dict[str, Any]:
        k, s = ObligationKind, Status

        def triple(kind: ObligationKind) -> dict[str, int]:
            return {
                "expected": self.of(kind),
                "on_time": self.of(kind, s.ON_TIME),
                "late": self.of(kind, s.LATE),
                "missing": self.of(kind, s.MISSING),
                "excused": self.of(kind, s.EXCUSED),
            }

        average = self.attendance_average
        return {
            "registration": triple(k.REGISTRATION),
            "meetings": triple(k.MEETING),
            "thematic": triple(k.THEMATIC),
            "reports": triple(k.REPORT),
            "directives": triple(k.DIRECTIVE),
            "cluster_meetings": triple(k.CLUSTER_MEETING),
            "attendance": {
                "meetings": self.attendance_meetings,
                "average": None if average is None else round(float(average), 4),
            },
            "quality": {level.value: self.quality.get(level.value, 0) for level in QUALITY_ORDER},
            "visits": self.visits,
        }


@dataclass(frozen=True)
class RollupRow:
    unit: Ref
    kind: UnitKind
    cluster: Ref | None
    counts: Counts


@dataclass(frozen=True)
class MissedRegistrations:
    """A base committee's organisations that did not register some month (None: the
    base organisations directly under the clusters), "có 02/8 tổ chức đảng …"."""

    group: Ref | None
    total: int
    units: tuple[tuple[Ref, tuple[str, ...]], ...]  # unit, the months ("02/2026") missed

    @property
    def missing(self) -> int:
        return len(self.units)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group.code if self.group else None,
            "missing": self.missing,
            "total": self.total,
            "units": [{"unit": u.code, "months": list(m)} for u, m in self.units],
        }


@dataclass(frozen=True)
class ReportGroup:
    """One report of one period, with the units that sent it late or not at all."""

    title: str  # "Báo cáo quý I/2026"
    due: date
    missing: tuple[Ref, ...]
    late: tuple[tuple[Ref, date], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "report": self.title,
            "due": self.due.isoformat(),
            "missing": [u.code for u in self.missing],
            "late": [{"unit": u.code, "sent_on": d.isoformat()} for u, d in self.late],
        }


@dataclass(frozen=True)
class Appendix:
    """PHỤ LỤC CHI TIẾT: the four lists of the bloc's notices."""

    directives: tuple[DirectiveProblem, ...]
    registrations: tuple[MissedRegistrations, ...]
    reports: tuple[ReportGroup, ...]
    absences: tuple[ClusterAbsence, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "directives": [x.as_dict() for x in self.directives],
            "registrations": [x.as_dict() for x in self.registrations],
            "reports": [x.as_dict() for x in self.reports],
            "cluster_absences": [x.as_dict() for x in self.absences],
        }


@dataclass(frozen=True)
class Rollup:
    scope: UnitInfo
    period: Period
    day: date  # as known at the end of this day
    rows: tuple[RollupRow, ...]  # base organisations, tree order
    clusters: tuple[RollupRow, ...]
    total: Counts
    member_visits: tuple[tuple[str, int], ...]  # committee member (as named), visits
    without_visit: tuple[Ref, ...]  # units that meet and had no higher-level visit
    appendix: Appendix
    target: Fraction

    def as_dict(self) -> dict[str, Any]:
        def row(r: RollupRow) -> dict[str, Any]:
            return {
                "unit": r.unit.code,
                "name": r.unit.name,
                "kind": r.kind.value,
                "cluster": r.cluster.code if r.cluster else None,
                **r.counts.as_dict(),
            }

        return {
            "schema": SCHEMA,
            "scope": {"code": self.scope.code, "name": self.scope.name},
            "period": {
                "key": self.period.key,
                "label": str(self.period),
                "first_day": self.period.first_day.isoformat(),
                "last_day": self.period.last_day.isoformat(),
            },
            "at": self.day.isoformat(),
            "totals": self.total.as_dict(),
            "clusters": [row(r) for r in self.clusters],
            "base_organisations": [row(r) for r in self.rows],
            "visits": {
                "by_member": [{"member": name, "visits": n} for name, n in self.member_visits],
                "units_without_visit": [u.code for u in self.without_visit],
            },
            "appendix": self.appendix.as_dict(),
        }
