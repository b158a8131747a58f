"""The dashboard's week: the digest itself (`services.digest.build_digest`, the numbers
of `/digest` and `chibo digest --format json`), its lists flattened and filtered for
the page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.digest.facts import UnitInfo, UnitRef
from domain.digest.lists import Lists
from domain.digest.results import Digest
from domain.localtime import local_date
from domain.org import fold
from domain.policy import Policy
from services.digest import build_digest
from services.org import unit_labels
from storage import dashboard_queries as queries
from storage.db import Database

LIST_KINDS = (
    "not_registered",
    "registered_late",
    "reports",
    "meetings_not_held",
    "implausible_ratings",
    "attendance_below_target",
    "thematic_missing",
    "unreachable",
)


@dataclass(frozen=True)
class ListItem:
    """One line of one of the digest's lists, flattened for the page."""

    list_kind: str
    unit: UnitRef
    detail: Mapping[str, object]  # what the template shows beside the unit


@dataclass(frozen=True)
class Week:
    digest: Digest
    names: dict[str, str]
    items: tuple[ListItem, ...]  # after the filters
    counts: dict[str, int]  # per list, before the filters
    children: tuple[UnitInfo, ...]


def week(
    db: Database,
    scope: UnitInfo,
    now: datetime,
    policy: Policy,
    *,
    list_kind: str | None = None,
    within: str | None = None,
    text: str = "",
) -> Week:
    """The digest of the scope as of today (as `/digest` builds it), with its lists
    filtered by list, by child unit of the scope and by name or code."""
    digest = build_digest(db, scope.code, local_date(now), policy)
    items = list(_items(digest.lists))
    codes = {i.unit.code for i in items}
    with db.transaction() as session:
        paths = queries.unit_paths(session, codes)
        children = tuple(queries.load_children(session, scope))
    names = unit_labels(db, codes | {c.code for c in children}, scope_path=scope.path)
    counts = {k: 0 for k in LIST_KINDS}
    for item in items:
        counts[item.list_kind] += 1
    within_path = next((c.path for c in children if c.code == within), None)
    needle = fold(text).strip()
    kept = tuple(
        i
        for i in items
        if (list_kind in (None, "", i.list_kind))
        and (within_path is None or paths.get(i.unit.code, "").startswith(within_path))
        and (not needle or needle in fold(f"{i.unit.code} {names.get(i.unit.code, i.unit.name)}"))
    )
    return Week(digest, names, kept, counts, children)


def _items(lists: Lists) -> Iterable[ListItem]:
    for group in lists.not_registered:
        for unit in group.units:
            detail = {"group": group.group.name if group.group else None, "total": group.total}
            yield ListItem("not_registered", unit, detail)
    for late in lists.registered_late:
        yield ListItem("registered_late", late.unit, {"on": late.registered_on})
    for r in lists.reports:
        yield ListItem(
            "reports",
            r.unit,
            {
                "report": r.report_name,
                "period": r.period_label,
                "due": r.due,
                "status": r.status.value,
                "sent_on": r.sent_on,
            },
        )
    for m in lists.meetings_not_held:
        yield ListItem(
            "meetings_not_held",
            m.unit,
            {
                "kind": m.kind.value,
                "excused": m.excused,
                "recorded": m.recorded,
                "reason": m.reason,
            },
        )
    for f in lists.implausible_ratings:
        yield ListItem(
            "implausible_ratings",
            f.unit,
            {"kind": f.kind.value, "level": f.level, "score": f.score, "flags": f.flags},
        )
    for a in lists.attendance_below_target:
        yield ListItem(
            "attendance_below_target",
            a.unit,
            {"present": a.present, "total": a.total, "rate": a.rate},
        )
    for t in lists.thematic_missing:
        yield ListItem("thematic_missing", t.unit, {"status": t.status.value})
    for u in lists.unreachable:
        yield ListItem(
            "unreachable", u.unit, {"role": u.role, "name": u.person_name, "since": u.since}
        )
