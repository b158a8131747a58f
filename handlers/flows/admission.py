"""Kết nạp, chuyển sinh hoạt đảng: a base organisation records counts (no names)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import ClassVar

from domain.admissions import MAX_COUNT, AdmissionKind, UnitAdmissions
from domain.dates_vi import date_examples, parse_date
from domain.errors import UserInputError
from domain.numbers_vi import parse_count
from domain.org import REPORTING_KINDS
from domain.roles import Action
from handlers.dialog import Done, Option, Prompt, Step, StepMethods, flow
from handlers.flows import common
from messages.render import error_text, label, render
from services import admissions

UNDO = "undo"
RECENT = 5  # entries offered for removal


def _year(d: Step) -> UnitAdmissions:
    return admissions.unit_year(d.deps.db, d.data["unit"], d.today.year, d.deps.policy)


class AdmissionStep(StrEnum):
    UNIT = common.UNIT
    KIND = "kind"
    DATE = "date"
    COUNT = "count"
    CONFIRM = "confirm"
    UNDO = "undo"


@flow
class AdmissionFlow(common.UnitFlow):
    name = "admission"
    action = Action.ADMISSION
    unit_kinds = REPORTING_KINDS
    no_unit_template = "no_admission_unit"

    def after_unit(self, d: Step) -> AdmissionStep:
        return AdmissionStep.KIND

    def ask_kind(self, d: Step) -> Prompt:
        year = _year(d)
        options = [
            Option(label(f"admission.{kind.value}", d.locale), kind.value) for kind in AdmissionKind
        ]
        if year.entries:
            options.append(Option(label("button.admission_undo", d.locale), UNDO))
        return Prompt(
            render(
                "admission",
                d.locale,
                step="kind",
                unit_name=d.data["unit_name"],
                year=d.today.year,
                view=year,
            ),
            tuple(options),
            accepts_text=False,
        )

    def on_kind(self, d: Step, value: str) -> AdmissionStep:
        if value == UNDO:
            return AdmissionStep.UNDO
        d.data["kind"] = AdmissionKind(value).value
        return AdmissionStep.DATE

    def ask_date(self, d: Step) -> Prompt:
        return Prompt(
            render(
                "admission",
                d.locale,
                step="date",
                what=label(f"admission.{d.data['kind']}", d.locale),
                examples=date_examples(d.today, past_only=True),
            ),
            (Option(label("button.today", d.locale), d.today.isoformat()),),
        )

    def on_date(self, d: Step, value: str) -> AdmissionStep:
        try:
            day = date.fromisoformat(value)  # the "today" button
        except ValueError:
            day = parse_date(value, d.today, past_only=True)
        admissions.check_day(day, d.today)
        d.data["on_date"] = day.isoformat()
        return AdmissionStep.COUNT

    def ask_count(self, d: Step) -> Prompt:
        return Prompt(
            render("admission", d.locale, step="count"),
            tuple(Option(str(n), str(n)) for n in (1, 2, 3)),
            columns=3,
        )

    def on_count(self, d: Step, value: str) -> AdmissionStep:
        d.data["count"] = parse_count(value, 1, MAX_COUNT, error_text("what.members_count"))
        return AdmissionStep.CONFIRM

    def ask_confirm(self, d: Step) -> Prompt:
        return Prompt(
            render(
                "admission",
                d.locale,
                step="confirm",
                unit_name=d.data["unit_name"],
                what=label(f"admission.{d.data['kind']}", d.locale),
                on_date=date.fromisoformat(d.data["on_date"]),
                count=d.data["count"],
            ),
            (Option(label("button.confirm", d.locale), "yes"),),
            accepts_text=False,
        )

    def on_confirm(self, d: Step, value: str) -> Done:
        if value != "yes":
            raise UserInputError(error_text("confirm_or_cancel"))
        admissions.record_entry(
            d.deps.db,
            d.actor,
            d.data["unit"],
            AdmissionKind(d.data["kind"]),
            date.fromisoformat(d.data["on_date"]),
            int(d.data["count"]),
            now=d.now,
            today=d.today,
        )
        return Done(render("admission", d.locale, step="saved", year=d.today.year, view=_year(d)))

    def ask_undo(self, d: Step) -> Prompt:
        entries = _year(d).entries[:RECENT]
        return Prompt(
            render("admission", d.locale, step="undo"),
            tuple(
                Option(
                    label(
                        "button.admission_entry",
                        d.locale,
                        day=e.on_date,
                        kind=label(f"admission.{e.kind.value}", d.locale),
                        count=e.count,
                    ),
                    str(e.id),
                )
                for e in entries
            ),
            accepts_text=False,
        )

    def on_undo(self, d: Step, value: str) -> Done:
        entry = admissions.delete_entry(d.deps.db, d.actor, d.data["unit"], int(value), now=d.now)
        return Done(
            render(
                "admission",
                d.locale,
                step="removed",
                entry=entry,
                kind_label=label(f"admission.{entry.kind.value}", d.locale),
                year=d.today.year,
                view=_year(d),
            )
        )

    steps: ClassVar[Mapping[str, StepMethods]] = {
        AdmissionStep.UNIT: common.UNIT_STEP,
        AdmissionStep.KIND: StepMethods(ask_kind, on_kind),
        AdmissionStep.DATE: StepMethods(ask_date, on_date),
        AdmissionStep.COUNT: StepMethods(ask_count, on_count),
        AdmissionStep.CONFIRM: StepMethods(ask_confirm, on_confirm),
        AdmissionStep.UNDO: StepMethods(ask_undo, on_undo),
    }
