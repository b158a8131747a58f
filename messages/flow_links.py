"""The callback data of buttons that open a secretary's flow for one unit and period.

"open:<flow>:<UNIT>[:<meeting kind>|:<report type>]:<period>", and
"open:complete:<UNIT>:<directive id>", "open:attend:<UNIT>:<cluster meeting id>" — built
here for /status, reminders and follow-up buttons; `handlers.secretary` reads them back.
"""

from __future__ import annotations

from datetime import date

from domain.obligations import ObligationKind
from domain.periods import parse_period_key
from domain.todo import Action, Todo, action_month

PREFIX = "open:"


def open_link(action: Action, unit_code: str, period: str, detail: str | None = None) -> str:
    parts = [action.value, unit_code, *([detail] if detail else []), period]
    return PREFIX + ":".join(parts)


def directive_link(unit_code: str, directive_id: int | str) -> str:
    return open_link(Action.DIRECTIVE, unit_code, str(directive_id))


def cluster_link(unit_code: str, meeting_id: int | str) -> str:
    return open_link(Action.CLUSTER, unit_code, str(meeting_id))


def todo_link(unit_code: str, item: Todo, today: date) -> str | None:
    """The button that settles `item`, or None when there is nothing to open."""
    o = item.obligation
    if item.action is None:
        return None
    if item.action == Action.DIRECTIVE:
        return directive_link(unit_code, o.subject)
    if item.action == Action.CLUSTER:
        return cluster_link(unit_code, o.subject)
    if item.action == Action.REPORT:
        return open_link(Action.REPORT, unit_code, o.period, o.subject)
    month = action_month(item, today).key
    if item.action == Action.SCHEDULE:
        return open_link(Action.SCHEDULE, unit_code, month)
    kind = "thematic" if o.kind == ObligationKind.THEMATIC else o.subject
    return open_link(item.action, unit_code, month, kind)


def button_item(
    item: Todo, today: date, *, report_name: str | None = None, title: str | None = None
) -> dict[str, str]:
    """The fields the `reminder_button` template labels a flow button with."""
    o = item.obligation
    if item.action == Action.DIRECTIVE:
        return {"type": "directive", "name": title or o.subject}
    if item.action == Action.CLUSTER:
        return {"type": "cluster", "period": f"{o.due_on:%d/%m}"}
    month = str(action_month(item, today)) if item.action != Action.REPORT else ""
    kind = "thematic" if o.kind == ObligationKind.THEMATIC else o.subject
    if item.action == Action.SCHEDULE:
        return {"type": "registration", "month": month}
    if item.action == Action.RECORD:
        return {"type": "record", "kind": kind, "month": month}
    if item.action == Action.RATE:
        return {"type": "rating", "kind": kind, "month": month}
    period = str(parse_period_key(o.period))
    return {"type": "report", "name": report_name or o.subject, "period": period}
