"""When a quarter's survey window opens: every cell's survey, and a note to its secretary.

The plan tick calls `plan_survey_notices`; the dispatcher sends. Once a day's
reminder time has come inside the window, the quarter's surveys are opened for
every active cell and each cell's secretary and deputies get one message (outbox
key `survey:{person}:{unit}:{quarter}`) with a button that shows the link to post
in the cell's group. A `planner_runs` row (`survey:{quarter}`) marks the quarter
done, so later ticks read one row and stop.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from domain.localtime import local_date, to_local
from domain.org import CELL_KINDS
from domain.policy import Policy
from domain.roles import Role
from messages.render import label, render
from services.surveys import open_in
from storage.db import Database
from storage.models import Person, PlannerRun, RoleAssignment, Unit
from storage.org_queries import named_units
from storage.outbox import Outgoing, enqueue

REASON = "survey"
LINK_PREFIX = "survey:link:"  # the button: "survey:link:<UNIT>"


def plan_survey_notices(db: Database, now: datetime, policy: Policy) -> int:
    """Open the quarter's surveys and tell the cells' secretaries, once per quarter."""
    today = local_date(now)
    quarter = policy.survey.open_quarter(today)
    rules = policy.reminders
    if quarter is None or rules.quiet_hours.contains(to_local(now).time()):
        return 0
    if to_local(now).time() < rules.send_at:
        return 0
    run_key = f"{REASON}:{quarter.key}"
    with db.transaction() as session:
        if session.get(PlannerRun, run_key) is not None:
            return 0
        surveys = open_in(session, quarter, now=now, policy=policy)
        by_unit = {s.unit_code: s for s in surveys}
        holders = session.execute(
            select(Person.id, Person.telegram_user_id, Person.locale, RoleAssignment.unit_code)
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)
            .join(Unit, Unit.code == RoleAssignment.unit_code)
            .where(
                RoleAssignment.role.in_([Role.SECRETARY, Role.DEPUTY]),
                Unit.kind.in_(sorted(CELL_KINDS)),
                Unit.active.is_(True),
                Person.unreachable_since.is_(None),
            )
        ).all()
        names = named_units(session, {code for *_, code in holders})
        messages = []
        for person_id, chat_id, locale, code in holders:
            survey = by_unit.get(code)
            if survey is None:
                continue
            messages.append(
                Outgoing(
                    dedup_key=f"{REASON}:{person_id}:{code}:{quarter.key}",
                    chat_id=chat_id,
                    person_id=person_id,
                    reason=REASON,
                    period=quarter.key,
                    text=render(
                        "survey_opened",
                        locale,
                        quarter=str(quarter),
                        unit_name=names[code].name,
                        closes_on=survey.closes_on,
                    ),
                    buttons=[
                        [
                            {
                                "text": label("button.survey_link", locale),
                                "callback_data": f"{LINK_PREFIX}{code}",
                            }
                        ]
                    ],
                    not_before=now,
                    expires_at=survey.closes_at,
                )
            )
        added = enqueue(session, messages, now=now)
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(
            dialect.insert(PlannerRun).on_conflict_do_nothing(index_elements=["key"]),
            [{"key": run_key, "ran_at": now, "messages": added}],
        )
        return added
