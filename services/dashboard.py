"""The leadership dashboard's read models (the Telegram Mini App, `web/`).

Everything here reads the compliance ledger, as the bot does:

- the heat map (`heat_map`): units × the last 12 months, one mark per unit and
  month (`domain.heatmap`), rows grouped by the scope's children (clusters of the
  bloc, base organisations of a cluster, the cells of a base committee);
- the units that failed the most months (`chronic`);
- one unit's year (`unit_year`): its marks month by month, its records, and what is
  overdue or due soon, exactly as `/status` computes it (`services.status`);
- the week is `services.dashboard_week`: the digest itself, its lists filtered.

Who may see what is decided by the caller with the bot's rules (`Actor.sees` over
`domain.roles`); `scope_for` is the one check every view goes through.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from domain.digest.facts import UnitInfo
from domain.heatmap import (
    MEASURE_KINDS,
    GroupCell,
    Mark,
    Measure,
    failed_months,
    group_cell,
    months_ending,
    unit_marks,
)
from domain.localtime import local_date
from domain.obligations import ObligationKind, meeting_due, registration_due
from domain.org import CELL_KINDS, MEETING_KINDS, REPORTING_KINDS
from domain.periods import Month
from domain.policy import Policy
from domain.reports import ReportDue, deadlines_between
from domain.roles import Action
from services import ledger
from services.actors import Actor
from services.org import unit_labels
from services.status import MonthLine, UnitStatus, month_lines, unit_status
from storage import dashboard_queries as queries
from storage.db import Database

CHRONIC_LIMIT = 10


class OutOfScope(LookupError):
    """No such active unit, or not one the person may see: the same answer for both."""


def scope_for(db: Database, actor: Actor, action: Action, code: str | None) -> UnitInfo:
    """The unit a view is about: `code`, or the actor's widest scope for `action`.

    Refused (OutOfScope) unless one of the actor's roles granting `action` covers it,
    as in the bot (`/digest`, `/cluster`, `/unit`).
    """
    if not code:
        top = actor.top_scopes(action)
        if not top:
            raise OutOfScope(code)
        code = top[0].unit_code
    with db.transaction() as session:
        unit = queries.load_unit(session, code)
    if unit is None or not actor.sees(action, unit.path):
        raise OutOfScope(code)
    return unit


def trail(db: Database, actor: Actor, action: Action, unit: UnitInfo) -> list[UnitInfo]:
    """The unit's ancestors the actor may open (for the breadcrumbs), the widest first."""
    with db.transaction() as session:
        ancestors = queries.load_trail(session, unit)
    return [a for a in ancestors if actor.sees(action, a.path)]


# ---------------------------------------------------------------------------
# The heat map


@dataclass(frozen=True)
class HeatCell:
    month: Month
    mark: Mark | None  # the unit's (or, for a group, the worst) mark; None: nothing owed
    # How many units got each mark: a group's units, or one unit as a group of one (or
    # of none when it owes nothing of the measure); None for a month not tracked.
    group: GroupCell | None = None


@dataclass(frozen=True)
class HeatRow:
    unit: UnitInfo
    name: str
    group: bool  # a subtree counted together (False: one unit)
    cells: tuple[HeatCell, ...]
    failed: int  # one unit: months failed; a group: unit-months failed


@dataclass(frozen=True)
class HeatMap:
    scope: UnitInfo
    measure: Measure
    months: tuple[Month, ...]
    rows: tuple[HeatRow, ...]
    total: tuple[HeatCell, ...]  # the whole scope, month by month
    tracked_from: date | None  # the ledger's first day; earlier months have no marks
    by_failed: bool = False


@dataclass(frozen=True)
class _Calendar:
    """The 12 months of a view and the report deadlines falling in each."""

    months: tuple[Month, ...]
    dues: dict[Month, list[ReportDue]]

    @property
    def reports(self) -> set[tuple[str, str]]:
        """(report type, period) of every deadline in the months."""
        return {(d.report_type.code, d.period.key) for dues in self.dues.values() for d in dues}


def _calendar(policy: Policy, today: date, start: date | None) -> _Calendar:
    """The last 12 months, from the first the ledger covers (`start`): earlier months
    would only be empty columns."""
    months = tuple(m for m in months_ending(today) if start is None or m.last_day >= start)
    dues: dict[Month, list[ReportDue]] = defaultdict(list)
    for due in deadlines_between(policy, months[0].first_day, months[-1].last_day):
        dues[Month.of(due.due)].append(due)
    return _Calendar(months, dues)


def _tracked(
    measure: Measure, month: Month, dues: list[ReportDue], start: date | None, policy: Policy
) -> bool:
    """Whether the ledger holds anything of `measure` for `month`: it starts at `start`
    and holds what is due from then on (`domain.obligations.Span`)."""
    if start is None:
        return False
    kinds = set(MEASURE_KINDS[measure])
    if ObligationKind.REPORT in kinds and any(d.due >= start for d in dues):
        return True
    if ObligationKind.REGISTRATION in kinds and registration_due(policy, month) >= start:
        return True
    return bool(kinds & {ObligationKind.MEETING, ObligationKind.RATING}) and (
        meeting_due(month) >= start
    )


def heat_map(
    db: Database,
    scope: UnitInfo,
    measure: Measure,
    now: datetime,
    policy: Policy,
    *,
    by_failed: bool = False,
) -> HeatMap:
    """The scope's heat map for the 12 months up to now: one row per child (and one for
    the scope's own unit when it holds meetings), a total row for the whole scope."""
    ledger.ensure_current(db, now, policy)
    today = local_date(now)
    start = ledger.start_of(db)
    calendar = _calendar(policy, today, start)
    months, reports = calendar.months, calendar.reports
    kinds = MEASURE_KINDS[measure]
    with db.transaction() as session:
        children = queries.load_children(session, scope)
        units = [scope] if scope.kind in MEETING_KINDS else []
        units += [c for c in children if c.kind in CELL_KINDS]
        groups = [c for c in children if c.kind not in CELL_KINDS]
        sizes = queries.row_sizes(session, scope)
        counts = queries.group_marks(session, scope, kinds, months, reports, today)
        owed = queries.unit_obligations(session, [u.code for u in units], kinds, months, reports)
    tracked = [_tracked(measure, m, calendar.dues.get(m, []), start, policy) for m in months]
    by_row: dict[tuple[str, str], dict[Mark, int]] = defaultdict(dict)
    for c in counts:
        by_row[(c.row, c.month)][c.mark] = c.units

    def size(code: str, month: Month) -> int:
        row = sizes.get(code, queries.RowSize())
        if measure == Measure.REPORT:
            return row.reporting_units if calendar.dues.get(month) else 0
        return row.meeting_units

    def group_cells(code: str) -> tuple[HeatCell, ...]:
        cells = []
        for month, on in zip(months, tracked, strict=True):
            if not on:
                cells.append(HeatCell(month, None))
                continue
            cell = group_cell(size(code, month), by_row.get((code, month.key), {}))
            cells.append(HeatCell(month, cell.mark, cell))
        return tuple(cells)

    names = unit_labels(db, [u.code for u in (*units, *groups)], scope_path=scope.path)
    rows: list[HeatRow] = []
    for child in sorted([*units, *groups], key=lambda u: (u.code != scope.code, u.path)):
        name = names.get(child.code, child.name)
        if child in groups:
            cells = group_cells(child.code)
            failed = sum(c.group.missing for c in cells if c.group is not None)
            rows.append(HeatRow(child, name, True, cells, failed))
            continue
        marks = unit_marks(owed.get(child.code, ()), measure, now)
        cells = tuple(
            HeatCell(m, marks.get(m), _one_unit(size(child.code, m), marks.get(m)) if on else None)
            for m, on in zip(months, tracked, strict=True)
        )
        rows.append(HeatRow(child, name, False, cells, failed_months(marks.values())))
    if by_failed:
        rows.sort(key=lambda r: -r.failed)  # stable: tree order among equals
    return HeatMap(scope, measure, months, tuple(rows), _total(months, rows), start, by_failed)


def _one_unit(size: int, mark: Mark | None) -> GroupCell:
    """A single unit's month as a group of one (or of none, when it owes nothing of the
    measure, as a sub-cell owes no report), so the scope's total adds up rows alike."""
    counts: dict[Mark, int] = {mark: 1} if mark is not None and mark != Mark.ON_TIME else {}
    return group_cell(size, counts)


def _total(months: tuple[Month, ...], rows: list[HeatRow]) -> tuple[HeatCell, ...]:
    """The whole scope per month: every row's counts added up (each unit once)."""
    cells = []
    for i, month in enumerate(months):
        parts = [g for row in rows if (g := row.cells[i].group) is not None]
        if not parts:
            cells.append(HeatCell(month, None))
            continue
        total = GroupCell(
            sum(g.units for g in parts),
            sum(g.missing for g in parts),
            sum(g.late for g in parts),
            sum(g.excused for g in parts),
            sum(g.pending for g in parts),
        )
        cells.append(HeatCell(month, total.mark, total))
    return tuple(cells)


@dataclass(frozen=True)
class Chronic:
    unit: UnitInfo
    name: str
    failed_months: int


def chronic(
    db: Database, scope: UnitInfo, measure: Measure, now: datetime, policy: Policy
) -> list[Chronic]:
    """The units of the scope that failed the most months of the 12 (worst first)."""
    ledger.ensure_current(db, now, policy)
    today = local_date(now)
    calendar = _calendar(policy, today, ledger.start_of(db))
    with db.transaction() as session:
        found = queries.chronic_units(
            session,
            scope,
            MEASURE_KINDS[measure],
            calendar.months,
            calendar.reports,
            today,
            CHRONIC_LIMIT,
        )
    names = unit_labels(db, [c.unit.code for c in found], scope_path=scope.path)
    return [Chronic(c.unit, names.get(c.unit.code, c.unit.name), c.failed_months) for c in found]


# ---------------------------------------------------------------------------
# One unit's year


@dataclass(frozen=True)
class UnitMonth:
    month: Month
    marks: dict[Measure, Mark | None]
    line: MonthLine | None  # the record: held, attendance, rating (as /history shows it)


@dataclass(frozen=True)
class UnitYear:
    unit: UnitInfo
    name: str
    months: tuple[UnitMonth, ...]  # newest first
    status: UnitStatus  # what /status says: overdue, due soon, upcoming meetings
    measures: tuple[Measure, ...]  # the columns: reports only for base organisations


UNIT_MEASURES = (Measure.REGISTRATION, Measure.MEETING, Measure.RATING, Measure.REPORT)


def unit_year(db: Database, unit: UnitInfo, now: datetime, policy: Policy) -> UnitYear:
    """A unit's last 12 months and what it has to do now (its /status)."""
    status = unit_status(db, unit.code, unit.kind, now=now, policy=policy)
    calendar = _calendar(policy, local_date(now), ledger.start_of(db))
    months = calendar.months
    with db.transaction() as session:
        owed = queries.unit_obligations(
            session, [unit.code], MEASURE_KINDS[Measure.ALL], months, calendar.reports
        ).get(unit.code, [])
    lines = {
        line.month: line for line in month_lines(db, unit.code, unit.kind, list(months), now=now)
    }
    marks = {m: unit_marks(owed, m, now) for m in UNIT_MEASURES}
    measures = tuple(
        m for m in UNIT_MEASURES if m != Measure.REPORT or unit.kind in REPORTING_KINDS
    )
    rows = tuple(
        UnitMonth(month, {m: marks[m].get(month) for m in measures}, lines.get(month))
        for month in reversed(months)
    )
    name = unit_labels(db, [unit.code]).get(unit.code, unit.name)
    return UnitYear(unit, name, rows, status, measures)
