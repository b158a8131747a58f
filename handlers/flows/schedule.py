"""Đăng ký lịch sinh hoạt: register, reschedule or cancel a month's meetings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from domain import edit_window
from domain.dates_vi import (
    DAY_PARTS_VI,
    DateParseError,
    NeedsTime,
    Window,
    datetime_examples,
    describe_day,
    parse_datetime,
    parse_time_on,
    time_examples,
)
from domain.errors import UserInputError
from domain.localtime import to_local
from domain.meeting_kinds import MeetingKind
from domain.periods import Month
from domain.recurrence import MonthlyRecurrence
from domain.roles import Action
from domain.text_vi import short_text
from handlers.dialog import Done, Option, Prompt, Step, StepMethods, flow
from handlers.flows import common
from messages.render import error_text, label, render
from services import schedules

RECURRENCE_NONE = "once"


def months_open_for_registration(step: Step) -> list[Month]:
    """Next month always; this month too while some of its meetings are unregistered."""
    this = Month.of(step.today)
    registered = schedules.schedules_of(step.deps.db, step.data["unit"], [this])
    missing_now = any((k, this) not in registered for k in common.kinds_of(step))
    return edit_window.registrable_months(step.today, this_month_unregistered=missing_now)


class ScheduleStep(StrEnum):
    UNIT = common.UNIT
    MONTH = "month"
    KIND = "kind"
    MANAGE = "manage"
    WHEN = "when"
    WHEN_TIME = "when_time"
    PLACE = "place"
    THEME = "theme"
    REPEAT = "repeat"
    REASON = "reason"
    CONFIRM = "confirm"
    CANCEL_REASON = "cancel_reason"
    CANCEL_CONFIRM = "cancel_confirm"


@flow
class ScheduleFlow(common.UnitFlow):
    name = "schedule"
    action = Action.SCHEDULE

    def after_unit(self, d: Step) -> ScheduleStep | Done:
        months = months_open_for_registration(d)
        if "month" in d.data:  # opened from a reminder's button
            if d.data["month"] not in {m.key for m in months}:
                return Done(render("button_expired", d.locale))
            return ScheduleStep.KIND
        if len(months) == 1:
            d.data["month"] = months[0].key
            return ScheduleStep.KIND
        return ScheduleStep.MONTH

    def ask_month(self, d: Step) -> Prompt:
        options = tuple(
            Option(label("button.month", d.locale, month=str(m)), m.key)
            for m in months_open_for_registration(d)
        )
        return Prompt(render("schedule", d.locale, step="month"), options, accepts_text=False)

    def on_month(self, d: Step, value: str) -> ScheduleStep:
        if value not in {m.key for m in months_open_for_registration(d)}:
            raise UserInputError(error_text("schedule_month_closed"))
        d.data["month"] = value
        return ScheduleStep.KIND

    def ask_kind(self, d: Step) -> Prompt:
        month = Month.parse(d.data["month"])
        existing = schedules.schedules_of(d.deps.db, d.data["unit"], [month])
        options = []
        for kind in common.kinds_of(d):
            text = common.kind_label(kind, d.locale)
            view = existing.get((kind, month))
            if view is not None and not view.cancelled:
                at = f"{to_local(view.planned_at):%H:%M %d/%m}"
                text = label("button.kind_registered", d.locale, kind=text, at=at)
            options.append(Option(text, kind.value))
        return Prompt(
            render(
                "schedule", d.locale, step="kind", month=str(month), unit_name=d.data["unit_name"]
            ),
            tuple(options),
            accepts_text=False,
        )

    def on_kind(self, d: Step, value: str) -> ScheduleStep:
        kind = MeetingKind(value)
        if kind not in common.kinds_of(d):
            raise UserInputError(error_text("schedule_kind_not_for_unit"))
        d.data["kind"] = kind.value
        month = Month.parse(d.data["month"])
        view = schedules.schedules_of(d.deps.db, d.data["unit"], [month]).get((kind, month))
        if view is not None and not view.cancelled:
            d.data["existing"] = True
            return ScheduleStep.MANAGE
        d.data["existing"] = False
        return ScheduleStep.WHEN

    def ask_manage(self, d: Step) -> Prompt:
        return Prompt(
            render("schedule", d.locale, step="manage"),
            (
                Option(label("button.reschedule", d.locale), "reschedule"),
                Option(label("button.cancel_schedule", d.locale), "cancel"),
            ),
            accepts_text=False,
            leave_label=label("button.keep", d.locale),
        )

    def on_manage(self, d: Step, value: str) -> ScheduleStep:
        return ScheduleStep.WHEN if value == "reschedule" else ScheduleStep.CANCEL_REASON

    def ask_when(self, d: Step) -> Prompt:
        month = Month.parse(d.data["month"])
        return Prompt(
            render(
                "schedule",
                d.locale,
                step="when",
                month=str(month),
                examples=datetime_examples(d.now, month=month, future_only=True),
            )
        )

    def on_when(self, d: Step, value: str) -> ScheduleStep:
        month = Month.parse(d.data["month"])
        try:
            moment = parse_datetime(value, d.now, month=month, future_only=True)
        except NeedsTime as missing:  # "sáng 15/12", "thứ 3 tuần sau": ask only the hour
            d.data["day"] = missing.day.isoformat()
            d.data["part"] = missing.part
            return ScheduleStep.WHEN_TIME
        d.data["planned_at"] = moment.isoformat()
        return ScheduleStep.PLACE

    def ask_when_time(self, d: Step) -> Prompt:
        day, part = date.fromisoformat(d.data["day"]), d.data.get("part")
        window = Window(d.today, to_local(d.now), Month.parse(d.data["month"]), future_only=True)
        times = time_examples(part=part, day=day, window=window, count=3)
        return Prompt(
            render(
                "schedule",
                d.locale,
                step="when_time",
                day=describe_day(day),
                part=DAY_PARTS_VI.get(part or ""),
            ),
            tuple(Option(t, t) for t in times),
            columns=3,
        )

    def on_when_time(self, d: Step, value: str) -> ScheduleStep:
        try:
            moment = parse_time_on(
                value,
                date.fromisoformat(d.data["day"]),
                d.now,
                part=d.data.get("part"),
                month=Month.parse(d.data["month"]),
                future_only=True,
            )
        except DateParseError as error:
            try:  # a whole new day and time ("16/12 8h"): a change of mind, taken as such
                return self.on_when(d, value)
            except DateParseError:
                raise error from None
        d.data["planned_at"] = moment.isoformat()
        return ScheduleStep.PLACE

    def ask_place(self, d: Step) -> Prompt:
        previous = schedules.last_place(d.deps.db, d.data["unit"], MeetingKind(d.data["kind"]))
        options = (
            (Option(label("button.same_place", d.locale, place=previous), previous),)
            if previous
            else ()
        )
        return Prompt(render("schedule", d.locale, step="place", previous=previous), options)

    def on_place(self, d: Step, value: str) -> ScheduleStep:
        d.data["place"] = short_text(value, error_text("what.place"))
        if d.data["kind"] == MeetingKind.THEMATIC.value:
            return ScheduleStep.THEME
        return ScheduleStep.REASON if d.data["existing"] else ScheduleStep.REPEAT

    def ask_theme(self, d: Step) -> Prompt:
        return Prompt(render("schedule", d.locale, step="theme"))

    def on_theme(self, d: Step, value: str) -> ScheduleStep:
        d.data["theme"] = short_text(value, error_text("what.theme"), 500)
        return ScheduleStep.REASON if d.data["existing"] else ScheduleStep.REPEAT

    def ask_repeat(self, d: Step) -> Prompt:
        day = datetime.fromisoformat(d.data["planned_at"]).date()
        nth = (day.day - 1) // 7 + 1
        rules = [MonthlyRecurrence.day_of_month(day.day)]
        if nth <= 4:
            rules.append(MonthlyRecurrence.nth_weekday(day.weekday(), nth))
        options = (
            Option(label("button.once", d.locale), RECURRENCE_NONE),
            *(Option(label("button.repeat", d.locale, rule=r.describe_vi()), r.key) for r in rules),
        )
        return Prompt(render("schedule", d.locale, step="repeat"), options, accepts_text=False)

    def on_repeat(self, d: Step, value: str) -> ScheduleStep:
        if value != RECURRENCE_NONE:
            MonthlyRecurrence.from_key(value)
        d.data["recurrence"] = None if value == RECURRENCE_NONE else value
        return ScheduleStep.CONFIRM

    def ask_reason(self, d: Step) -> Prompt:
        return Prompt(render("schedule", d.locale, step="reason"))

    def on_reason(self, d: Step, value: str) -> ScheduleStep:
        d.data["reason"] = short_text(value, error_text("what.reschedule_reason"), 500)
        return ScheduleStep.CONFIRM

    def ask_confirm(self, d: Step) -> Prompt:
        rule = d.data.get("recurrence")
        return Prompt(
            render(
                "schedule",
                d.locale,
                step="confirm",
                unit_name=d.data["unit_name"],
                kind=common.kind_label(d.data["kind"], d.locale),
                planned_at=datetime.fromisoformat(d.data["planned_at"]),
                place=d.data["place"],
                theme=d.data.get("theme"),
                reason=d.data.get("reason"),
                recurrence=MonthlyRecurrence.from_key(rule).describe_vi() if rule else None,
            ),
            (Option(label("button.confirm", d.locale), "ok"),),
            accepts_text=False,
        )

    def on_confirm(self, d: Step, value: str) -> Done:
        request = schedules.ScheduleRequest(
            unit_code=d.data["unit"],
            kind=MeetingKind(d.data["kind"]),
            month=Month.parse(d.data["month"]),
            planned_at=datetime.fromisoformat(d.data["planned_at"]),
            place=d.data["place"],
            theme=d.data.get("theme"),
            recurrence=d.data.get("recurrence"),
            reason=d.data.get("reason"),
        )
        view = schedules.register_schedule(
            d.deps.db, d.actor, request, now=d.now, policy=d.deps.policy
        )
        return Done(
            render(
                "schedule",
                d.locale,
                step="done",
                planned_at=view.planned_at,
                kind=common.kind_label(view.kind, d.locale),
                month=str(view.month),
                changed=bool(request.reason),
                recurrence=request.recurrence,
            )
        )

    def ask_cancel_reason(self, d: Step) -> Prompt:
        return Prompt(
            render("schedule", d.locale, step="cancel_reason"),
            leave_label=label("button.keep", d.locale),
        )

    def on_cancel_reason(self, d: Step, value: str) -> ScheduleStep:
        d.data["reason"] = short_text(value, error_text("what.cancel_reason"), 500)
        return ScheduleStep.CANCEL_CONFIRM

    def ask_cancel_confirm(self, d: Step) -> Prompt:
        """Cancelling a meeting is not leaving the dialog: it is said in full and confirmed."""
        month = Month.parse(d.data["month"])
        kind = MeetingKind(d.data["kind"])
        view = schedules.schedules_of(d.deps.db, d.data["unit"], [month]).get((kind, month))
        return Prompt(
            render(
                "schedule",
                d.locale,
                step="cancel_confirm",
                unit_name=d.data["unit_name"],
                kind=common.kind_label(kind, d.locale),
                month=str(month),
                planned_at=view.planned_at if view else None,
                place=view.place if view else None,
                reason=d.data["reason"],
            ),
            (Option(label("button.cancel_meeting", d.locale), "cancel"),),
            accepts_text=False,
            leave_label=label("button.keep", d.locale),
        )

    def on_cancel_confirm(self, d: Step, value: str) -> Done:
        schedules.cancel_schedule(
            d.deps.db,
            d.actor,
            d.data["unit"],
            MeetingKind(d.data["kind"]),
            Month.parse(d.data["month"]),
            d.data["reason"],
            now=d.now,
            policy=d.deps.policy,
        )
        return Done(
            render(
                "schedule",
                d.locale,
                step="cancelled",
                kind=common.kind_label(d.data["kind"], d.locale),
                month=str(Month.parse(d.data["month"])),
            )
        )

    steps: ClassVar[Mapping[str, StepMethods]] = {
        ScheduleStep.UNIT: common.UNIT_STEP,
        ScheduleStep.MONTH: StepMethods(ask_month, on_month),
        ScheduleStep.KIND: StepMethods(ask_kind, on_kind),
        ScheduleStep.MANAGE: StepMethods(ask_manage, on_manage),
        ScheduleStep.WHEN: StepMethods(ask_when, on_when),
        ScheduleStep.WHEN_TIME: StepMethods(ask_when_time, on_when_time),
        ScheduleStep.PLACE: StepMethods(ask_place, on_place),
        ScheduleStep.THEME: StepMethods(ask_theme, on_theme),
        ScheduleStep.REPEAT: StepMethods(ask_repeat, on_repeat),
        ScheduleStep.REASON: StepMethods(ask_reason, on_reason),
        ScheduleStep.CONFIRM: StepMethods(ask_confirm, on_confirm),
        ScheduleStep.CANCEL_REASON: StepMethods(ask_cancel_reason, on_cancel_reason),
        ScheduleStep.CANCEL_CONFIRM: StepMethods(ask_cancel_confirm, on_cancel_confirm),
    }
