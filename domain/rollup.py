"""Half-year and year roll-ups (sơ kết, tổng kết): a period's months, from the ledger.

Per base organisation (its committee and sub-cells together) and per cluster: months
registered, meetings held, thematic meetings, reports on time / late / missing,
directives, cluster meetings, average attendance, the self-ratings and the visits
of the bloc's committee members; and the PHỤ LỤC CHI TIẾT in the notices' form. A
status is the ledger's as of the roll-up's day (`domain.obligations`), so a roll-up
of a finished half-year made later shows what was known by its day. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from domain.digest.duties import ClusterAbsence, DirectiveProblem, Ref
from domain.digest.facts import QUALITY_ORDER, UnitInfo
from domain.errors import UserInputError
from domain.obligations import Obligation, ObligationKind, Status, end_of_day
from domain.org import UnitKind, fold
from domain.periods import HalfYear, Month, Period, Quarter, Year, parse_period_key
from domain.policy import Policy
from domain.reports import report_title

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


# ---------------------------------------------------------------------------
# Building it


class _Tally:
    def __init__(self) -> None:
        self.statuses: Counter[tuple[ObligationKind, Status]] = Counter()
        self.attendance_meetings = 0
        self.attendance_sum = Fraction(0)
        self.quality: Counter[str] = Counter()
        self.visits = 0

    def add(self, other: _Tally) -> None:
        self.statuses.update(other.statuses)
        self.attendance_meetings += other.attendance_meetings
        self.attendance_sum += other.attendance_sum
        self.quality.update(other.quality)
        self.visits += other.visits

    def counts(self) -> Counts:
        return Counts(
            dict(self.statuses),
            self.attendance_meetings,
            self.attendance_sum,
            dict(self.quality),
            self.visits,
        )


def _base_and_cluster(
    units: Sequence[UnitInfo],
) -> tuple[dict[str, UnitInfo], dict[str, UnitInfo]]:
    """Unit code → its base organisation, and → its cluster (read from the tree)."""
    by_code = {u.code: u for u in units}
    base: dict[str, UnitInfo] = {}
    cluster: dict[str, UnitInfo] = {}
    for unit in units:
        for part in unit.path.strip("/").split("/"):
            found = by_code.get(part)
            if found is None:
                continue
            if found.kind == UnitKind.CLUSTER:
                cluster[unit.code] = found
            elif found.kind in (UnitKind.BASE_COMMITTEE, UnitKind.BASE_CELL):
                base[unit.code] = found
    return base, cluster


def judged_on(period: Period, day: date) -> date:
    """The day statuses are judged on: `day`, or, once the period is over, the day after
    it, so what was due on its last day and not done by then counts as not done."""
    return day + timedelta(days=1) if day >= period.last_day else day


def build(facts: RollupFacts, period: Period, day: date, policy: Policy) -> Rollup:
    cutoff = end_of_day(day)
    judged = judged_on(period, day)
    base_of, cluster_of = _base_and_cluster(facts.units)
    tallies: dict[str, _Tally] = {}

    def tally(code: str) -> _Tally | None:
        base = base_of.get(code)
        if base is None:
            return None
        return tallies.setdefault(base.code, _Tally())

    statuses: list[tuple[Obligation, Status]] = []
    for o in facts.obligations:
        status = o.status_at(judged, cutoff)
        if status == Status.PENDING:
            continue  # not due yet: not counted either way
        statuses.append((o, status))
        found = tally(o.unit_code)
        if found is not None:
            found.statuses[(o.kind, status)] += 1
    for code, present, members in facts.attendance:
        found = tally(code)
        if found is not None and members > 0:
            found.attendance_meetings += 1
            found.attendance_sum += Fraction(present, members)
    for code, level in facts.ratings:
        found = tally(code)
        if found is not None:
            found.quality[level] += 1
    visited: Counter[str] = Counter()
    members: Counter[str] = Counter()
    for code, member_code, name in facts.visits:
        visited[code] += 1
        member = policy.committee_member(member_code) if member_code else None
        members[member.label if member else name] += 1
        found = tally(code)
        if found is not None:
            found.visits += 1

    bases = [u for u in facts.units if u.kind in (UnitKind.BASE_COMMITTEE, UnitKind.BASE_CELL)]
    rows = []
    by_cluster: dict[str, _Tally] = {}
    total = _Tally()
    for unit in bases:
        own = tallies.get(unit.code, _Tally())
        cluster = cluster_of.get(unit.code)
        rows.append(
            RollupRow(
                Ref(unit.code, unit.name),
                unit.kind,
                Ref(cluster.code, cluster.name) if cluster else None,
                own.counts(),
            )
        )
        if cluster is not None:
            by_cluster.setdefault(cluster.code, _Tally()).add(own)
        total.add(own)
    clusters = tuple(
        RollupRow(Ref(c.code, c.name), c.kind, None, by_cluster.get(c.code, _Tally()).counts())
        for c in facts.units
        if c.kind == UnitKind.CLUSTER
    )
    meeting_units = [
        u
        for u in facts.units
        if u.kind in (UnitKind.BASE_COMMITTEE, UnitKind.BASE_CELL, UnitKind.SUB_CELL)
    ]
    return Rollup(
        scope=facts.scope,
        period=period,
        day=day,
        rows=tuple(rows),
        clusters=clusters,
        total=total.counts(),
        member_visits=tuple(sorted(members.items(), key=lambda x: (-x[1], x[0]))),
        without_visit=tuple(Ref(u.code, u.name) for u in meeting_units if not visited[u.code]),
        appendix=Appendix(
            facts.directives,
            _registrations(statuses, facts.units, base_of, policy.committee_counts_itself),
            _reports(statuses, facts.units, policy),
            facts.absences,
        ),
        target=policy.attendance_target,
    )


def _registrations(
    statuses: Iterable[tuple[Obligation, Status]],
    units: Sequence[UnitInfo],
    base_of: Mapping[str, UnitInfo],
    committee_counts_itself: bool,
) -> tuple[MissedRegistrations, ...]:
    """Per base committee: its organisations that missed some month's registration, out
    of those that had to register (itself among them only with `committee_counts_itself`);
    base cells (and committees not counting themselves) form the group of base
    organisations."""
    by_code = {u.code: u for u in units}

    def group(code: str) -> str | None:
        unit = by_code[code]
        if unit.kind == UnitKind.SUB_CELL:
            base = base_of.get(code)
            return base.code if base else None
        if unit.kind == UnitKind.BASE_COMMITTEE and committee_counts_itself:
            return unit.code
        return None

    owing: dict[str | None, set[str]] = {}
    missed: dict[str, list[str]] = {}
    for o, status in statuses:
        if o.kind != ObligationKind.REGISTRATION or o.unit_code not in by_code:
            continue
        key = group(o.unit_code)
        owing.setdefault(key, set()).add(o.unit_code)
        if status in (Status.MISSING, Status.EXCUSED):
            missed.setdefault(o.unit_code, []).append(str(Month.parse(o.period)))
    order = {u.code: i for i, u in enumerate(units)}
    result = []
    for key, codes in owing.items():
        listed = sorted((c for c in codes if c in missed), key=order.__getitem__)
        if not listed:
            continue
        result.append(
            MissedRegistrations(
                Ref(key, by_code[key].name) if key else None,
                len(codes),
                tuple((Ref(c, by_code[c].name), tuple(sorted(missed[c]))) for c in listed),
            )
        )
    return tuple(
        sorted(
            result, key=lambda g: (g.group is None, order.get(g.group.code, 0) if g.group else 0)
        )
    )


def _reports(
    statuses: Iterable[tuple[Obligation, Status]], units: Sequence[UnitInfo], policy: Policy
) -> tuple[ReportGroup, ...]:
    by_code = {u.code: u for u in units}
    order = {u.code: i for i, u in enumerate(units)}
    missing: dict[tuple[str, str], list[str]] = {}
    late: dict[tuple[str, str], list[tuple[str, date]]] = {}
    dues: dict[tuple[str, str], date] = {}
    for o, status in statuses:
        if o.kind != ObligationKind.REPORT or o.unit_code not in by_code:
            continue
        key = (o.subject, o.period)
        dues[key] = o.due_on
        if status == Status.MISSING:
            missing.setdefault(key, []).append(o.unit_code)
        elif status == Status.LATE and o.done_on is not None:
            late.setdefault(key, []).append((o.unit_code, o.done_on))
    result = []
    for key in sorted(set(missing) | set(late), key=lambda k: (dues[k], k)):
        report_type, period = key
        try:
            name = policy.report_type(report_type).name_vi
        except KeyError:
            name = report_type
        result.append(
            ReportGroup(
                report_title(name, parse_period_key(period)),
                dues[key],
                tuple(
                    Ref(c, by_code[c].name)
                    for c in sorted(missing.get(key, []), key=order.__getitem__)
                ),
                tuple(
                    (Ref(c, by_code[c].name), d)
                    for c, d in sorted(late.get(key, []), key=lambda x: order[x[0]])
                ),
            )
        )
    return tuple(result)
