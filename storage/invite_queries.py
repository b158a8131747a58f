"""Invites' reads and the guarded claim: who holds a role, open invites, failed attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.roles import Role
from storage.dml import rows_affected
from storage.models import Invite, InviteFailure, RoleAssignment


def invite(session: Session, invite_id: int) -> Invite | None:
    return session.get(Invite, invite_id)


def all_invites(session: Session) -> list[Invite]:
    return list(session.scalars(select(Invite).order_by(Invite.id)))


def by_hash(session: Session, code_hash: str) -> Invite | None:
    return session.scalar(select(Invite).where(Invite.code_hash == code_hash))


def units_held(session: Session, role: Role) -> set[str]:
    """The units where somebody holds `role`."""
    return set(session.scalars(select(RoleAssignment.unit_code).where(RoleAssignment.role == role)))


def units_invited(session: Session, role: Role, now: datetime) -> set[str]:
    """The units with an invite for `role` that can still be used at `now`."""
    return set(
        session.scalars(
            select(Invite.unit_code).where(
                Invite.role == role,
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
                Invite.expires_at > now,
            )
        )
    )


def failures_since(
    session: Session, telegram_user_id: int, since: datetime
) -> tuple[int, datetime | None]:
    """How many failed attempts the user made after `since`, and when the first was."""
    count, first = session.execute(
        select(func.count(), func.min(InviteFailure.at)).where(
            InviteFailure.telegram_user_id == telegram_user_id, InviteFailure.at > since
        )
    ).one()
    return count, first


def claim(session: Session, invite_id: int, now: datetime) -> bool:
    """Mark the invite used, if it still is unused and not revoked: a guarded UPDATE, so
    of two simultaneous redemptions only one wins."""
    claimed = session.execute(
        update(Invite)
        .where(Invite.id == invite_id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
        .values(used_at=now)
    )
    return rows_affected(claimed) == 1
