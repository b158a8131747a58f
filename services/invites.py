"""Invite codes: the only way a Telegram user is bound to a role in a unit."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import invite_codes
from domain.org import MEETING_KINDS, UnitKind
from domain.roles import Role
from domain.unit_names import unit_label
from storage import audit, invite_queries, org_queries, people_queries
from storage.db import Database, Session
from storage.locks import lock_invite_attempts
from storage.models import Invite, InviteFailure, Person, RoleAssignment


@dataclass(frozen=True)
class CreatedInvite:
    id: int
    code: str
    role: Role
    unit_code: str
    unit_name: str
    expires_at: datetime


def create_invite(
    db: Database, *, role: Role, unit_code: str, now: datetime, ttl: timedelta, actor: str
) -> CreatedInvite:
    code = invite_codes.new_code()
    with db.transaction() as session:
        unit = org_queries.unit(session, unit_code)
        if unit is None or not unit.active:
            raise LookupError(unit_code)
        invite = Invite(
            code_hash=invite_codes.code_hash(code),
            code_hint=code[-4:],
            role=role,
            unit_code=unit_code,
            created_by=actor,
            created_at=now,
            expires_at=now + ttl,
        )
        session.add(invite)
        session.flush()
        audit.record(
            session,
            at=now,
            actor=actor,
            action="create",
            entity="invite",
            key=str(invite.id),
            new={"role": role.value, "unit": unit_code},
        )
        return CreatedInvite(invite.id, code, role, unit_code, unit.name, invite.expires_at)


# Where each role is held: a cell's or committee's secretary, a cluster's officer, the bloc.
UNIT_KINDS_OF_ROLE: dict[Role, frozenset[UnitKind]] = {
    Role.SECRETARY: MEETING_KINDS,
    Role.DEPUTY: MEETING_KINDS,
    Role.CLUSTER_OFFICER: frozenset({UnitKind.CLUSTER}),
    Role.LEADER: frozenset({UnitKind.BLOC}),
    Role.ADMIN: frozenset({UnitKind.BLOC}),
}


@dataclass(frozen=True)
class UnitInvite:
    invite: CreatedInvite
    unit_kind: UnitKind
    unit_label: str  # told apart from namesakes (domain.unit_names), code included


@dataclass(frozen=True)
class UnitInvites:
    created: list[UnitInvite]
    skipped_open: list[str]  # units that already have an open invite for the role


def create_unit_invites(
    db: Database, *, role: Role, now: datetime, ttl: timedelta, actor: str
) -> UnitInvites:
    """One invite per active unit where nobody holds `role` yet, in tree order.

    A unit that already has an open invite for the role is skipped (its code cannot be
    shown again: only a hash is kept); revoke it to issue a new one.
    """
    with db.transaction() as session:
        units = org_queries.active_units(session, kinds=UNIT_KINDS_OF_ROLE[role])
        held = invite_queries.units_held(session, role)
        open_invites = invite_queries.units_invited(session, role, now)
        wanted = [u for u in units if u.code not in held]
        names = org_queries.named_units(session, [u.code for u in wanted])
        kinds = {u.code: u.kind for u in wanted}
    skipped = [u.code for u in wanted if u.code in open_invites]
    created = [
        UnitInvite(
            create_invite(db, role=role, unit_code=code, now=now, ttl=ttl, actor=actor),
            kinds[code],
            unit_label(names[code], with_code=True),
        )
        for code in (u.code for u in wanted if u.code not in open_invites)
    ]
    return UnitInvites(created, skipped)


@dataclass(frozen=True)
class InviteView:
    id: int
    hint: str
    role: Role
    unit_code: str
    created_at: datetime
    expires_at: datetime
    state: str  # "open", "used", "revoked", "expired"


def list_invites(db: Database, *, now: datetime) -> list[InviteView]:
    with db.transaction() as session:
        invites = invite_queries.all_invites(session)
        return [
            InviteView(
                i.id, i.code_hint, i.role, i.unit_code, i.created_at, i.expires_at, _state(i, now)
            )
            for i in invites
        ]


def _state(invite: Invite, now: datetime) -> str:
    if invite.used_at is not None:
        return "used"
    if invite.revoked_at is not None:
        return "revoked"
    if invite.expires_at <= now:
        return "expired"
    return "open"


def revoke_invite(db: Database, invite_id: int, *, now: datetime, actor: str) -> bool:
    """Revoke an open invite; False when it does not exist or can no longer be used."""
    with db.transaction() as session:
        invite = invite_queries.invite(session, invite_id)
        if invite is None or _state(invite, now) != "open":
            return False
        invite.revoked_at = now
        audit.record(
            session, at=now, actor=actor, action="revoke", entity="invite", key=str(invite_id)
        )
        return True


class Outcome(enum.StrEnum):
    BOUND = "bound"
    ALREADY_BOUND = "already_bound"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Redemption:
    outcome: Outcome
    role: Role | None = None
    unit_name: str | None = None
    unit_code: str | None = None
    retry_after: datetime | None = None
    attempts_left: int | None = None


@dataclass(frozen=True)
class Throttle:
    max_failures: int
    window: timedelta


@dataclass(frozen=True)
class TelegramUser:
    id: int
    full_name: str
    username: str | None = None
    language_code: str | None = None


def redeem(
    db: Database, user: TelegramUser, text: str, *, now: datetime, throttle: Throttle
) -> Redemption:
    """Bind `user` to the invite's role and unit; count every failure towards the throttle.

    The user's own invite, used before, is "already linked" and costs no attempt (a
    bound user taps their link again). The throttle is atomic across processes: the
    user's attempts are serialised (storage.locks) before they are counted.
    """
    with db.transaction() as session:
        code = invite_codes.normalize(text)
        invite = None
        if code is not None:
            invite = invite_queries.by_hash(session, invite_codes.code_hash(code))
        person = people_queries.by_telegram_id(session, user.id)
        if invite is not None and person is not None and invite.used_by_person_id == person.id:
            unit = org_queries.unit(session, invite.unit_code)
            return Redemption(
                Outcome.ALREADY_BOUND,
                role=invite.role,
                unit_name=unit.name if unit else None,
                unit_code=invite.unit_code,
            )

        lock_invite_attempts(session, user.id)
        since = now - throttle.window
        failures, first_failure = invite_queries.failures_since(session, user.id, since)
        if failures >= throttle.max_failures:
            assert first_failure is not None
            return Redemption(Outcome.THROTTLED, retry_after=first_failure + throttle.window)

        outcome = Outcome.UNKNOWN if invite is None else _unusable(invite, now)
        if outcome is not None:
            session.add(InviteFailure(telegram_user_id=user.id, at=now))
            left = throttle.max_failures - failures - 1
            return Redemption(outcome, attempts_left=left)
        assert invite is not None

        # Claim with a guarded UPDATE: of two simultaneous redemptions only one wins.
        if not invite_queries.claim(session, invite.id, now):
            return Redemption(Outcome.USED)

        person = person or _new_person(session, user, now)
        invite.used_by_person_id = person.id
        already = any(
            r.role == invite.role and r.unit_code == invite.unit_code for r in person.roles
        )
        if not already:
            person.roles.append(
                RoleAssignment(role=invite.role, unit_code=invite.unit_code, created_at=now)
            )
        audit.record(
            session,
            at=now,
            actor=audit.actor_label(user.id),
            actor_person_id=person.id,
            action="redeem",
            entity="invite",
            key=str(invite.id),
            new={"role": invite.role.value, "unit": invite.unit_code},
        )
        unit = org_queries.unit(session, invite.unit_code)
        assert unit is not None
        return Redemption(
            Outcome.ALREADY_BOUND if already else Outcome.BOUND,
            role=invite.role,
            unit_name=unit.name,
            unit_code=unit.code,
        )


def _unusable(invite: Invite, now: datetime) -> Outcome | None:
    state = _state(invite, now)
    return {
        "used": Outcome.USED,
        "revoked": Outcome.REVOKED,
        "expired": Outcome.EXPIRED,
    }.get(state)


def _new_person(session: Session, user: TelegramUser, now: datetime) -> Person:
    person = Person(
        telegram_user_id=user.id,
        full_name=user.full_name,
        username=user.username,
        locale=user.language_code if user.language_code in ("vi", "en") else None,
        created_at=now,
    )
    session.add(person)
    session.flush()
    return person
