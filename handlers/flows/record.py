"""Ghi nhận buổi sinh hoạt: held or not, when, how long, who came."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from domain import edit_window, meeting_record
from domain.committee import MEMBER_PREFIX, chosen_member
from domain.dates_vi import date_examples, parse_date
from domain.errors import UserInputError
from domain.localtime import local_date
from domain.meeting_kinds import MeetingKind
from domain.numbers_vi import parse_attendance, parse_count, parse_duration, parse_excused
from domain.org import MAX_MEMBERS
from domain.periods import Month
from domain.roles import Action
from domain.text_vi import parse_yes_no, short_text
from handlers.dialog import Done, Option, Prompt, Step, StepMethods, flow
from handlers.flows import common
from messages.render import error_text, label, render
from services import meeting_records, schedules

DURATIONS = (60, 90, 120, 150, 180)
NO_ATTENDEE = "-"


def _committee(d: Step) -> bool:
    return d.data.get("kind") == MeetingKind.COMMITTEE.value


def recordable_months(step: Step) -> list[Month]:
    return edit_window.recordable_months(
        step.today, step.deps.policy, edits_closed=step.actor.may(Action.EDIT_CLOSED_PERIOD)
    )


class RecordStep(StrEnum):
    UNIT = common.UNIT
    MEETING = "meeting"
    HELD = "held"
    REASON = "reason"
    EXCUSED = "excused"
    DATE = "date"
    DURATION = "duration"
    TOTAL = "total"
    PRESENT = "present"
    EXCUSED_ABSENT = "excused_absent"
    HIGHER = "higher"
    THEME = "theme"
    MINUTES = "minutes"
    CONFIRM = "confirm"


@flow
class RecordFlow(common.UnitFlow):
    name = "record"
    action = Action.RECORD

    def after_unit(self, d: Step) -> RecordStep | Done:
        if "kind" in d.data:  # opened from a reminder's button
            if not common.preset_meeting_is_valid(d, recordable_months(d)):
                return Done(render("button_expired", d.locale))
            return RecordStep.HELD
        return RecordStep.MEETING

    def ask_meeting(self, d: Step) -> Prompt:
        months = recordable_months(d)
        records = meeting_records.records_of(d.deps.db, d.data["unit"], months)
        options = []
        for month in reversed(months):
            for kind in common.kinds_of(d):
                options.append(
                    Option(
                        label(
                            "button.record_meeting",
                            d.locale,
                            kind=common.kind_label(kind, d.locale),
                            month=str(month),
                            recorded=(kind, month) in records,
                        ),
                        f"{kind.value}|{month.key}",
                    )
                )
        return Prompt(
            render("record", d.locale, step="meeting", unit_name=d.data["unit_name"]),
            tuple(options),
            accepts_text=False,
        )

    def on_meeting(self, d: Step, value: str) -> RecordStep:
        kind_text, _, month_key = value.partition("|")
        d.data["kind"], d.data["month"] = MeetingKind(kind_text).value, month_key
        return RecordStep.HELD

    def ask_held(self, d: Step) -> Prompt:
        return Prompt(
            render("record", d.locale, step="held", **self._what(d)),
            common.yes_no(d.locale),
            columns=2,
        )

    def on_held(self, d: Step, value: str) -> RecordStep:
        d.data["held"] = parse_yes_no(value)
        return RecordStep.DATE if d.data["held"] else RecordStep.REASON

    # Not held ---------------------------------------------------------------------------
    def ask_reason(self, d: Step) -> Prompt:
        return Prompt(render("record", d.locale, step="reason"))

    def on_reason(self, d: Step, value: str) -> RecordStep:
        d.data["not_held_reason"] = short_text(value, error_text("what.reason"), 500)
        return RecordStep.EXCUSED

    def ask_excused(self, d: Step) -> Prompt:
        return Prompt(
            render("record", d.locale, step="excused"),
            (
                Option(label("button.excused_yes", d.locale), "yes"),
                Option(label("button.excused_no", d.locale), "no"),
            ),
            accepts_text=False,
        )

    def on_excused(self, d: Step, value: str) -> RecordStep:
        d.data["not_held_excused"] = parse_yes_no(value)
        return RecordStep.CONFIRM

    # Held -------------------------------------------------------------------------------
    def ask_date(self, d: Step) -> Prompt:
        month = Month.parse(d.data["month"])
        planned = schedules.schedules_of(d.deps.db, d.data["unit"], [month]).get(
            (MeetingKind(d.data["kind"]), month)
        )
        options: tuple[Option, ...] = ()
        if (
            planned is not None
            and not planned.cancelled
            and local_date(planned.planned_at) <= d.today
        ):
            day = local_date(planned.planned_at)
            options = (Option(label("button.as_scheduled", d.locale, day=day), day.isoformat()),)
        return Prompt(
            render(
                "record",
                d.locale,
                step="date",
                month=str(month),
                examples=date_examples(d.today, month=month, past_only=True),
                planned=bool(options),
            ),
            options,
        )

    def on_date(self, d: Step, value: str) -> RecordStep:
        month = Month.parse(d.data["month"])
        try:
            day = date.fromisoformat(value)  # the "as planned" button
        except ValueError:
            day = parse_date(value, d.today, month=month, past_only=True)
        if not month.contains(day) or day > d.today:
            raise UserInputError(error_text("day_unusable"))
        d.data["held_on"] = day.isoformat()
        return RecordStep.DURATION

    def ask_duration(self, d: Step) -> Prompt:
        return Prompt(
            render("record", d.locale, step="duration"),
            tuple(Option(label("button.minutes", d.locale, minutes=m), str(m)) for m in DURATIONS),
            columns=3,
        )

    def on_duration(self, d: Step, value: str) -> RecordStep:
        d.data["duration_minutes"] = parse_duration(value)
        return RecordStep.TOTAL

    def ask_total(self, d: Step) -> Prompt:
        # A committee meeting counts the committee's members (cấp ủy viên), not the
        # unit's Party members: its size is the last committee record's.
        kind = MeetingKind(d.data["kind"])
        members = (
            meeting_records.last_total(d.deps.db, d.data["unit"], kind)
            if _committee(d)
            else meeting_records.unit_members(d.deps.db, d.data["unit"])
        )
        options = (
            (Option(label("button.keep_count", d.locale, count=members), str(members)),)
            if members
            else ()
        )
        return Prompt(
            render("record", d.locale, step="total", members=members, committee=_committee(d)),
            options,
        )

    def on_total(self, d: Step, value: str) -> RecordStep:
        what = error_text("what.committee_total" if _committee(d) else "what.members_total")
        d.data["total_members"] = parse_count(value, 1, MAX_MEMBERS, what)
        return RecordStep.PRESENT

    def ask_present(self, d: Step) -> Prompt:
        total = d.data["total_members"]
        return Prompt(
            render("record", d.locale, step="present", total=total, committee=_committee(d)),
            (Option(label("button.all_present", d.locale, total=total), str(total)),),
        )

    def on_present(self, d: Step, value: str) -> RecordStep:
        present, total = parse_attendance(value, d.data["total_members"], MAX_MEMBERS)
        d.data["present"], d.data["total_members"] = present, total
        if d.data["present"] == total:
            d.data["excused_absent"] = 0
            return RecordStep.HIGHER
        return RecordStep.EXCUSED_ABSENT

    def ask_excused_absent(self, d: Step) -> Prompt:
        absent = d.data["total_members"] - d.data["present"]
        options = (
            tuple(Option(str(n), str(n)) for n in range(absent, -1, -1)) if absent <= 5 else ()
        )
        return Prompt(
            render(
                "record", d.locale, step="excused_absent", absent=absent, committee=_committee(d)
            ),
            options,
            columns=6,
        )

    def on_excused_absent(self, d: Step, value: str) -> RecordStep:
        absent = d.data["total_members"] - d.data["present"]
        d.data["excused_absent"] = parse_excused(value, absent)
        return RecordStep.HIGHER

    def ask_higher(self, d: Step) -> Prompt:
        listed = d.deps.policy.committee_members
        options = (
            *(Option(m.label, f"{MEMBER_PREFIX}{m.code}") for m in listed),
            Option(label("button.no_attendee", d.locale), NO_ATTENDEE),
        )
        return Prompt(
            render("record", d.locale, step="higher", listed=bool(listed)),
            options,
            columns=2 if listed else 1,
        )

    def on_higher(self, d: Step, value: str) -> RecordStep:
        d.data["higher_attendee"] = d.data["higher_attendee_code"] = None
        if value != NO_ATTENDEE:
            member = chosen_member(d.deps.policy, value)
            if member is None:
                d.data["higher_attendee"] = short_text(value, error_text("what.full_name"))
            else:
                d.data["higher_attendee"] = member.label
                d.data["higher_attendee_code"] = member.code
        return (
            RecordStep.THEME if d.data["kind"] == MeetingKind.THEMATIC.value else RecordStep.MINUTES
        )

    def ask_theme(self, d: Step) -> Prompt:
        month = Month.parse(d.data["month"])
        planned = schedules.schedules_of(d.deps.db, d.data["unit"], [month]).get(
            (MeetingKind.THEMATIC, month)
        )
        options = (Option(planned.theme, planned.theme),) if planned and planned.theme else ()
        return Prompt(render("record", d.locale, step="theme"), options)

    def on_theme(self, d: Step, value: str) -> RecordStep:
        d.data["theme"] = short_text(value, error_text("what.theme"), 500)
        return RecordStep.MINUTES

    def ask_minutes(self, d: Step) -> Prompt:
        return Prompt(
            render("record", d.locale, step="minutes"), common.yes_no(d.locale), columns=2
        )

    def on_minutes(self, d: Step, value: str) -> RecordStep:
        d.data["minutes_taken"] = parse_yes_no(value)
        return RecordStep.CONFIRM

    # Confirm ----------------------------------------------------------------------------
    def _record(self, d: Step) -> meeting_record.RecordInput:
        fields = meeting_record.RecordInput.__dataclass_fields__
        values: dict[str, Any] = {k: d.data.get(k) for k in fields}
        if values["held_on"]:
            values["held_on"] = date.fromisoformat(values["held_on"])
        return meeting_record.RecordInput(**values)

    def _what(self, d: Step) -> dict[str, Any]:
        return {
            "committee": _committee(d),
            "kind": common.kind_label(d.data["kind"], d.locale),
            "month": str(Month.parse(d.data["month"])),
            "unit_name": d.data["unit_name"],
        }

    def ask_confirm(self, d: Step) -> Prompt:
        return Prompt(
            render("record", d.locale, step="confirm", r=self._record(d), **self._what(d)),
            (Option(label("button.confirm", d.locale), "ok"),),
            accepts_text=False,
        )

    def on_confirm(self, d: Step, value: str) -> Done:
        kind, month = MeetingKind(d.data["kind"]), Month.parse(d.data["month"])
        record = self._record(d)
        meeting_records.record_meeting(
            d.deps.db, d.actor, d.data["unit"], kind, month, record, now=d.now, policy=d.deps.policy
        )
        links: tuple[tuple[str, str], ...] = ()
        if record.held:
            links = (
                (
                    label("button.rate_now", d.locale),
                    f"open:rate:{d.data['unit']}:{kind.value}:{month.key}",
                ),
            )
        return Done(
            render("record", d.locale, step="done", held=record.held, **self._what(d)), links
        )

    steps: ClassVar[Mapping[str, StepMethods]] = {
        RecordStep.UNIT: common.UNIT_STEP,
        RecordStep.MEETING: StepMethods(ask_meeting, on_meeting),
        RecordStep.HELD: StepMethods(ask_held, on_held),
        RecordStep.REASON: StepMethods(ask_reason, on_reason),
        RecordStep.EXCUSED: StepMethods(ask_excused, on_excused),
        RecordStep.DATE: StepMethods(ask_date, on_date),
        RecordStep.DURATION: StepMethods(ask_duration, on_duration),
        RecordStep.TOTAL: StepMethods(ask_total, on_total),
        RecordStep.PRESENT: StepMethods(ask_present, on_present),
        RecordStep.EXCUSED_ABSENT: StepMethods(ask_excused_absent, on_excused_absent),
        RecordStep.HIGHER: StepMethods(ask_higher, on_higher),
        RecordStep.THEME: StepMethods(ask_theme, on_theme),
        RecordStep.MINUTES: StepMethods(ask_minutes, on_minutes),
        RecordStep.CONFIRM: StepMethods(ask_confirm, on_confirm),
    }
