"""Which obligations a unit has in a selection of periods, each resolved by its facts:
one function per kind, after the due dates in `domain.obligations`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from domain.ledger_facts import (
    ClusterMeetingFact,
    DirectiveFact,
    LedgerUnit,
    Selection,
    Span,
    UnitFacts,
)
from domain.localtime import local_date
from domain.meeting_kinds import MONTHLY_KIND, MeetingKind
from domain.obligations import (
    Obligation,
    ObligationKind,
    Resolution,
    meeting_due,
    rating_due,
    registration_due,
    registration_opens,
    thematic_due,
)
from domain.org import CELL_KINDS, REPORTING_KINDS
from domain.periods import Month, Quarter, parse_period_key
from domain.policy import Policy
from domain.reports import (
    due_date,
)


def derive(
    unit: LedgerUnit, policy: Policy, span: Span, selection: Selection, facts: UnitFacts
) -> Iterator[Obligation]:
    """The unit's obligations in `selection` (and inside `span`), resolved by `facts`."""
    if not unit.active:
        return
    monthly = MONTHLY_KIND.get(unit.kind)
    for month in sorted(selection.months):
        if monthly is not None:
            yield from _registration(unit.code, monthly, month, policy, span, facts)
            yield from _meeting(unit.code, monthly, month, policy, span, facts)
        yield from _ratings(unit.code, month, policy, span, facts)
    if unit.kind in CELL_KINDS:
        for quarter in sorted(selection.quarters):
            yield from _thematic(unit.code, quarter, policy, span, facts)
    if unit.kind in REPORTING_KINDS:
        for code, period_key in sorted(selection.reports):
            yield from _report(unit.code, policy, code, period_key, span, facts)
    # A directive or a cluster meeting is owed by the units it names (its facts).
    for directive_id in sorted(selection.directives):
        directive = facts.directives.get(directive_id)
        if directive is not None:
            yield from _directive(unit.code, directive_id, directive, span)
    for meeting_id in sorted(selection.cluster_meetings):
        invitation = facts.cluster_meetings.get(meeting_id)
        if invitation is not None:
            yield from _cluster_meeting(unit.code, meeting_id, invitation, span)


def _registration(
    code: str, kind: MeetingKind, month: Month, policy: Policy, span: Span, facts: UnitFacts
) -> Iterator[Obligation]:
    due = registration_due(policy, month)
    if not span.covers(registration_opens(policy, month), due):
        return
    schedule = facts.schedules.get((kind, month.key))
    if schedule is None:
        yield Obligation(code, ObligationKind.REGISTRATION, kind.value, month.key, due)
        return
    yield Obligation(
        code,
        ObligationKind.REGISTRATION,
        kind.value,
        month.key,
        due,
        Resolution.DONE,
        done_on=local_date(schedule.registered_at),
        resolved_at=schedule.registered_at,
        source=f"meeting_schedules/{schedule.id}",
    )


def _meeting_state(
    kind: MeetingKind, month: Month, facts: UnitFacts
) -> tuple[datetime | None, datetime | None]:
    """(planned_at, since): the registered date of a meeting still to hold or record, or
    when its schedule was cancelled."""
    schedule = facts.schedules.get((kind, month.key))
    if schedule is None or (kind, month.key) in facts.records:
        return None, None
    if schedule.cancelled:
        return None, schedule.updated_at
    return schedule.planned_at, None


def _meeting(
    code: str,
    kind: MeetingKind,
    month: Month,
    policy: Policy,
    span: Span,
    facts: UnitFacts,
) -> Iterator[Obligation]:
    due = meeting_due(month)
    if not span.covers(registration_opens(policy, month), due):
        return
    planned_at, since = _meeting_state(kind, month, facts)
    base = Obligation(
        code, ObligationKind.MEETING, kind.value, month.key, due, planned_at=planned_at, since=since
    )
    record = facts.records.get((kind, month.key))
    if record is None:
        yield base
        return
    source = f"meeting_records/{record.id}"
    if record.held:
        yield replace(
            base,
            resolution=Resolution.DONE,
            done_on=record.held_on,
            resolved_at=record.recorded_at,
            source=source,
            present=record.present,
            total=record.total_members,
        )
        return
    yield replace(
        base,
        resolution=Resolution.EXCUSED if record.excused else Resolution.FAILED,
        resolved_at=record.recorded_at,
        note=record.reason,
        source=source,
    )


def _ratings(
    code: str, month: Month, policy: Policy, span: Span, facts: UnitFacts
) -> Iterator[Obligation]:
    due = rating_due(policy, month)
    if not span.covers(month.first_day, meeting_due(month)):
        return
    for kind in MeetingKind:
        record = facts.records.get((kind, month.key))
        if record is None or not record.held:
            continue
        base = Obligation(
            code, ObligationKind.RATING, kind.value, month.key, due, since=record.recorded_at
        )
        if record.rating_id is None or record.rated_at is None:
            yield base
            continue
        yield replace(
            base,
            resolution=Resolution.DONE,
            done_on=local_date(record.rated_at),
            resolved_at=record.rated_at,
            source=f"quality_ratings/{record.rating_id}",
            level=record.rating_level,
        )


def _thematic(
    code: str, quarter: Quarter, policy: Policy, span: Span, facts: UnitFacts
) -> Iterator[Obligation]:
    due = thematic_due(quarter)
    if not span.covers(registration_opens(policy, quarter.first_month), due):
        return
    kind = MeetingKind.THEMATIC
    # The next thematic meeting registered in the quarter and not recorded yet: it is
    # reminded even when another one already settled the quarter.
    planned = [p for m in quarter.months if (p := _meeting_state(kind, m, facts)[0]) is not None]
    base = Obligation(
        code,
        ObligationKind.THEMATIC,
        kind.value,
        quarter.key,
        due,
        planned_at=min(planned) if planned else None,
    )
    held = [
        r
        for m in quarter.months
        if (r := facts.records.get((kind, m.key))) is not None and r.held and r.held_on
    ]
    if not held:
        yield base
        return
    first = min(held, key=lambda r: (r.recorded_at, r.id))
    yield replace(
        base,
        resolution=Resolution.DONE,
        done_on=min(r.held_on for r in held if r.held_on),
        resolved_at=first.recorded_at,
        source=f"meeting_records/{first.id}",
    )


def _report(
    code: str, policy: Policy, report_type: str, period_key: str, span: Span, facts: UnitFacts
) -> Iterator[Obligation]:
    try:
        rtype = policy.report_type(report_type)
    except KeyError:
        return
    period = parse_period_key(period_key)
    if not rtype.applies_to(period):
        return
    due = due_date(rtype, period)
    if not span.covers(period.first_day, due):
        return
    base = Obligation(code, ObligationKind.REPORT, report_type, period_key, due)
    sent = facts.reports.get((report_type, period_key))
    if sent is None:
        yield base
        return
    submission_id, sent_at = sent
    yield replace(
        base,
        resolution=Resolution.DONE,
        done_on=local_date(sent_at),
        resolved_at=sent_at,
        source=f"report_submissions/{submission_id}",
    )


def _directive(
    code: str, directive_id: str, fact: DirectiveFact, span: Span
) -> Iterator[Obligation]:
    if not span.covers(local_date(fact.issued_at), fact.due_on):
        return
    period = Month.of(fact.due_on).key
    base = Obligation(code, ObligationKind.DIRECTIVE, directive_id, period, fact.due_on)
    if fact.done_at is None:
        yield base
        return
    yield replace(
        base,
        resolution=Resolution.DONE,
        done_on=local_date(fact.done_at),
        resolved_at=fact.done_at,
        source=f"directive_targets/{fact.target_id}",
    )


def _cluster_meeting(
    code: str, meeting_id: str, fact: ClusterMeetingFact, span: Span
) -> Iterator[Obligation]:
    due = local_date(fact.starts_at)
    if not span.covers(local_date(fact.created_at), due):
        return
    base = Obligation(code, ObligationKind.CLUSTER_MEETING, meeting_id, Month.of(due).key, due)
    if fact.attended is None or fact.marked_at is None:
        yield base
        return
    source = f"cluster_invitations/{fact.invitation_id}"
    if fact.attended:
        yield replace(
            base, resolution=Resolution.DONE, done_on=due, resolved_at=fact.marked_at, source=source
        )
        return
    yield replace(
        base,
        resolution=Resolution.EXCUSED if fact.reason_accepted else Resolution.FAILED,
        resolved_at=fact.marked_at,
        note=fact.reason,
        source=source,
    )
