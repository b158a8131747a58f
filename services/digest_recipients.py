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

from domain.roles import Role
from storage import digest_recipient_queries as recipients
from storage.db import Session

DIGEST_REASON = "weekly_digest"
RECIPIENT_ROLES = (Role.LEADER, Role.CLUSTER_OFFICER)


def still_entitled(session: Session, chat_id: int, person_id: int | None) -> bool:
    """Whether a digest planned for this chat may still be sent to it."""
    if person_id is None:
        return recipients.is_live(session, chat_id)
    return recipients.holds_any(session, person_id, RECIPIENT_ROLES)
