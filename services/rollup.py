"""Half-year and year roll-ups (and quarters): read the period's ledger rows, build.

One read transaction. The ledger is brought up to the roll-up's day first, like the
digest (`services.ledger.ensure_through`).
"""

from __future__ import annotations

from datetime import date

from domain.obligations import end_of_day
from domain.periods import Period
from domain.policy import Policy
from domain.rollup import Rollup, RollupFacts
from domain.rollup_build import compute_rollup, judged_on
from services import duty_lists, ledger
from services.digest import ScopeNotFound
from storage import digest_queries, rollup_queries
from storage.db import Database


def build_rollup(db: Database, scope_code: str, period: Period, at: date, policy: Policy) -> Rollup:
    """The roll-up of `period` for `scope_code`'s subtree, as known at the end of `at`
    (a day inside the period: a period not over yet is rolled up to `at`)."""
    day = min(at, period.last_day)
    ledger.ensure_through(db, day, policy)
    cutoff = end_of_day(day)
    with db.transaction() as session:
        scope = digest_queries.load_scope(session, scope_code)
        if scope is None:
            raise ScopeNotFound(scope_code)
        directives, absences = duty_lists.for_period(
            session,
            scope.path,
            first=period.first_day,
            last=period.last_day,
            day=day,
            months=[m.key for m in period.months],
            judged=judged_on(period, day),
        )
        facts = RollupFacts(
            scope=scope,
            units=rollup_queries.units(session, scope),
            obligations=rollup_queries.obligations(session, scope, period),
            attendance=rollup_queries.attendance(session, scope, period, cutoff),
            ratings=rollup_queries.ratings(session, scope, period, cutoff),
            visits=rollup_queries.visits(session, scope, period, cutoff),
            directives=directives,
            absences=absences,
        )
    return compute_rollup(facts, period, day, policy)
