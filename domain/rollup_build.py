"""Building a roll-up from the ledger's obligations of its period: per base
organisation and cluster, and the appendix's lists (`domain.rollup` holds the
results and the period words)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from fractions import Fraction

from domain.digest.duties import Ref
from domain.digest.facts import UnitInfo
from domain.obligations import Obligation, ObligationKind, Status, end_of_day
from domain.org import UnitKind
from domain.periods import Month, Period, parse_period_key
from domain.policy import Policy
from domain.reports import report_title
from domain.rollup import (
    Appendix,
    Counts,
    MissedRegistrations,
    ReportGroup,
    Rollup,
    RollupFacts,
    RollupRow,
)


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


def compute_rollup(facts: RollupFacts, period: Period, day: date, policy: Policy) -> Rollup:
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
    for code, present, total_members in facts.attendance:
        found = tally(code)
        if found is not None and total_members > 0:
            found.attendance_meetings += 1
            found.attendance_sum += Fraction(present, total_members)
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
