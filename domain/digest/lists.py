"""Who the digest lists and why: late or missing registrations, reports, meetings,
ratings, attendance, thematic meetings, unreachable secretaries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from domain.digest.facts import DigestFacts, UnitInfo, UnitRef, rounded
from domain.localtime import local_date
from domain.meeting_kinds import MeetingKind
from domain.obligations import Obligation, ObligationKind, Resolution, Status, end_of_day
from domain.org import UnitKind
from domain.reports import ReportDue
from domain.windows import Window

if TYPE_CHECKING:
    from domain.digest.duties import ClusterAbsence, DirectiveProblem


@dataclass(frozen=True)
class RegistrationGroup:
    """Units of one base committee (or the base cells) that did not register."""

    group: UnitRef | None  # None: base cells directly under a cluster or the bloc
    total: int
    units: tuple[UnitRef, ...]

    @property
    def missing(self) -> int:
        return len(self.units)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group.code if self.group else None,
            "group_name": self.group.name if self.group else None,
            "missing": self.missing,
            "total": self.total,
            "units": [u.code for u in self.units],
        }


@dataclass(frozen=True)
class LateRegistration:
    unit: UnitRef
    registered_on: date

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.code, "registered_on": self.registered_on.isoformat()}


@dataclass(frozen=True)
class ReportProblem:
    unit: UnitRef
    report_type: str
    report_name: str
    period: str  # key, e.g. "2026-11"
    period_label: str  # "11/2026", "Quý IV/2026"
    due: date
    status: Status  # LATE or MISSING
    sent_on: date | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "report_type": self.report_type,
            "period": self.period,
            "due": self.due.isoformat(),
            "status": self.status.value,
            "sent_on": self.sent_on.isoformat() if self.sent_on else None,
        }


@dataclass(frozen=True)
class MissedMeeting:
    unit: UnitRef
    kind: MeetingKind
    excused: bool
    recorded: bool  # False: no record at all after the month ended
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "kind": self.kind.value,
            "status": "excused" if self.excused else "unexcused",
            "recorded": self.recorded,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class FlaggedRating:
    unit: UnitRef
    kind: MeetingKind
    level: str
    score: int | None
    flags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "kind": self.kind.value,
            "level": self.level,
            "score": self.score,
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class LowAttendance:
    unit: UnitRef
    present: int
    total: int

    @property
    def rate(self) -> Fraction:
        return Fraction(self.present, self.total)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "present": self.present,
            "total": self.total,
            "rate": rounded(self.rate),
        }


@dataclass(frozen=True)
class Unreachable:
    unit: UnitRef
    role: str
    person_name: str
    since: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "role": self.role,
            "name": self.person_name,
            "since": local_date(self.since).isoformat(),
        }


@dataclass(frozen=True)
class ThematicMissing:
    """A cell without a thematic meeting in the quarter: pending while the quarter runs."""

    unit: UnitRef
    status: Status


@dataclass(frozen=True)
class Lists:
    not_registered: tuple[RegistrationGroup, ...] = ()
    registered_late: tuple[LateRegistration, ...] = ()
    reports: tuple[ReportProblem, ...] = ()
    meetings_not_held: tuple[MissedMeeting, ...] = ()
    implausible_ratings: tuple[FlaggedRating, ...] = ()
    attendance_below_target: tuple[LowAttendance, ...] = ()
    thematic_missing: tuple[ThematicMissing, ...] = ()
    unreachable: tuple[Unreachable, ...] = ()
    # Built by domain.digest.duties from their own query (storage.duty_queries).
    directives: tuple[DirectiveProblem, ...] = ()
    cluster_absences: tuple[ClusterAbsence, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "not_registered": [g.as_dict() for g in self.not_registered],
            "registered_late": [x.as_dict() for x in self.registered_late],
            "reports": [x.as_dict() for x in self.reports],
            "meetings_not_held": [x.as_dict() for x in self.meetings_not_held],
            "implausible_ratings": [x.as_dict() for x in self.implausible_ratings],
            "attendance_below_target": [x.as_dict() for x in self.attendance_below_target],
            "thematic_missing": [t.unit.code for t in self.thematic_missing],
            "unreachable": [x.as_dict() for x in self.unreachable],
            "directives": [x.as_dict() for x in self.directives],
            "cluster_absences": [x.as_dict() for x in self.cluster_absences],
        }


def _ref(unit: UnitInfo) -> UnitRef:
    return UnitRef(unit.code, unit.name)


def registration_group(unit: UnitInfo) -> str | None:
    """The base committee a unit belongs to (itself for a committee); None for a base cell."""
    if unit.kind == UnitKind.BASE_COMMITTEE:
        return unit.code
    if unit.kind == UnitKind.SUB_CELL:
        return unit.parent_code
    return None


def build_lists(window: Window, facts: DigestFacts) -> Lists:
    day, cutoff = window.day, end_of_day(window.day)
    missing_by_group: dict[str | None, list[UnitInfo]] = {}
    late: list[LateRegistration] = []
    reports: list[tuple[int, ReportProblem]] = []
    meetings: list[MissedMeeting] = []
    thematic: list[ThematicMissing] = []
    dues = {(r.report_type.code, r.period.key): r for r in window.reports}
    rank: dict[str, int] = {}  # units in tree order
    for unit, o in sorted(facts.problems, key=lambda p: p[0].path):
        rank.setdefault(unit.code, len(rank))
        if not window.holds(o.kind, o.subject, o.period):
            continue
        status = o.status_at(day, cutoff)
        if o.kind == ObligationKind.REGISTRATION:
            if status == Status.MISSING:
                missing_by_group.setdefault(registration_group(unit), []).append(unit)
            elif status == Status.LATE and o.done_on is not None:
                late.append(LateRegistration(_ref(unit), o.done_on))
        elif o.kind == ObligationKind.REPORT and status in (Status.MISSING, Status.LATE):
            due = dues[(o.subject, o.period)]
            reports.append((rank[unit.code], _report_problem(unit, o, due, status)))
        elif o.kind == ObligationKind.MEETING and status in (Status.MISSING, Status.EXCUSED):
            known = o.resolved_at is not None and o.resolved_at < cutoff
            meetings.append(
                MissedMeeting(
                    _ref(unit),
                    MeetingKind(o.subject),
                    excused=status == Status.EXCUSED,
                    recorded=known and o.resolution != Resolution.OPEN,
                    reason=o.note if known else None,
                )
            )
        elif o.kind == ObligationKind.THEMATIC and status in (Status.PENDING, Status.MISSING):
            thematic.append(ThematicMissing(_ref(unit), status))
    # Missing before late, then by unit in tree order, then by due date.
    reports.sort(key=lambda x: (x[1].status != Status.MISSING, x[0], x[1].due))
    return Lists(
        not_registered=_registration_groups(missing_by_group, facts),
        registered_late=tuple(late),
        reports=tuple(r for _, r in reports),
        meetings_not_held=tuple(meetings),
        implausible_ratings=tuple(
            FlaggedRating(_ref(f.unit), f.kind, f.level, f.score, f.flags) for f in facts.flagged
        ),
        attendance_below_target=tuple(
            LowAttendance(_ref(a.unit), a.present, a.total) for a in facts.low_attendance
        ),
        thematic_missing=tuple(thematic),
        unreachable=tuple(
            Unreachable(_ref(u.unit), u.role, u.person_name, u.since) for u in facts.unreachable
        ),
    )


def _report_problem(unit: UnitInfo, o: Obligation, due: ReportDue, status: Status) -> ReportProblem:
    return ReportProblem(
        _ref(unit),
        o.subject,
        due.report_type.name_vi,
        o.period,
        str(due.period),
        o.due_on,
        status,
        o.done_on if status == Status.LATE else None,
    )


def _registration_groups(
    missing: Mapping[str | None, list[UnitInfo]], facts: DigestFacts
) -> tuple[RegistrationGroup, ...]:
    def ref(code: str | None) -> UnitRef | None:
        if code is None:
            return None
        found = facts.groups.get(code)
        # A sub-cell seen on its own: its committee lies outside the scope.
        return _ref(found) if found is not None else UnitRef(code, code)

    def path(code: str | None) -> str:
        found = facts.groups.get(code) if code is not None else None
        return found.path if found is not None else ""

    order = sorted(missing, key=lambda g: (g is None, path(g)))
    return tuple(
        RegistrationGroup(
            ref(g),
            facts.group_totals.get(g, len(missing[g])),
            tuple(_ref(u) for u in missing[g]),
        )
        for g in order
    )
