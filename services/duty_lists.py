"""The directive and cluster-meeting lists of a digest or a roll-up: read, then built."""

from __future__ import annotations

from datetime import date

from domain.digest.duties import (
    ClusterAbsence,
    DirectiveProblem,
    cluster_absences,
    directive_problems,
)
from domain.obligations import end_of_day
from domain.windows import Window
from storage import duty_queries
from storage.db import Session

Lists = tuple[tuple[DirectiveProblem, ...], tuple[ClusterAbsence, ...]]


def for_period(
    session: Session,
    scope_path: str,
    *,
    first: date,
    last: date,
    day: date,
    months: list[str],
    judged: date,
) -> Lists:
    """Directives due in [first, last] not done by `day` or done late; absences from the
    cluster meetings of `months` (as known by the end of `day`, judged on `judged`)."""
    cutoff = end_of_day(day)
    entries = duty_queries.directive_entries(
        session, scope_path, due_from=first, due_to=min(last, day), cutoff=cutoff, late_from=first
    )
    totals = duty_queries.directive_totals(
        session, scope_path, sorted({e.directive_id for e in entries})
    )
    directives = directive_problems(entries, totals, judged, cutoff, late_from=first)
    absences = cluster_absences(
        duty_queries.cluster_entries(session, scope_path, months, cutoff), cutoff
    )
    return directives, absences


def for_window(session: Session, scope_path: str, window: Window) -> Lists:
    """The weekly digest's: every directive still not done by the day, and those due from
    the meeting month's start done late; absences from the cluster meetings of the window's
    months (`Window.cluster_months`)."""
    day = window.day
    cutoff = end_of_day(day)
    late_from = window.meeting_month.first_day
    entries = duty_queries.directive_entries(
        session, scope_path, due_from=date.min, due_to=day, cutoff=cutoff, late_from=late_from
    )
    totals = duty_queries.directive_totals(
        session, scope_path, sorted({e.directive_id for e in entries})
    )
    directives = directive_problems(entries, totals, day, cutoff, late_from=late_from)
    months = list(window.cluster_months)
    absences = cluster_absences(
        duty_queries.cluster_entries(session, scope_path, months, cutoff), cutoff
    )
    return directives, absences
