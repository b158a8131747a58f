"""The ledger rows behind the directive and cluster-meeting lists of a subtree.

Two reads each (the rows with their units, then the directives' or meetings'
titles), whatever the size of the subtree: the weekly digest reads the rows that
can be listed as of one day, the roll-ups those of a period's months.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from domain.digest.duties import ClusterEntry, DirectiveEntry, Ref, base_of
from domain.digest.facts import UnitInfo
from domain.obligations import Obligation, ObligationKind, Resolution
from storage import cluster_meetings, directives
from storage.columns import OBLIGATION_COLUMNS, UNIT_COLUMNS, obligation_of, unit_info
from storage.models import LedgerEntry, Unit
from storage.unit_of_work import core

_Parent = aliased(Unit)
_COLUMNS = (*UNIT_COLUMNS, _Parent.code, _Parent.name, *OBLIGATION_COLUMNS)


def _rows(
    session: Session, scope_path: str, *where: Any
) -> list[tuple[UnitInfo, Ref | None, Obligation]]:
    stmt = (
        select(*_COLUMNS)
        .select_from(LedgerEntry)
        .join(Unit, Unit.code == LedgerEntry.unit_code)
        .outerjoin(_Parent, _Parent.code == Unit.parent_code)
        .where(Unit.path.startswith(scope_path, autoescape=True), Unit.active.is_(True), *where)
        .order_by(Unit.path)
    )
    found = []
    for row in core(session, stmt):
        unit = unit_info(row)
        parent_code: str | None = row[len(UNIT_COLUMNS)]
        parent_name: str = row[len(UNIT_COLUMNS) + 1]
        parent = Ref(parent_code, parent_name) if parent_code is not None else None
        obligation = obligation_of(row[len(UNIT_COLUMNS) + 2 :])
        found.append((unit, base_of(unit, parent), obligation))
    return found


def directive_entries(
    session: Session,
    scope_path: str,
    *,
    due_from: date,
    due_to: date,
    cutoff: datetime,
    late_from: date,
) -> list[DirectiveEntry]:
    """Directive rows due in [due_from, due_to] that may be listed as of `cutoff`: not
    done by then, or done late and due from `late_from` (on-time rows show nothing)."""
    rows = _rows(
        session,
        scope_path,
        LedgerEntry.kind == ObligationKind.DIRECTIVE.value,
        LedgerEntry.due_on >= due_from,
        LedgerEntry.due_on <= due_to,
        or_(
            LedgerEntry.resolution == Resolution.OPEN.value,
            LedgerEntry.resolved_at >= cutoff,
            and_(LedgerEntry.done_on > LedgerEntry.due_on, LedgerEntry.due_on >= late_from),
        ),
    )
    infos = directives.infos(session, {int(o.subject) for _, _, o in rows})
    found = []
    for unit, base, o in rows:
        info = infos.get(int(o.subject))
        if info is not None:
            found.append(DirectiveEntry(info.id, info.reference, info.title, unit, base, o))
    return found


def directive_totals(session: Session, scope_path: str, ids: Sequence[int]) -> dict[int, int]:
    """How many units within the scope each directive was given to."""
    if not ids:
        return {}
    counts = session.execute(
        select(LedgerEntry.subject, func.count())
        .join(Unit, Unit.code == LedgerEntry.unit_code)
        .where(
            LedgerEntry.kind == ObligationKind.DIRECTIVE.value,
            LedgerEntry.subject.in_(sorted(str(i) for i in ids)),
            Unit.path.startswith(scope_path, autoescape=True),
            Unit.active.is_(True),
        )
        .group_by(LedgerEntry.subject)
    )
    return {int(subject): n for subject, n in counts}


def cluster_entries(
    session: Session, scope_path: str, months: Sequence[str], cutoff: datetime
) -> list[ClusterEntry]:
    """Cluster-meeting rows of `months` marked absent before `cutoff`."""
    rows = _rows(
        session,
        scope_path,
        LedgerEntry.kind == ObligationKind.CLUSTER_MEETING.value,
        LedgerEntry.period.in_(sorted(months)),
        LedgerEntry.resolution.in_((Resolution.EXCUSED.value, Resolution.FAILED.value)),
        and_(LedgerEntry.resolved_at.is_not(None), LedgerEntry.resolved_at < cutoff),
    )
    infos = cluster_meetings.infos(session, [int(o.subject) for _, _, o in rows])
    found = []
    for unit, _, o in rows:
        info = infos.get(int(o.subject))
        if info is not None:
            cluster = Ref(info.cluster_code, info.cluster_name)
            found.append(ClusterEntry(info.id, cluster, info.starts_at, unit, o))
    return found
