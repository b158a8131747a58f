"""Directives with a deadline: issue one, confirm it done, see how far the units are.

One transaction per use-case, audited; every write refreshes the directive's
obligations in the ledger in the same transaction (`services.ledger`), and issuing
puts the directive, with its document and a confirm button, into the outbox for
each unit's secretary (or the deputy standing in, `domain.stand_in`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain import directives as rules
from domain import stand_in
from domain.errors import UserInputError
from domain.localtime import local_date
from domain.obligations import Resolution, Status, resolved_status
from domain.org import UnitKind
from domain.policy import Policy
from domain.reminder_timing import after_quiet_hours
from domain.roles import Action
from domain.unit_names import unit_label
from messages.flow_links import directive_link
from messages.render import error_text, label, render
from services import ledger
from services.actors import Actor, actor_in, require_unit
from storage import attachments, audit
from storage import directives as rows
from storage.db import Database, Session
from storage.org_queries import named_units
from storage.outbox import Outgoing, enqueue
from storage.recipients import unit_keepers

REASON = "directive"
ALL_TREE = ("/",)  # the CLI acts for the whole tree


@dataclass(frozen=True)
class DirectiveRequest:
    title: str
    reference: str | None
    due_on: date
    targets: str  # "base", "C2", "TNMT,NTM"
    document_name: str | None = None
    document_file_id: str | None = None  # sent in the bot
    document_data: bytes | None = None  # given to the CLI


@dataclass(frozen=True)
class Issued:
    directive: rows.DirectiveInfo
    units: tuple[str, ...]
    messages: int  # secretaries (or deputies) the directive was sent to
    unreached: tuple[str, ...]  # units with nobody in the bot to send it to


def clusters_within(db: Database, scope_paths: Sequence[str]) -> list[tuple[str, str]]:
    """(code, name) of the clusters inside the scopes, in tree order: the dialog's buttons."""
    with db.transaction() as session:
        units = rows.tree_units(session)
    inside = [
        u
        for u in units
        if u.kind == UnitKind.CLUSTER and any(u.path.startswith(p) for p in scope_paths)
    ]
    return [(u.code, u.name) for u in sorted(inside, key=lambda u: u.path)]


def resolve(db: Database, targets: str, scope_paths: Sequence[str]) -> list[str]:
    """The units `targets` names within the scopes, or why not."""
    with db.transaction() as session:
        units = rows.tree_units(session)
    return rules.resolve_targets(rules.target_words(targets), units, scope_paths)


def validate(request: DirectiveRequest, today: date) -> DirectiveRequest:
    """The request as it will be stored, or the first thing wrong with it."""
    title = rules.check_title(request.title)
    reference = rules.check_reference(request.reference)
    rules.check_due(request.due_on, today)
    if request.document_name is not None:
        rules.check_document(request.document_name)
    return DirectiveRequest(
        title,
        reference,
        request.due_on,
        request.targets,
        request.document_name,
        request.document_file_id,
        request.document_data,
    )


def issue(
    db: Database,
    request: DirectiveRequest,
    *,
    issuer: Actor | None,
    actor_label: str,
    scope_code: str,
    now: datetime,
    policy: Policy,
) -> Issued:
    """Issue a directive to the units `request.targets` names within the issuer's scope
    (`issuer` None: the office's CLI, the whole tree)."""
    request = validate(request, local_date(now))
    with db.transaction() as session:
        scope_paths: tuple[str, ...] = ALL_TREE
        person_id: int | None = None
        if issuer is not None:
            fresh = actor_in(session, issuer.telegram_user_id)
            scopes = fresh.scopes_for(Action.ISSUE_DIRECTIVE) if fresh else ()
            if fresh is None or not scopes:
                raise UserInputError(error_text("directive_no_right"))
            scope_paths, person_id = tuple(s.unit_path for s in scopes), fresh.person_id
        codes = rules.resolve_targets(
            rules.target_words(request.targets), rows.tree_units(session), scope_paths
        )
        info = rows.add(
            session,
            title=request.title,
            reference=request.reference,
            due_on=request.due_on,
            scope_code=scope_code,
            unit_codes=codes,
            now=now,
            issued_by=person_id,
            issued_by_label=actor_label,
            document_name=request.document_name,
            document_file_id=request.document_file_id,
            document_data=request.document_data,
        )
        audit.record(
            session,
            at=now,
            actor=actor_label,
            actor_person_id=person_id,
            action="issue",
            entity="directive",
            key=str(info.id),
            new={
                "title": info.title,
                "reference": info.reference,
                "due_on": info.due_on.isoformat(),
                "units": codes,
                "document": info.document_name,
            },
        )
        ledger.refresh_directive(session, policy, now, info.id, codes)
        sent, unreached = _deliver(session, info, codes, now, policy)
    return Issued(info, tuple(codes), sent, tuple(unreached))


def _deliver(
    session: Session, info: rows.DirectiveInfo, codes: Sequence[str], now: datetime, policy: Policy
) -> tuple[int, list[str]]:
    """One message per unit to each of its secretaries (or deputies standing in)."""
    today = local_date(now)
    keepers = unit_keepers(session, codes)
    names = named_units(session, codes)
    at = after_quiet_hours(now, policy.reminders.quiet_hours)
    messages: list[Outgoing] = []
    unreached = []
    for code in codes:
        found = keepers.get(code)
        if found is None:
            unreached.append(code)
            continue
        recipients, _ = stand_in.reminded(found.secretaries, found.deputies, today)
        for person in recipients:
            text = render(
                "directive_notice",
                person.locale,
                directive=info,
                unit_name=unit_label(names[code], with_code=False) if code in names else code,
            )
            button = label("button.directive_done", person.locale)
            messages.append(
                Outgoing(
                    dedup_key=f"{REASON}:{info.id}:{person.person_id}:{code}",
                    chat_id=person.chat_id,
                    reason=REASON,
                    period=str(info.id),
                    text=text,
                    not_before=at,
                    person_id=person.person_id,
                    buttons=[[{"text": button, "callback_data": directive_link(code, info.id)}]],
                    attachment_name=info.document_name,
                    attachment_ref=attachments.directive_ref(info.id)
                    if info.has_document
                    else None,
                )
            )
    return enqueue(session, messages, now=now), unreached


# ---------------------------------------------------------------------------
# The unit's side


@dataclass(frozen=True)
class Confirmed:
    directive: rows.DirectiveInfo
    status: Status
    days_late: int


def open_for_unit(db: Database, unit_code: str) -> list[rows.DirectiveInfo]:
    with db.transaction() as session:
        return rows.open_for_unit(session, unit_code)


def confirm(
    db: Database,
    actor: Actor,
    directive_id: int,
    unit_code: str,
    *,
    document: tuple[str, str] | None,
    now: datetime,
    policy: Policy,
) -> Confirmed:
    """The unit has done it and sends its document back: on time or late follows from
    the directive's due date."""
    if document is None:
        raise UserInputError(error_text("directive_needs_unit_document"))
    rules.check_document(document[1])
    with db.transaction() as session:
        actor = require_unit(session, actor, Action.CONFIRM_DIRECTIVE, unit_code)
        target = rows.target(session, directive_id, unit_code)
        info = rows.get(session, directive_id)
        if target is None or info is None:
            raise UserInputError(error_text("directive_not_for_unit"))
        if target.done_at is not None:
            raise UserInputError(error_text("directive_already_done", done_on=target.done_at))
        target.done_at, target.confirmed_by = now, actor.person_id
        target.document_file_id, target.document_name = document
        audit.record_by(
            session,
            actor,
            at=now,
            action="confirm",
            entity="directive_target",
            key=f"{directive_id}:{unit_code}",
            new={"done_at": now.isoformat(), "document": document[1]},
        )
        session.flush()
        ledger.refresh_directive(session, policy, now, directive_id, [unit_code])
    today = local_date(now)
    return Confirmed(
        info,
        resolved_status(Resolution.DONE, today, info.due_on),
        max(0, (today - info.due_on).days),
    )


# ---------------------------------------------------------------------------
# Leadership's side: how far the units are


def overview(
    db: Database, scope_paths: Sequence[str], *, open_only: bool = True
) -> list[rows.Progress]:
    with db.transaction() as session:
        return rows.progress(session, scope_paths, open_only=open_only)


def detail(
    db: Database, directive_id: int, scope_paths: Sequence[str]
) -> tuple[rows.DirectiveInfo, list[rows.UnitProgress]] | None:
    """One directive and its units within the scopes (None: unknown, or none of them)."""
    if not scope_paths:
        return None
    with db.transaction() as session:
        info = rows.get(session, directive_id)
        units = rows.units_of(session, directive_id, scope_paths) if info else []
    if info is None or not units:
        return None
    return info, units
