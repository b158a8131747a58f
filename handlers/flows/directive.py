"""Directives in the bot: a leader issues one (/directive), a unit confirms it done.

Issuing: title, the document's number, the due date, the units (every base
organisation, a cluster's, or codes), the document itself, then a summary to
confirm. Completing (from the directive's button, /status or /directives): the
unit's document, as PDF, Word or a phone photo of the signed paper.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import ClassVar

from domain import directives as rules
from domain.dates_vi import date_examples, parse_date
from domain.errors import UserInputError
from domain.org import MEETING_KINDS
from domain.roles import Action
from handlers.dialog import Done, Flow, Option, Prompt, Step, StepMethods, flow
from handlers.flows import common
from messages.render import error_text, label, render
from services import directives

NO_REFERENCE = "-"
NO_DOCUMENT = "-"
ALL_BASE = "base"


def _scopes(d: Step) -> list[tuple[str, str, str]]:
    """(code, label, path) of the actor's scopes for issuing."""
    return [
        (s.unit_code, s.unit_label, s.unit_path) for s in d.actor.scopes_for(Action.ISSUE_DIRECTIVE)
    ]


class IssueDirectiveStep(StrEnum):
    TITLE = "title"
    REFERENCE = "reference"
    DUE = "due"
    UNITS = "units"
    DOCUMENT = "document"
    CONFIRM = "confirm"


@flow
class IssueDirectiveFlow(Flow):
    name = "directive_issue"
    action = Action.ISSUE_DIRECTIVE

    def after_unit(self, d: Step) -> IssueDirectiveStep:
        return IssueDirectiveStep.TITLE

    def ask_title(self, d: Step) -> Prompt:
        return Prompt(render("directive", d.locale, step="title"))

    def on_title(self, d: Step, value: str) -> IssueDirectiveStep:
        d.data["title"] = rules.check_title(value)
        return IssueDirectiveStep.REFERENCE

    def ask_reference(self, d: Step) -> Prompt:
        return Prompt(
            render("directive", d.locale, step="reference"),
            (Option(label("button.no_reference", d.locale), NO_REFERENCE),),
        )

    def on_reference(self, d: Step, value: str) -> IssueDirectiveStep:
        d.data["reference"] = None if value == NO_REFERENCE else rules.check_reference(value)
        return IssueDirectiveStep.DUE

    def ask_due(self, d: Step) -> Prompt:
        return Prompt(
            render(
                "directive",
                d.locale,
                step="due",
                examples=date_examples(d.today, future_only=True),
            )
        )

    def on_due(self, d: Step, value: str) -> IssueDirectiveStep:
        due = parse_date(value, d.today, future_only=True)
        d.data["due"] = rules.check_due(due, d.today).isoformat()
        return IssueDirectiveStep.UNITS

    def ask_units(self, d: Step) -> Prompt:
        clusters = directives.clusters_within(d.deps.db, [path for _, _, path in _scopes(d)])
        options = (
            Option(label("button.all_base", d.locale), ALL_BASE),
            *(Option(name, code) for code, name in clusters),
        )
        return Prompt(render("directive", d.locale, step="units"), options, columns=2)

    def on_units(self, d: Step, value: str) -> IssueDirectiveStep:
        paths = [path for _, _, path in _scopes(d)]
        d.data["units"] = directives.resolve(d.deps.db, value, paths)
        d.data["targets"] = value
        return IssueDirectiveStep.DOCUMENT

    def ask_document(self, d: Step) -> Prompt:
        return Prompt(
            render("directive", d.locale, step="document"),
            (Option(label("button.no_document", d.locale), NO_DOCUMENT),),
            accepts_document=True,
        )

    def on_document(self, d: Step, value: str) -> IssueDirectiveStep:
        if d.document is not None:
            rules.check_document(d.document[1])
            d.data["file_id"], d.data["file_name"] = d.document
        elif value != NO_DOCUMENT:
            raise UserInputError(error_text("directive_needs_file"))
        return IssueDirectiveStep.CONFIRM

    def ask_confirm(self, d: Step) -> Prompt:
        return Prompt(
            render(
                "directive",
                d.locale,
                step="confirm",
                title=d.data["title"],
                reference=d.data.get("reference"),
                due=date.fromisoformat(d.data["due"]),
                units=len(d.data["units"]),
                document=d.data.get("file_name"),
            ),
            (Option(label("button.confirm", d.locale), "ok"),),
            accepts_text=False,
        )

    def on_confirm(self, d: Step, value: str) -> Done:
        scopes = _scopes(d)
        if not scopes:
            raise UserInputError(error_text("directive_no_right"))
        issued = directives.issue(
            d.deps.db,
            directives.DirectiveRequest(
                d.data["title"],
                d.data.get("reference"),
                date.fromisoformat(d.data["due"]),
                d.data["targets"],
                document_name=d.data.get("file_name"),
                document_file_id=d.data.get("file_id"),
            ),
            issuer=d.actor,
            actor_label=d.actor.audit_label,
            scope_code=scopes[0][0],
            now=d.now,
            policy=d.deps.policy,
        )
        return Done(render("directive", d.locale, step="done", issued=issued))

    steps: ClassVar[Mapping[str, StepMethods]] = {
        IssueDirectiveStep.TITLE: StepMethods(ask_title, on_title),
        IssueDirectiveStep.REFERENCE: StepMethods(ask_reference, on_reference),
        IssueDirectiveStep.DUE: StepMethods(ask_due, on_due),
        IssueDirectiveStep.UNITS: StepMethods(ask_units, on_units),
        IssueDirectiveStep.DOCUMENT: StepMethods(ask_document, on_document),
        IssueDirectiveStep.CONFIRM: StepMethods(ask_confirm, on_confirm),
    }


class CompleteDirectiveStep(StrEnum):
    UNIT = common.UNIT
    CHOOSE = "choose"
    ATTACH = "attach"


@flow
class CompleteDirectiveFlow(common.UnitFlow):
    """A unit confirms a directive done, sending its document back."""

    name = "complete"
    action = Action.CONFIRM_DIRECTIVE
    unit_kinds = MEETING_KINDS

    def _open(self, d: Step) -> list[directives.rows.DirectiveInfo]:
        return directives.open_for_unit(d.deps.db, d.data["unit"])

    def after_unit(self, d: Step) -> CompleteDirectiveStep | Done:
        if "directive" in d.data:  # opened from the directive's button
            if d.data["directive"] not in {str(x.id) for x in self._open(d)}:
                return Done(render("directive_done", d.locale, step="nothing_open"))
            return CompleteDirectiveStep.ATTACH
        if not self._open(d):
            return Done(render("directive_done", d.locale, step="nothing"))
        return CompleteDirectiveStep.CHOOSE

    def ask_choose(self, d: Step) -> Prompt:
        options = tuple(
            Option(
                label(
                    "button.directive_item",
                    d.locale,
                    reference=x.reference,
                    title=x.title,
                    due=f"{x.due_on:%d/%m}",
                ),
                str(x.id),
            )
            for x in self._open(d)
        )
        return Prompt(
            render("directive_done", d.locale, step="choose", unit_name=d.data["unit_name"]),
            options,
            accepts_text=False,
        )

    def on_choose(self, d: Step, value: str) -> CompleteDirectiveStep:
        if value not in {str(x.id) for x in self._open(d)}:
            raise UserInputError(error_text("directive_not_pending"))
        d.data["directive"] = value
        return CompleteDirectiveStep.ATTACH

    def ask_attach(self, d: Step) -> Prompt:
        chosen = [x for x in self._open(d) if str(x.id) == d.data["directive"]]
        return Prompt(
            render(
                "directive_done",
                d.locale,
                step="attach",
                directive=chosen[0] if chosen else None,
                unit_name=d.data["unit_name"],
            ),
            accepts_document=True,
        )

    def on_attach(self, d: Step, value: str) -> Done:
        confirmed = directives.confirm(
            d.deps.db,
            d.actor,
            int(d.data["directive"]),
            d.data["unit"],
            document=d.document,
            now=d.now,
            policy=d.deps.policy,
        )
        return Done(
            render(
                "directive_done",
                d.locale,
                step="done",
                confirmed=confirmed,
                document=d.document[1] if d.document else None,
            )
        )

    steps: ClassVar[Mapping[str, StepMethods]] = {
        CompleteDirectiveStep.UNIT: common.UNIT_STEP,
        CompleteDirectiveStep.CHOOSE: StepMethods(ask_choose, on_choose),
        CompleteDirectiveStep.ATTACH: StepMethods(ask_attach, on_attach),
    }
