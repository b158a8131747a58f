"""Use-cases behind the leadership digest: build it, export a month, look units up."""

from __future__ import annotations

import re
from datetime import date, datetime

from domain.digest.build import compute_digest
from domain.digest.duties import with_duties
from domain.digest.facts import digest_days
from domain.digest.month_rows import MonthExport, UnitRow
from domain.digest.results import Digest
from domain.org import UnitKind, fold
from domain.periods import Month
from domain.policy import Policy
from domain.roles import Action
from domain.text_vi import ascii_int
from domain.windows import window_at, window_for_month
from services import duty_lists, ledger
from services.actors import ScopeLost, holds
from storage import audit, digest_queries, org_queries, unit_row_queries
from storage import digest_recipient_queries as recipient_rows
from storage.db import Database
from storage.models import ChatSubscription
from storage.org_queries import FoundUnit


class ScopeNotFound(LookupError):
    """The scope code names no active unit."""


def build_digest(db: Database, scope_code: str, at: date, policy: Policy) -> Digest:
    """The digest of `scope_code`'s subtree as of the end of local day `at`.

    One read transaction, a fixed number of queries: the current week, the previous
    one and the 8-week trend come from the ledger together.
    """
    ledger.ensure_through(db, at, policy)
    windows = tuple(window_at(policy, day) for day in digest_days(at))
    with db.transaction() as session:
        facts = digest_queries.load_digest_facts(
            session, scope_code, windows, policy.attendance_target
        )
        duties = duty_lists.for_window(session, facts.scope.path, windows[-1]) if facts else None
    if facts is None or duties is None:
        raise ScopeNotFound(scope_code)
    return with_duties(compute_digest(windows, facts, policy.attendance_target), *duties)


def export_month(
    db: Database, scope_code: str, month: Month, at: date, policy: Policy
) -> MonthExport:
    """Per-unit statuses for one month, as known at the end of local day `at`."""
    ledger.ensure_through(db, at, policy)
    window = window_for_month(policy, month, at)
    with db.transaction() as session:
        scope = digest_queries.load_scope(session, scope_code)
        rows = unit_row_queries.load_unit_rows(session, scope_code, window)
    if scope is None or rows is None:
        raise ScopeNotFound(scope_code)
    return MonthExport(scope, window, rows)


def unit_in_digest(
    db: Database, code: str, at: date, policy: Policy
) -> tuple[Digest, UnitRow | None]:
    """One unit: the digest of its subtree and its own line (None for a bloc or cluster)."""
    digest = build_digest(db, code, at, policy)
    with db.transaction() as session:
        rows = unit_row_queries.load_unit_rows(session, code, digest.periods, only_scope=True)
    return digest, (rows[0] if rows else None)


def root_code(db: Database) -> str:
    """The bloc: the root of the tree (the default scope of the CLI)."""
    with db.transaction() as session:
        code = org_queries.root_code(session)
    if code is None:
        raise ScopeNotFound("(root)")
    return code


# ---------------------------------------------------------------------------
# Looking units up


def search_units(
    db: Database, text: str, within_paths: tuple[str, ...], limit: int = 10
) -> tuple[list[FoundUnit], int]:
    """Units whose code or name contains `text`, ignoring case and diacritics.

    Only units under one of `within_paths` (the actor's scopes) are searched.
    Returns up to `limit` units (exact code match first) and how many matched.
    """
    needle = fold(text).strip()
    if not needle or not within_paths:
        return [], 0
    with db.transaction() as session:
        found = org_queries.search(session, needle, within_paths)
    found.sort(key=lambda u: (u.code.casefold() != needle, u.path))
    return found[:limit], len(found)


def find_cluster(db: Database, text: str) -> FoundUnit | None:
    """A cluster by number ("3"), code ("C3") or name ("Cụm 3", "cum 3")."""
    wanted = fold(text).strip()
    if not wanted:
        return None
    with db.transaction() as session:
        clusters = org_queries.active_of_kind(session, UnitKind.CLUSTER)
    for cluster in clusters:
        if wanted in (cluster.code.casefold(), fold(cluster.name)):
            return cluster
    number = ascii_int(wanted)
    if number is not None:
        for cluster in clusters:
            numbers = re.findall(r"\d+", f"{cluster.code} {cluster.name}")
            if number in {int(n) for n in numbers}:
                return cluster
    return None


def unit_path(db: Database, code: str) -> str | None:
    with db.transaction() as session:
        return org_queries.path_of(session, code)


# ---------------------------------------------------------------------------
# Group chats


def subscribe_chat(
    db: Database,
    *,
    chat_id: int,
    title: str | None,
    unit_code: str,
    person_id: int,
    actor: str,
    now: datetime,
) -> bool:
    """Register a group chat for the weekly digest of `unit_code`; False if nothing changed.

    The subscriber must hold a /subscribe role over the unit now (checked in this
    transaction); the subscription lasts while they do (services.digest_delivery).
    Subscribing again names the new subscriber, so a group whose subscriber lost
    the role can be renewed by another leader.
    """
    with db.transaction() as session:
        target = org_queries.unit(session, unit_code)
        if target is None or not holds(session, person_id, Action.SUBSCRIBE, target.path):
            raise ScopeLost()
        existing = recipient_rows.subscription(session, chat_id)
        old = (
            {"unit": existing.unit_code, "subscribed_by": existing.subscribed_by}
            if existing is not None
            else None
        )
        if (
            existing is not None
            and existing.unit_code == unit_code
            and existing.subscribed_by == person_id
        ):
            existing.title = title
            return False
        if existing is None:
            session.add(
                ChatSubscription(
                    chat_id=chat_id,
                    title=title,
                    unit_code=unit_code,
                    subscribed_by=person_id,
                    created_at=now,
                )
            )
        else:
            existing.unit_code, existing.title, existing.subscribed_by = unit_code, title, person_id
        audit.record(
            session,
            at=now,
            actor=actor,
            actor_person_id=person_id,
            action="subscribe",
            entity="chat_subscription",
            key=str(chat_id),
            old=old,
            new={"unit": unit_code, "title": title, "subscribed_by": person_id},
        )
        return True


def unsubscribe_chat(
    db: Database, *, chat_id: int, person_id: int, actor: str, now: datetime
) -> bool:
    with db.transaction() as session:
        existing = recipient_rows.subscription(session, chat_id)
        if existing is None:
            return False
        audit.record(
            session,
            at=now,
            actor=actor,
            actor_person_id=person_id,
            action="unsubscribe",
            entity="chat_subscription",
            key=str(chat_id),
            old={"unit": existing.unit_code, "title": existing.title},
        )
        session.delete(existing)
        return True
