"""Roles and what each may do: the one table access control reads (deny by default)."""

from __future__ import annotations

import enum
from collections.abc import Mapping


class Role(enum.StrEnum):
    SECRETARY = "secretary"
    DEPUTY = "deputy"
    CLUSTER_OFFICER = "cluster_officer"
    LEADER = "leader"
    ADMIN = "admin"


class Action(enum.StrEnum):
    HELP = "help"
    WHOAMI = "whoami"
    STATUS = "status"
    SCHEDULE = "schedule"
    RECORD = "record"
    RATE = "rate"
    REPORT = "report"
    HISTORY = "history"
    DIGEST = "digest"
    OVERDUE = "overdue"
    UNIT_LOOKUP = "unit_lookup"
    SUBSCRIBE = "subscribe"
    EDIT_CLOSED_PERIOD = "edit_closed_period"
    MANAGE_INVITES = "manage_invites"
    MANAGE_ROLES = "manage_roles"
    SNOOZE = "snooze"
    AWAY = "away"
    ISSUE_DIRECTIVE = "issue_directive"
    CONFIRM_DIRECTIVE = "confirm_directive"
    DIRECTIVES = "directives"
    CLUSTER_MEETING = "cluster_meeting"
    CLUSTER_ANSWER = "cluster_answer"
    SURVEY = "survey"  # a cell's survey link and results, or a scope's
    ANSWER_SURVEY = "answer_survey"  # a member answers: anyone, strangers included
    ADMISSION = "admission"  # record admissions and transfers of a base organisation
    GRADE = "grade"  # the year-end preview of a scope


_CELL = frozenset({Role.SECRETARY, Role.DEPUTY})
_OVERSIGHT = frozenset({Role.CLUSTER_OFFICER, Role.LEADER, Role.ADMIN})
_EVERYONE = _CELL | _OVERSIGHT

PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.HELP: _EVERYONE,
    Action.WHOAMI: _EVERYONE,
    Action.STATUS: _EVERYONE,
    Action.HISTORY: _EVERYONE,
    # Admins keep a unit's records for it (by unit code), closed months included.
    Action.SCHEDULE: _CELL | {Role.ADMIN},
    Action.RECORD: _CELL | {Role.ADMIN},
    Action.RATE: _CELL | {Role.ADMIN},
    Action.REPORT: _CELL | {Role.ADMIN},
    Action.DIGEST: _OVERSIGHT,
    Action.OVERDUE: _OVERSIGHT,
    Action.UNIT_LOOKUP: _OVERSIGHT,
    Action.SUBSCRIBE: frozenset({Role.LEADER, Role.ADMIN}),
    Action.EDIT_CLOSED_PERIOD: frozenset({Role.ADMIN}),
    Action.MANAGE_INVITES: frozenset({Role.ADMIN}),
    # /people and /role: list people, take a role away or move it (within the subtree).
    Action.MANAGE_ROLES: frozenset({Role.ADMIN}),
    Action.SNOOZE: _EVERYONE,
    Action.AWAY: _CELL | {Role.CLUSTER_OFFICER},
    # Directives: leadership issues them, the units confirm them done; everyone lists them.
    Action.ISSUE_DIRECTIVE: frozenset({Role.LEADER, Role.ADMIN}),
    Action.CONFIRM_DIRECTIVE: _CELL | {Role.ADMIN},
    Action.DIRECTIVES: _EVERYONE,
    # Cluster meetings: the officer calls one and marks who came; the units answer.
    Action.CLUSTER_MEETING: frozenset({Role.CLUSTER_OFFICER, Role.ADMIN}),
    Action.CLUSTER_ANSWER: _CELL | {Role.ADMIN},
    Action.SURVEY: _EVERYONE,
    Action.ANSWER_SURVEY: _EVERYONE,
    Action.ADMISSION: _CELL | {Role.ADMIN},
    Action.GRADE: _OVERSIGHT,
}

# What someone with no role at all may do: answer a survey whose link they were given
# (handlers.access.respondent). Nothing else is open to strangers but onboarding.
OPEN_TO_ANYONE: frozenset[Action] = frozenset({Action.ANSWER_SURVEY})


def allowed(action: Action, roles: frozenset[Role] | set[Role]) -> bool:
    return bool(PERMISSIONS.get(action, frozenset()) & set(roles))
