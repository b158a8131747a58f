"""Who may receive the weekly digest: role holders of active units, and live group-chat
subscriptions (services.digest_recipients says when a subscription is live)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from domain.roles import PERMISSIONS, Action, Role
from storage.models import ChatSubscription, Person, RoleAssignment, Unit

_SPONSOR = aliased(Unit)
_SPONSORED = exists().where(
    RoleAssignment.person_id == ChatSubscription.subscribed_by,
    RoleAssignment.role.in_(PERMISSIONS[Action.SUBSCRIBE]),
    RoleAssignment.unit_code == _SPONSOR.code,
    _SPONSOR.active.is_(True),
    # The subscribed unit lies in the subscriber's subtree (a prefix of its path).
    func.substr(Unit.path, 1, func.length(_SPONSOR.path)) == _SPONSOR.path,
)
_LIVE_SUBSCRIPTIONS = (
    select(ChatSubscription.chat_id, ChatSubscription.unit_code, Unit.path)
    .join(Unit, Unit.code == ChatSubscription.unit_code)
    .where(Unit.active.is_(True), _SPONSORED)
)


def _role_holders(roles: Collection[Role]) -> Any:
    return (
        select(Person.telegram_user_id, Person.id, Person.locale, Unit.code, Unit.path)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .join(Unit, Unit.code == RoleAssignment.unit_code)
        .where(RoleAssignment.role.in_(roles), Unit.active.is_(True))
    )


def subscription(session: Session, chat_id: int) -> ChatSubscription | None:
    return session.get(ChatSubscription, chat_id)


def live_subscriptions(session: Session) -> list[tuple[int, str, str]]:
    """(chat id, unit code, unit path) of every live subscription."""
    return [(chat, code, path) for chat, code, path in session.execute(_LIVE_SUBSCRIPTIONS)]


def is_live(session: Session, chat_id: int) -> bool:
    live = _LIVE_SUBSCRIPTIONS.where(ChatSubscription.chat_id == chat_id)
    return session.execute(live.limit(1)).first() is not None


def reachable_holders(
    session: Session, roles: Collection[Role]
) -> list[tuple[int, int, str | None, str, str]]:
    """(chat id, person id, locale, unit code, unit path) of each holder of `roles` over an
    active unit; people Telegram reported unreachable are left out."""
    query = _role_holders(roles).where(Person.unreachable_since.is_(None))
    return [
        (chat, pid, locale, code, path) for chat, pid, locale, code, path in session.execute(query)
    ]


def holds_any(session: Session, person_id: int, roles: Collection[Role]) -> bool:
    """Whether the person holds one of `roles` over an active unit."""
    person = _role_holders(roles).where(Person.id == person_id)
    return session.execute(person.limit(1)).first() is not None
