"""Cluster meetings: the officer calls one, the units answer, the officer marks who came.

One transaction per use-case, audited. Calling a meeting and marking attendance
refresh its obligations in the ledger in the same transaction; calling it also
puts the invitation, with buttons to answer, into the outbox for each invited
unit's secretary (or the deputy standing in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import cluster_meetings as rules
from domain import stand_in
from domain.cluster_meetings import Answer, Mark
from domain.errors import UserInputError
from domain.localtime import local_date
from domain.org import UnitKind
from domain.policy import Policy
from domain.reminder_timing import after_quiet_hours
from domain.roles import Action, Role
from domain.text_vi import short_text
from domain.unit_names import unit_label
from messages.flow_links import cluster_link
from messages.render import error_text, label, render
from services import ledger
from services.actors import Actor, ScopeLost, actor_in, require_unit
from storage import audit, org_queries
from storage import cluster_meetings as rows
from storage.db import Database, Session
from storage.outbox import Outgoing, enqueue
from storage.recipients import unit_keepers

REASON = "cluster_meeting"
# The officer's menu shows meetings this recent (to mark) and every one ahead.
RECENT = timedelta(days=30)


def _require_cluster(session: Session, actor: Actor, cluster_code: str) -> Actor:
    """The actor re-read now, if they still call this cluster's meetings: its officer, or
    an admin over it."""
    fresh = actor_in(session, actor.telegram_user_id)
    cluster = org_queries.unit(session, cluster_code)
    if fresh is None or cluster is None or not cluster.active:
        raise ScopeLost()
    for scope in fresh.scopes_for(Action.CLUSTER_MEETING):
        if scope.role == Role.CLUSTER_OFFICER and scope.unit_code == cluster_code:
            return fresh
        if scope.role == Role.ADMIN and cluster.path.startswith(scope.unit_path):
            return fresh
    raise ScopeLost()


@dataclass(frozen=True)
class MeetingRequest:
    cluster_code: str
    starts_at: datetime
    place: str
    agenda: str
    units: tuple[str, ...] = ()  # empty: every base organisation of the cluster


def invitees(db: Database, cluster_code: str, chosen: Sequence[str] = ()) -> list[str]:
    with db.transaction() as session:
        path, units = rows.cluster_units(session, cluster_code)
    return rules.invitees(path, units, chosen)


def _who(session: Session, actor: Actor | None, cluster_code: str) -> tuple[str, int | None]:
    """(audit label, person id) of who acts: the officer re-read now, or the office's CLI."""
    if actor is None:
        cluster = org_queries.unit(session, cluster_code)
        if cluster is None or not cluster.active or cluster.kind != UnitKind.CLUSTER:
            raise UserInputError(error_text("cluster_unknown", code=cluster_code))
        return audit.CLI_ACTOR, None
    fresh = _require_cluster(session, actor, cluster_code)
    return audit.actor_label(fresh.telegram_user_id), fresh.person_id


def call(
    db: Database, actor: Actor | None, request: MeetingRequest, *, now: datetime, policy: Policy
) -> tuple[rows.MeetingInfo, int]:
    """Register the meeting and invite the units; returns it and how many were told.
    `actor` None: the office's CLI."""
    rules.check_start(request.starts_at, now)
    place = short_text(request.place, error_text("what.place"), rules.MAX_PLACE)
    agenda = short_text(request.agenda, error_text("what.agenda"), rules.MAX_AGENDA)
    with db.transaction() as session:
        label, person_id = _who(session, actor, request.cluster_code)
        path, units = rows.cluster_units(session, request.cluster_code)
        codes = rules.invitees(path, units, request.units)
        meeting_id = rows.add(
            session,
            cluster_code=request.cluster_code,
            starts_at=request.starts_at,
            place=place,
            agenda=agenda,
            unit_codes=codes,
            now=now,
            created_by=person_id,
        )
        audit.record(
            session,
            at=now,
            actor=label,
            actor_person_id=person_id,
            action="call",
            entity="cluster_meeting",
            key=str(meeting_id),
            new={
                "cluster": request.cluster_code,
                "starts_at": request.starts_at.isoformat(),
                "place": place,
                "agenda": agenda,
                "units": codes,
            },
        )
        ledger.refresh_cluster_meeting(session, policy, now, meeting_id, codes)
        info = rows.get(session, meeting_id)
        assert info is not None
        told = _invite(session, info, codes, now, policy)
    return info, told


def _invite(
    session: Session, info: rows.MeetingInfo, codes: Sequence[str], now: datetime, policy: Policy
) -> int:
    keepers = unit_keepers(session, codes)
    names = org_queries.named_units(session, codes)
    at = after_quiet_hours(now, policy.reminders.quiet_hours)
    messages = []
    for code in codes:
        found = keepers.get(code)
        if found is None:
            continue
        recipients, _ = stand_in.reminded(found.secretaries, found.deputies, local_date(now))
        for person in recipients:
            unit_name = unit_label(names[code], with_code=False) if code in names else code
            messages.append(
                Outgoing(
                    dedup_key=f"{REASON}:{info.id}:{person.person_id}:{code}",
                    chat_id=person.chat_id,
                    reason=REASON,
                    period=str(info.id),
                    text=render(
                        "cluster_invitation", person.locale, meeting=info, unit_name=unit_name
                    ),
                    not_before=at,
                    person_id=person.person_id,
                    buttons=[
                        [
                            {
                                "text": label("button.cluster_answer", person.locale),
                                "callback_data": cluster_link(code, info.id),
                            }
                        ]
                    ],
                    expires_at=info.starts_at,
                )
            )
    return enqueue(session, messages, now=now)


# ---------------------------------------------------------------------------
# The unit's answer


def open_for_unit(db: Database, unit_code: str, now: datetime) -> list[rows.MeetingInfo]:
    """Meetings still ahead that the unit is invited to."""
    with db.transaction() as session:
        return rows.for_unit(session, unit_code, since=now)


def invitation(
    db: Database, meeting_id: int, unit_code: str
) -> tuple[rows.MeetingInfo, rows.InvitationInfo] | None:
    with db.transaction() as session:
        info = rows.get(session, meeting_id)
        found = [i for i in rows.invitations(session, meeting_id) if i.unit_code == unit_code]
    if info is None or not found:
        return None
    return info, found[0]


def answer(
    db: Database,
    actor: Actor,
    meeting_id: int,
    unit_code: str,
    choice: Answer,
    text: str,
    *,
    now: datetime,
) -> rows.MeetingInfo:
    """Who will come (`text` is the delegate), or why the unit cannot (`text` the reason)."""
    if choice == Answer.ATTEND:
        text = short_text(text, error_text("what.delegate"), rules.MAX_DELEGATE)
    else:
        text = short_text(text, error_text("what.reason"), rules.MAX_REASON)
    with db.transaction() as session:
        actor = require_unit(session, actor, Action.CLUSTER_ANSWER, unit_code)
        row = rows.invitation_row(session, meeting_id, unit_code)
        info = rows.get(session, meeting_id)
        if row is None or info is None:
            raise UserInputError(error_text("cluster_own_unit_not_invited"))
        if info.starts_at <= now:
            raise UserInputError(error_text("cluster_meeting_started"))
        old = {"answer": row.answer, "delegate": row.delegate, "reason": row.reason}
        row.answer = choice.value
        row.delegate = text if choice == Answer.ATTEND else None
        row.reason = text if choice == Answer.ABSENT else None
        row.answered_at, row.answered_by = now, actor.person_id
        audit.record_by(
            session,
            actor,
            at=now,
            action="answer",
            entity="cluster_invitation",
            key=f"{meeting_id}:{unit_code}",
            old=old if old["answer"] else None,
            new={"answer": row.answer, "delegate": row.delegate, "reason": row.reason},
        )
    return info


# ---------------------------------------------------------------------------
# The officer's side


def meetings_of(
    db: Database, cluster_codes: Sequence[str], now: datetime
) -> list[rows.MeetingInfo]:
    """The clusters' meetings of the last 30 days and ahead."""
    with db.transaction() as session:
        return rows.of_clusters(session, cluster_codes, since=now - RECENT)


def listing(
    db: Database, cluster_code: str | None, now: datetime
) -> list[tuple[rows.MeetingInfo, list[rows.InvitationInfo]]]:
    """Meetings of the last 30 days and ahead (of one cluster, or all), with their units."""
    with db.transaction() as session:
        codes = [cluster_code] if cluster_code else rows.cluster_codes(session)
        found = rows.of_clusters(session, codes, since=now - RECENT)
        return [(m, rows.invitations(session, m.id)) for m in found]


def roll_call(
    db: Database, meeting_id: int
) -> tuple[rows.MeetingInfo, list[rows.InvitationInfo]] | None:
    with db.transaction() as session:
        info = rows.get(session, meeting_id)
        invited = rows.invitations(session, meeting_id)
    return (info, invited) if info is not None else None


def mark(
    db: Database,
    actor: Actor | None,
    meeting_id: int,
    marks: Mapping[str, Mark],
    *,
    now: datetime,
    policy: Policy,
) -> rows.MeetingInfo:
    """Save who came (every invited unit gets a mark; a unit not in `marks` is absent)."""
    with db.transaction() as session:
        meeting = rows.meeting_row(session, meeting_id)
        if meeting is None:
            raise UserInputError(error_text("cluster_meeting_not_found"))
        label, person_id = _who(session, actor, meeting.cluster_code)
        if meeting.starts_at > now:
            raise UserInputError(error_text("cluster_meeting_not_yet"))
        changed: list[str] = []
        for row in rows.invitation_rows(session, meeting_id):
            chosen = marks.get(row.unit_code, Mark.ABSENT)
            if row.attended == chosen.attended and row.reason_accepted == chosen.reason_accepted:
                continue
            audit.record(
                session,
                at=now,
                actor=label,
                actor_person_id=person_id,
                action="mark",
                entity="cluster_invitation",
                key=f"{meeting_id}:{row.unit_code}",
                old=None
                if row.attended is None
                else {"attended": row.attended, "reason_accepted": row.reason_accepted},
                new={"attended": chosen.attended, "reason_accepted": chosen.reason_accepted},
            )
            row.attended, row.reason_accepted = chosen.attended, chosen.reason_accepted
            row.marked_at, row.marked_by = now, person_id
            changed.append(row.unit_code)
        meeting.marked_at = now
        session.flush()
        if changed:
            ledger.refresh_cluster_meeting(session, policy, now, meeting_id, changed)
        info = rows.get(session, meeting_id)
    assert info is not None
    return info
