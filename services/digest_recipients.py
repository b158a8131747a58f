"""Who may receive the weekly digest, now: the one rule planning and sending share.

Leaders and cluster officers of active units get it for their scope; a group chat
gets it while the person who subscribed it still holds a /subscribe role (leader,
admin) over the subscribed unit. Planning reads these queries every week, and the
dispatcher asks `still_entitled` again right before it sends each digest message,
so a role taken away stops the digest even if the week was planned before.
Kept apart from services.digest_delivery so the dispatcher need not import the
digest's renderers.
"""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from domain.roles import PERMISSIONS, Action, Role
from storage.models import ChatSubscription, Person, RoleAssignment, Unit

DIGEST_REASON = "weekly_digest"
RECIPIENT_ROLES = (Role.LEADER, Role.CLUSTER_OFFICER)

_SPONSOR = aliased(Unit)
_SPONSORED = exists().where(
    RoleAssignment.person_id == ChatSubscription.subscribed_by,
    RoleAssignment.role.in_(PERMISSIONS[Action.SUBSCRIBE]),
    RoleAssignment.unit_code == _SPONSOR.code,
    _SPONSOR.active.is_(True),
    # The subscribed unit lies in the subscriber's subtree (a prefix of its path).
    func.substr(Unit.path, 1, func.length(_SPONSOR.path)) == _SPONSOR.path,
)
LIVE_SUBSCRIPTIONS = (
    select(ChatSubscription.chat_id, ChatSubscription.unit_code, Unit.path)
    .join(Unit, Unit.code == ChatSubscription.unit_code)
    .where(Unit.active.is_(True), _SPONSORED)
)
_ROLE_HOLDERS = (
    select(Person.telegram_user_id, Person.id, Person.locale, Unit.code, Unit.path)
    .join(RoleAssignment, RoleAssignment.person_id == Person.id)
    .join(Unit, Unit.code == RoleAssignment.unit_code)
    .where(RoleAssignment.role.in_(RECIPIENT_ROLES), Unit.active.is_(True))
)
# Planning skips people Telegram reported unreachable; a planned row is still tried.
RECIPIENT_PEOPLE = _ROLE_HOLDERS.where(Person.unreachable_since.is_(None))


def still_entitled(session: Session, chat_id: int, person_id: int | None) -> bool:
    """Whether a digest planned for this chat may still be sent to it."""
    if person_id is None:
        live = LIVE_SUBSCRIPTIONS.where(ChatSubscription.chat_id == chat_id)
        return session.execute(live.limit(1)).first() is not None
    person = _ROLE_HOLDERS.where(Person.id == person_id)
    return session.execute(person.limit(1)).first() is not None
