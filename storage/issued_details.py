"""What texts say about a unit's directives and cluster meetings besides their status:
a directive's number and title, a cluster meeting's cluster, time and the unit's answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.obligations import Obligation, ObligationKind
from storage import cluster_meetings, directives
from storage.models import ClusterInvitation


@dataclass(frozen=True)
class Details:
    directives: dict[int, directives.DirectiveInfo] = field(default_factory=dict)
    meetings: dict[int, cluster_meetings.MeetingInfo] = field(default_factory=dict)
    answers: dict[int, str | None] = field(default_factory=dict)  # by meeting id

    def of(self, o: Obligation) -> tuple[str, datetime | None, str | None]:
        """(title, when, answer) of a directive's or a cluster meeting's obligation."""
        if o.kind == ObligationKind.DIRECTIVE:
            d = self.directives.get(int(o.subject))
            if d is None:
                return o.subject, None, None
            return (f"{d.reference} — {d.title}" if d.reference else d.title), None, None
        m = self.meetings.get(int(o.subject))
        if m is None:
            return o.subject, None, None
        return m.cluster_name, m.starts_at, self.answers.get(m.id)


def load(session: Session, unit_code: str, obligations: Iterable[Obligation]) -> Details:
    wanted = list(obligations)
    directive_ids = [int(o.subject) for o in wanted if o.kind == ObligationKind.DIRECTIVE]
    meeting_ids = [int(o.subject) for o in wanted if o.kind == ObligationKind.CLUSTER_MEETING]
    answers: dict[int, str | None] = {}
    if meeting_ids:
        answers = dict(
            session.execute(
                select(ClusterInvitation.meeting_id, ClusterInvitation.answer).where(
                    ClusterInvitation.unit_code == unit_code,
                    ClusterInvitation.meeting_id.in_(sorted(set(meeting_ids))),
                )
            ).all()
        )
    return Details(
        directives.infos(session, directive_ids),
        cluster_meetings.infos(session, meeting_ids),
        answers,
    )
