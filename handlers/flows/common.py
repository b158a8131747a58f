"""Pieces every secretary flow uses: choosing the unit, reading numbers and short texts."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from domain.errors import UserInputError
from domain.meeting_kinds import MeetingKind, meeting_kinds_for
from domain.org import MEETING_KINDS, UnitKind
from domain.periods import Month
from domain.roles import Action, Role
from handlers.dialog import Done, Flow, Option, Prompt, Step, StepMethods
from messages.render import error_text, label, render
from services.actors import Actor, Scope

# The step every UnitFlow has (its value in each flow's StrEnum of steps).
UNIT = "unit"


def meeting_units(
    actor: Actor, action: Action, kinds: frozenset[UnitKind] = MEETING_KINDS
) -> list[Scope]:
    """The units whose duties the actor keeps: their own cells or committee."""
    seen: dict[str, Scope] = {}
    for scope in actor.scopes_for(action):
        if scope.role in (Role.SECRETARY, Role.DEPUTY) and scope.unit_kind in kinds:
            seen.setdefault(scope.unit_code, scope)
    return list(seen.values())


def unit_data(scope: Scope) -> dict[str, Any]:
    return {"unit": scope.unit_code, "unit_name": scope.unit_label, "unit_kind": scope.unit_kind}


def kinds_of(step: Step) -> tuple[MeetingKind, ...]:
    return meeting_kinds_for(UnitKind(step.data["unit_kind"]))


def preset_meeting_is_valid(step: Step, months: list[Month]) -> bool:
    """A kind and month that came in a button: one this unit holds, in an open month."""
    kinds = {k.value for k in kinds_of(step)}
    return step.data.get("kind") in kinds and step.data.get("month") in {m.key for m in months}


def kind_label(kind: MeetingKind | str, locale: str) -> str:
    return label(f"meeting.{MeetingKind(kind).value}", locale)


class UnitFlow(Flow):
    """A flow about one unit: when the actor keeps several, the first step picks one."""

    def ask_unit(self, d: Step) -> Prompt:
        units = meeting_units(d.actor, self.action, self.unit_kinds)
        return Prompt(
            render("choose_unit", d.locale),
            tuple(Option(u.unit_label, u.unit_code) for u in units),
            accepts_text=False,
        )

    def on_unit(self, d: Step, value: str) -> StrEnum | Done:
        for scope in meeting_units(d.actor, self.action, self.unit_kinds):
            if scope.unit_code == value:
                d.data.update(unit_data(scope))
                return self.after_unit(d)
        raise UserInputError(error_text("unit_out_of_scope"))


UNIT_STEP = StepMethods(UnitFlow.ask_unit, UnitFlow.on_unit)


def yes_no(locale: str) -> tuple[Option, ...]:
    return (Option(label("button.yes", locale), "yes"), Option(label("button.no", locale), "no"))
