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

from domain.localtime import local_date, to_local
from domain.org import CELL_KINDS
from domain.policy import Policy
from domain.roles import Role
from messages.render import label, render
from services.surveys import open_in
from storage import people_queries, planner_runs
from storage.db import Database
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
        if planner_runs.has_run(session, run_key):
            return 0
        surveys = open_in(session, quarter, now=now, policy=policy)
        by_unit = {s.unit_code: s for s in surveys}
        holders = people_queries.reachable_keepers(
            session, [Role.SECRETARY, Role.DEPUTY], CELL_KINDS
        )
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
        planner_runs.mark_run(session, run_key, now, added)
        return added
