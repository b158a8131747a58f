"""The year-end preview: every organisation's grade so far, and the bloc's shares.

Statuses come from the ledger only (`domain.obligations`: the status of a row as of
a day). Periods of the year that have not opened yet are derived with the same
rules and no facts, so they count as pending: "12/12" is judged against the whole
year, not only the months already in the ledger. The grading itself is
`domain.grading`; the thresholds are the policy's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from domain import grading as rules
from domain.derivation import derive
from domain.grading import UnitPreview, YearPreview
from domain.ledger_facts import LedgerUnit, Span, UnitFacts, selection_between
from domain.localtime import local_date
from domain.obligations import Obligation, ObligationKind, Resolution, Status, end_of_day
from domain.org import CELL_KINDS, REPORTING_KINDS, UnitKind
from domain.policy import Policy
from domain.unit_names import unit_label
from services import admissions, ledger, surveys
from storage import grading_queries as rows
from storage import ledger as ledger_rows
from storage import org_queries
from storage.db import Database
from storage.org_queries import named_units

# Whom the bloc's shares count: base organisations (graded by the bloc) and sub-cells
# (graded by their base committee), each against the same targets.
GROUPS = {
    "base": REPORTING_KINDS,
    "sub_cell": frozenset({UnitKind.SUB_CELL}),
}


class YearNotStarted(ValueError):
    """A preview of a year that has not begun."""


def _as_of(year: int, today: date) -> date:
    if year > today.year:
        raise YearNotStarted(str(year))
    return min(today, date(year, 12, 31))


def preview(
    db: Database, scope_code: str, year: int, *, now: datetime, policy: Policy
) -> YearPreview:
    """The preview grade of every organisation under `scope_code` for `year`, as of today."""
    day = _as_of(year, local_date(now))
    ledger.ensure_current(db, now, policy)
    with db.transaction() as session:
        scope = org_queries.unit(session, scope_code)
        if scope is None or not scope.active:
            raise LookupError(scope_code)
        units = rows.graded_units(session, scope.path)
        found = _grades(session, units, scope.path, year, day, policy, db)
        names = named_units(session, [u.code for u in units], scope_path=scope.path)
        scope_name, scope_path = scope.name, scope.path
    start = ledger.start_of(db)
    previews = tuple(
        UnitPreview(found[u.code], unit_label(names[u.code]), u.parent_code) for u in units
    )
    return YearPreview(
        year=year,
        as_of=day,
        scope_code=scope_code,
        scope_name=scope_name,
        ledger_start=start,
        placeholder=policy.grading.placeholder,
        units=previews,
        shares={
            group: rules.shares(
                (p.grade for p in previews if p.grade.kind in kinds), policy.grading
            )
            for group, kinds in GROUPS.items()
        },
        admissions=admissions.scope_year(db, scope_path, year, policy),
    )


def unit_preview(
    db: Database, unit_code: str, *, now: datetime, policy: Policy
) -> rules.UnitGrade | None:
    """One organisation's preview for this year (its /status), from the policy's month on."""
    today = local_date(now)
    if today.month < policy.grading.preview_from_month:
        return None
    ledger.ensure_current(db, now, policy)
    with db.transaction() as session:
        unit = org_queries.unit(session, unit_code)
        if unit is None or not unit.active:
            return None
        units = rows.graded_units(session, unit.path, only=unit_code)
        found = _grades(session, units, unit.path, today.year, today, policy, db, only=unit_code)
    return found.get(unit_code)


def _grades(
    session,
    units: list[rows.GradedUnit],
    scope_path: str,
    year: int,
    day: date,
    policy: Policy,
    db: Database,
    *,
    only: str | None = None,
) -> dict[str, rules.UnitGrade]:
    statuses = _statuses(session, units, scope_path, year, day, policy, only)
    quality = rows.year_quality(session, scope_path, year, only)
    cells = [u.code for u in units if u.kind in CELL_KINDS]
    views = surveys.year_averages(db, cells, year, today=day, policy=policy) if cells else {}
    found = {}
    for unit in units:
        average, count = views.get(unit.code, (None, 0))
        facts = rules.UnitYear(
            unit.code,
            unit.kind,
            statuses.get(unit.code, {}),
            quality.get(unit.code, Counter()),
            average,
            count,
        )
        found[unit.code] = rules.grade_unit(facts, policy.grading)
    return found


def _statuses(
    session,
    units: list[rows.GradedUnit],
    scope_path: str,
    year: int,
    day: date,
    policy: Policy,
    only: str | None,
) -> dict[str, dict[str, Counter[str]]]:
    """Per organisation and obligation kind: the year's obligations by status as of `day`,
    the periods still to open counted as pending."""
    cutoff = end_of_day(day)
    counted: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    status_of: dict[tuple[str, bool, bool, bool], str] = {}  # a handful of combinations
    for group in rows.year_counts(session, scope_path, year, day, cutoff, only):
        combination = (group.resolution, group.on_time, group.due_passed, group.known)
        if combination not in status_of:
            status_of[combination] = _status(group, day, cutoff).value
        counted[group.unit_code][group.kind][status_of[combination]] += group.count
    last = date(year, 12, 31)
    if day < last:
        state = ledger_rows.load_state(session)
        span = Span(state.start_on if state is not None else date(year, 1, 1), last)
        selection = selection_between(policy, day, last)
        prefix = f"{year:04d}"
        future = [
            o
            for unit in units
            for o in derive(LedgerUnit(unit.code, unit.kind), policy, span, selection, UnitFacts())
            if o.period.startswith(prefix) and o.due_on > day
        ]
        known = rows.keys_of_periods(session, scope_path, {o.period for o in future}, only)
        for o in future:
            if (o.unit_code, o.kind.value, o.subject, o.period) not in known:
                counted[o.unit_code][o.kind.value][Status.PENDING.value] += 1
    return counted


def _status(group: rows.YearCount, day: date, cutoff: datetime) -> Status:
    """The status of every obligation in `group`, by the ledger's one rule
    (`Obligation.status_at`), asked of a stand-in with the same comparisons."""
    due = day - timedelta(days=1) if group.due_passed else day
    stand_in = Obligation(
        group.unit_code,
        _kind(group.kind),
        "",
        "",
        due,
        Resolution(group.resolution),
        done_on=due if group.on_time else due + timedelta(days=1),
        resolved_at=cutoff - timedelta(seconds=1) if group.known else None,
    )
    return stand_in.status_at(day, cutoff)


def _kind(value: str) -> ObligationKind:
    """A kind this build does not name yet (the ledger gains kinds) stays a string: the
    status rule reads only the due date and how the obligation was resolved."""
    try:
        return ObligationKind(value)
    except ValueError:
        return value  # type: ignore[return-value]  # deliberately a str: see the docstring
