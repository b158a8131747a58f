"""The appendix lists of directives and cluster meetings, from their ledger rows.

The bloc's notices end with four lists; two of them are these: units that have not
sent back a directive by its date (or sent it late), grouped by base organisation,
and units that sent nobody to a cluster meeting, with or without a reason. The
weekly digest and the half-year and year roll-ups build them here from the
obligations (`domain.obligations`: the status as of a day is the ledger's). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from domain.obligations import Obligation, Status
from domain.org import UnitKind

if TYPE_CHECKING:
    from domain.digest.facts import UnitInfo
    from domain.digest.results import Digest


@dataclass(frozen=True, slots=True)
class Ref:
    code: str
    name: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name}


# ---------------------------------------------------------------------------
# What storage hands in


@dataclass(frozen=True, slots=True)
class DirectiveEntry:
    """One unit's obligation for one directive, with the base organisation it belongs to."""

    directive_id: int
    reference: str | None
    title: str
    unit: UnitInfo
    base: Ref | None  # itself for a base organisation, its committee for a sub-cell
    obligation: Obligation


@dataclass(frozen=True, slots=True)
class ClusterEntry:
    """One unit's obligation for one cluster meeting."""

    meeting_id: int
    cluster: Ref
    starts_at: datetime
    unit: UnitInfo
    obligation: Obligation


def base_of(unit: UnitInfo, parent: Ref | None) -> Ref | None:
    """The base organisation a unit belongs to (None above the base organisations)."""
    if unit.kind in (UnitKind.BASE_COMMITTEE, UnitKind.BASE_CELL):
        return Ref(unit.code, unit.name)
    if unit.kind == UnitKind.SUB_CELL:
        return parent
    return None


# ---------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class DirectiveGroup:
    """One base organisation's units that have not done a directive, or did it late."""

    base: Ref | None
    not_done: tuple[Ref, ...]
    late: tuple[tuple[Ref, date], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "base": self.base.code if self.base else None,
            "base_name": self.base.name if self.base else None,
            "not_done": [u.code for u in self.not_done],
            "late": [{"unit": u.code, "done_on": d.isoformat()} for u, d in self.late],
        }


@dataclass(frozen=True)
class DirectiveProblem:
    """A directive with units that have not done it, or did it late."""

    directive_id: int
    reference: str | None
    title: str
    due: date
    units: int  # units it was given to (within the scope)
    groups: tuple[DirectiveGroup, ...]

    @property
    def not_done(self) -> int:
        return sum(len(g.not_done) for g in self.groups)

    @property
    def late(self) -> int:
        return sum(len(g.late) for g in self.groups)

    @property
    def label(self) -> str:
        return f"{self.reference} — {self.title}" if self.reference else self.title

    def as_dict(self) -> dict[str, Any]:
        return {
            "directive": self.directive_id,
            "reference": self.reference,
            "title": self.title,
            "due": self.due.isoformat(),
            "units": self.units,
            "not_done": self.not_done,
            "late": self.late,
            "groups": [g.as_dict() for g in self.groups],
        }


@dataclass(frozen=True)
class ClusterAbsence:
    """A unit that sent nobody to a cluster meeting: excused (có lý do) or not."""

    unit: Ref
    meeting_id: int
    cluster: Ref
    meeting_on: date
    excused: bool
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "meeting": self.meeting_id,
            "cluster": self.cluster.code,
            "meeting_on": self.meeting_on.isoformat(),
            "status": "excused" if self.excused else "unexcused",
            "reason": self.reason,
        }


# ---------------------------------------------------------------------------
# Building the lists


def directive_problems(
    entries: Iterable[DirectiveEntry],
    totals: Mapping[int, int],
    day: date,
    cutoff: datetime,
    *,
    late_from: date,
) -> tuple[DirectiveProblem, ...]:
    """As of `day` (facts known before `cutoff`): each directive due by `day` with a unit
    that has not done it, or (if it was due on or after `late_from`) did it late; units
    grouped by base organisation in tree order. Soonest due first. `totals`: units each
    directive was given to."""
    by_directive: dict[int, list[DirectiveEntry]] = {}
    for entry in entries:
        if entry.obligation.due_on <= day:
            by_directive.setdefault(entry.directive_id, []).append(entry)
    result = []
    for directive_id, group in by_directive.items():
        first = group[0]
        due = first.obligation.due_on
        not_done: dict[str | None, list[Ref]] = {}
        late: dict[str | None, list[tuple[Ref, date]]] = {}
        bases: dict[str | None, tuple[str, Ref | None]] = {}
        for entry in sorted(group, key=lambda e: e.unit.path):
            status = entry.obligation.status_at(day, cutoff)
            key = entry.base.code if entry.base else None
            bases.setdefault(key, (entry.unit.path, entry.base))
            unit = Ref(entry.unit.code, entry.unit.name)
            if status == Status.MISSING:
                not_done.setdefault(key, []).append(unit)
            elif status == Status.LATE and due >= late_from and entry.obligation.done_on:
                late.setdefault(key, []).append((unit, entry.obligation.done_on))
        if not not_done and not late:
            continue
        keys = sorted(set(not_done) | set(late), key=lambda k: bases[k][0])
        groups = tuple(
            DirectiveGroup(bases[k][1], tuple(not_done.get(k, ())), tuple(late.get(k, ())))
            for k in keys
        )
        result.append(
            DirectiveProblem(
                directive_id,
                first.reference,
                first.title,
                due,
                totals.get(directive_id, len(group)),
                groups,
            )
        )
    return tuple(sorted(result, key=lambda p: (p.due, p.directive_id)))


def cluster_absences(
    entries: Iterable[ClusterEntry], cutoff: datetime
) -> tuple[ClusterAbsence, ...]:
    """Units marked absent (known before `cutoff`): unexcused first, then by meeting and
    unit in tree order."""
    found = []
    for entry in entries:
        o = entry.obligation
        known = o.resolved_at is not None and o.resolved_at < cutoff
        status = o.status_at(o.due_on, cutoff) if known else None
        if status not in (Status.EXCUSED, Status.MISSING):
            continue
        found.append(
            (
                status == Status.EXCUSED,
                entry.starts_at,
                entry.unit.path,
                ClusterAbsence(
                    Ref(entry.unit.code, entry.unit.name),
                    entry.meeting_id,
                    entry.cluster,
                    o.due_on,
                    status == Status.EXCUSED,
                    o.note,
                ),
            )
        )
    return tuple(a for *_, a in sorted(found, key=lambda x: x[:3]))


def with_duties(
    digest: Digest,
    directives: tuple[DirectiveProblem, ...],
    absences: tuple[ClusterAbsence, ...],
) -> Digest:
    """The digest with its directive and cluster-meeting lists."""
    lists = replace(digest.current.lists, directives=directives, cluster_absences=absences)
    return replace(digest, current=replace(digest.current, lists=lists))


def listed_refs(
    directives: Iterable[DirectiveProblem], absences: Iterable[ClusterAbsence]
) -> set[str]:
    """Every unit code the two lists name (texts look up how to name them)."""
    codes = {u.code for p in directives for g in p.groups for u in g.not_done}
    codes |= {u.code for p in directives for g in p.groups for u, _ in g.late}
    codes |= {g.base.code for p in directives for g in p.groups if g.base}
    codes |= {a.unit.code for a in absences}
    return codes


def group_names(problem: DirectiveProblem, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """A directive's groups as texts show them: the base organisation, the units."""
    return [
        {
            "base": names.get(g.base.code, g.base.name) if g.base else None,
            "not_done": [names.get(u.code, u.name) for u in g.not_done],
            "late": [(names.get(u.code, u.name), d) for u, d in g.late],
        }
        for g in problem.groups
    ]
