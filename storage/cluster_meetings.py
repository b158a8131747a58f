"""Cluster meetings' reads and writes: the meeting, the units invited, answers and marks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from domain.org import UnitKind
from storage.models import ClusterInvitation, ClusterMeeting, Unit


@dataclass(frozen=True)
class MeetingInfo:
    id: int
    cluster_code: str
    cluster_name: str
    starts_at: datetime
    place: str
    agenda: str
    marked_at: datetime | None


@dataclass(frozen=True)
class InvitationInfo:
    id: int
    unit_code: str
    unit_name: str
    answer: str | None
    delegate: str | None
    reason: str | None
    attended: bool | None
    reason_accepted: bool | None


_MEETING = select(
    ClusterMeeting.id,
    ClusterMeeting.cluster_code,
    Unit.name,
    ClusterMeeting.starts_at,
    ClusterMeeting.place,
    ClusterMeeting.agenda,
    ClusterMeeting.marked_at,
).join(Unit, Unit.code == ClusterMeeting.cluster_code)


def cluster_units(
    session: Session, cluster_code: str
) -> tuple[str, list[tuple[str, UnitKind, str]]]:
    """The cluster's path and its active units as (code, kind, path)."""
    cluster = session.get(Unit, cluster_code)
    if cluster is None:
        return "", []
    rows = session.execute(
        select(Unit.code, Unit.kind, Unit.path).where(
            Unit.path.startswith(cluster.path, autoescape=True), Unit.active.is_(True)
        )
    )
    return cluster.path, [(code, kind, path) for code, kind, path in rows]


def cluster_codes(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Unit.code).where(Unit.kind == UnitKind.CLUSTER, Unit.active.is_(True))
        )
    )


def add(
    session: Session,
    *,
    cluster_code: str,
    starts_at: datetime,
    place: str,
    agenda: str,
    unit_codes: Sequence[str],
    now: datetime,
    created_by: int | None,
) -> int:
    row = ClusterMeeting(
        cluster_code=cluster_code,
        starts_at=starts_at,
        place=place,
        agenda=agenda,
        created_at=now,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    session.add_all(ClusterInvitation(meeting_id=row.id, unit_code=code) for code in unit_codes)
    session.flush()
    return row.id


def get(session: Session, meeting_id: int) -> MeetingInfo | None:
    row = session.execute(_MEETING.where(ClusterMeeting.id == meeting_id)).first()
    return MeetingInfo(*row) if row is not None else None


def infos(session: Session, ids: Sequence[int]) -> dict[int, MeetingInfo]:
    if not ids:
        return {}
    return {
        row[0]: MeetingInfo(*row)
        for row in session.execute(_MEETING.where(ClusterMeeting.id.in_(sorted(set(ids)))))
    }


def of_clusters(
    session: Session, cluster_codes: Sequence[str], *, since: datetime
) -> list[MeetingInfo]:
    """The clusters' meetings starting from `since`, soonest first."""
    rows = session.execute(
        _MEETING.where(
            ClusterMeeting.cluster_code.in_(sorted(cluster_codes)),
            ClusterMeeting.starts_at >= since,
        ).order_by(ClusterMeeting.starts_at, ClusterMeeting.id)
    )
    return [MeetingInfo(*row) for row in rows]


def invitations(session: Session, meeting_id: int) -> list[InvitationInfo]:
    rows = session.execute(
        select(
            ClusterInvitation.id,
            ClusterInvitation.unit_code,
            Unit.name,
            ClusterInvitation.answer,
            ClusterInvitation.delegate,
            ClusterInvitation.reason,
            ClusterInvitation.attended,
            ClusterInvitation.reason_accepted,
        )
        .join(Unit, Unit.code == ClusterInvitation.unit_code)
        .where(ClusterInvitation.meeting_id == meeting_id)
        .order_by(Unit.path)
    )
    return [InvitationInfo(*row) for row in rows]


def invitation_row(session: Session, meeting_id: int, unit_code: str) -> ClusterInvitation | None:
    return session.scalar(
        select(ClusterInvitation).where(
            ClusterInvitation.meeting_id == meeting_id, ClusterInvitation.unit_code == unit_code
        )
    )


def invitation_rows(session: Session, meeting_id: int) -> list[ClusterInvitation]:
    return list(
        session.scalars(select(ClusterInvitation).where(ClusterInvitation.meeting_id == meeting_id))
    )


def meeting_row(session: Session, meeting_id: int) -> ClusterMeeting | None:
    return session.get(ClusterMeeting, meeting_id)


def for_unit(session: Session, unit_code: str, *, since: datetime) -> list[MeetingInfo]:
    """Meetings starting after `since` that the unit is invited to, soonest first."""
    rows = session.execute(
        _MEETING.join(ClusterInvitation, ClusterInvitation.meeting_id == ClusterMeeting.id)
        .where(ClusterInvitation.unit_code == unit_code, ClusterMeeting.starts_at > since)
        .order_by(ClusterMeeting.starts_at, ClusterMeeting.id)
    )
    return [MeetingInfo(*row) for row in rows]


# ---------------------------------------------------------------------------
# What the reminder planner reads


@dataclass(frozen=True)
class UnitInvitation:
    """An invited unit of a meeting starting soon, and whether it has answered."""

    unit_code: str
    unit_name: str
    unit_path: str
    meeting_id: int
    cluster_name: str
    starts_at: datetime
    place: str
    answered: bool


def invitations_between(session: Session, start: datetime, end: datetime) -> list[UnitInvitation]:
    """Invitations of active units to meetings starting in [start, end)."""
    cluster = aliased(Unit)
    rows = session.execute(
        select(
            Unit.code,
            Unit.name,
            Unit.path,
            ClusterMeeting.id,
            cluster.name,
            ClusterMeeting.starts_at,
            ClusterMeeting.place,
            ClusterInvitation.answer.is_not(None),
        )
        .select_from(ClusterInvitation)
        .join(ClusterMeeting, ClusterMeeting.id == ClusterInvitation.meeting_id)
        .join(Unit, Unit.code == ClusterInvitation.unit_code)
        .join(cluster, cluster.code == ClusterMeeting.cluster_code)
        .where(
            Unit.active.is_(True),
            ClusterMeeting.starts_at >= start,
            ClusterMeeting.starts_at < end,
        )
        .order_by(ClusterMeeting.starts_at, Unit.path)
    )
    return [UnitInvitation(*row) for row in rows]


def unmarked(session: Session, since: datetime, until: datetime) -> list[tuple[MeetingInfo, str]]:
    """Meetings held in [since, until) whose attendance is not marked, with the cluster's path."""
    rows = session.execute(
        _MEETING.add_columns(Unit.path).where(
            ClusterMeeting.starts_at >= since,
            ClusterMeeting.starts_at < until,
            ClusterMeeting.marked_at.is_(None),
        )
    )
    return [(MeetingInfo(*row[:7]), row[7]) for row in rows]
