"""Cluster meetings in the bot: the officer calls one and marks who came; units answer.

/clustermeeting (cluster officer): a new meeting (when, where, agenda, which units),
the answers so far of one ahead, or the roll call of one held: one tap per unit
cycles came → excused → absent, then save. A unit answers from the invitation's
button (or /status): who will come, or why it cannot.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from domain import cluster_meetings as rules
from domain.cluster_meetings import Answer, Mark
from domain.dates_vi import NeedsTime, datetime_examples, parse_datetime
from domain.errors import UserInputError
from domain.org import REPORTING_KINDS, UnitKind
from domain.roles import Action, Role
from domain.text_vi import short_text
from handlers.dialog import Done, Flow, Option, Prompt, Step, StepMethods, flow
from handlers.flows import common
from messages.render import error_text, label, render
from services import cluster_meetings as service

NEW = "new"
SAVE = "save"
ALL = "all"


def officer_clusters(d: Step) -> list[tuple[str, str]]:
    """(code, label) of the clusters whose meetings the actor calls."""
    found: dict[str, str] = {}
    for scope in d.actor.scopes_for(Action.CLUSTER_MEETING):
        if scope.role == Role.CLUSTER_OFFICER and scope.unit_kind == UnitKind.CLUSTER:
            found.setdefault(scope.unit_code, scope.unit_label)
    return list(found.items())


class ClusterMeetingStep(StrEnum):
    CLUSTER = "cluster"
    MENU = "menu"
    WHEN = "when"
    PLACE = "place"
    AGENDA = "agenda"
    UNITS = "units"
    CONFIRM = "confirm"
    MARK = "mark"


@flow
class ClusterMeetingFlow(Flow):
    name = "cluster_meeting"
    action = Action.CLUSTER_MEETING

    def after_unit(self, d: Step) -> ClusterMeetingStep:
        return ClusterMeetingStep.MENU

    # Which cluster (an officer of several) ---------------------------------------------
    def ask_cluster(self, d: Step) -> Prompt:
        return Prompt(
            render("cluster_meeting", d.locale, step="cluster"),
            tuple(Option(name, code) for code, name in officer_clusters(d)),
            accepts_text=False,
        )

    def on_cluster(self, d: Step, value: str) -> ClusterMeetingStep:
        names = dict(officer_clusters(d))
        if value not in names:
            raise UserInputError(error_text("cluster_out_of_scope"))
        d.data["cluster"], d.data["cluster_name"] = value, names[value]
        return ClusterMeetingStep.MENU

    # What to do ---------------------------------------------------------------------------
    def ask_menu(self, d: Step) -> Prompt:
        meetings = service.meetings_of(d.deps.db, [d.data["cluster"]], d.now)
        options = [Option(label("button.cluster_new", d.locale), NEW)]
        for m in meetings:
            held = m.starts_at <= d.now
            key = "button.cluster_mark" if held else "button.cluster_answers"
            options.append(Option(label(key, d.locale, day=f"{m.starts_at:%d/%m}"), str(m.id)))
        return Prompt(
            render("cluster_meeting", d.locale, step="menu", cluster_name=d.data["cluster_name"]),
            tuple(options),
            accepts_text=False,
        )

    def on_menu(self, d: Step, value: str) -> ClusterMeetingStep | Done:
        if value == NEW:
            return ClusterMeetingStep.WHEN
        found = service.roll_call(d.deps.db, int(value))
        if found is None or found[0].cluster_code != d.data["cluster"]:
            raise UserInputError(error_text("cluster_meeting_not_found"))
        info, invited = found
        d.data["meeting"] = value
        if info.starts_at > d.now:  # ahead: the answers so far
            return Done(
                render("cluster_meeting", d.locale, step="answers", meeting=info, invited=invited)
            )
        d.data["marks"] = {
            i.unit_code: rules.first_mark(i.answer, i.attended, i.reason_accepted).value
            for i in invited
        }
        return ClusterMeetingStep.MARK

    # A new meeting ----------------------------------------------------------------------
    def ask_when(self, d: Step) -> Prompt:
        return Prompt(
            render(
                "cluster_meeting",
                d.locale,
                step="when",
                examples=datetime_examples(d.now, future_only=True),
            )
        )

    def on_when(self, d: Step, value: str) -> ClusterMeetingStep:
        try:
            moment = parse_datetime(value, d.now, future_only=True)
        except NeedsTime as missing:
            day = f"{missing.day:%d/%m}"
            raise UserInputError(error_text("cluster_meeting_needs_hour", day=day)) from None
        d.data["starts_at"] = rules.check_start(moment, d.now).isoformat()
        return ClusterMeetingStep.PLACE

    def ask_place(self, d: Step) -> Prompt:
        return Prompt(render("cluster_meeting", d.locale, step="place"))

    def on_place(self, d: Step, value: str) -> ClusterMeetingStep:
        d.data["place"] = short_text(value, error_text("what.place"), rules.MAX_PLACE)
        return ClusterMeetingStep.AGENDA

    def ask_agenda(self, d: Step) -> Prompt:
        return Prompt(render("cluster_meeting", d.locale, step="agenda"))

    def on_agenda(self, d: Step, value: str) -> ClusterMeetingStep:
        d.data["agenda"] = short_text(value, error_text("what.agenda"), rules.MAX_AGENDA)
        return ClusterMeetingStep.UNITS

    def ask_units(self, d: Step) -> Prompt:
        every = service.invitees(d.deps.db, d.data["cluster"])
        return Prompt(
            render("cluster_meeting", d.locale, step="units", count=len(every)),
            (Option(label("button.cluster_all", d.locale, count=len(every)), ALL),),
        )

    def on_units(self, d: Step, value: str) -> ClusterMeetingStep:
        chosen = [] if value == ALL else [w.upper() for w in value.replace(",", " ").split()]
        d.data["units"] = service.invitees(d.deps.db, d.data["cluster"], chosen)
        return ClusterMeetingStep.CONFIRM

    def ask_confirm(self, d: Step) -> Prompt:
        return Prompt(
            render(
                "cluster_meeting",
                d.locale,
                step="confirm",
                cluster_name=d.data["cluster_name"],
                starts_at=datetime.fromisoformat(d.data["starts_at"]),
                place=d.data["place"],
                agenda=d.data["agenda"],
                units=len(d.data["units"]),
            ),
            (Option(label("button.confirm", d.locale), "ok"),),
            accepts_text=False,
        )

    def on_confirm(self, d: Step, value: str) -> Done:
        info, told = service.call(
            d.deps.db,
            d.actor,
            service.MeetingRequest(
                d.data["cluster"],
                datetime.fromisoformat(d.data["starts_at"]),
                d.data["place"],
                d.data["agenda"],
                tuple(d.data["units"]),
            ),
            now=d.now,
            policy=d.deps.policy,
        )
        return Done(
            render(
                "cluster_meeting",
                d.locale,
                step="called",
                meeting=info,
                units=len(d.data["units"]),
                told=told,
            )
        )

    # The roll call: one tap per unit ------------------------------------------------------
    def ask_mark(self, d: Step) -> Prompt:
        found = service.roll_call(d.deps.db, int(d.data["meeting"]))
        assert found is not None
        info, invited = found
        marks = d.data["marks"]
        options = tuple(
            Option(
                label(
                    f"mark.{marks.get(i.unit_code, Mark.ABSENT.value)}", d.locale, unit=i.unit_name
                ),
                i.unit_code,
            )
            for i in invited
        )
        return Prompt(
            render("cluster_meeting", d.locale, step="mark", meeting=info),
            (*options, Option(label("button.cluster_save", d.locale), SAVE)),
            accepts_text=False,
        )

    def on_mark(self, d: Step, value: str) -> ClusterMeetingStep | Done:
        marks: dict[str, str] = d.data["marks"]
        if value != SAVE:
            if value not in marks:
                raise UserInputError(error_text("cluster_unit_not_invited"))
            marks[value] = Mark(marks[value]).next().value
            return ClusterMeetingStep.MARK
        info = service.mark(
            d.deps.db,
            d.actor,
            int(d.data["meeting"]),
            {code: Mark(m) for code, m in marks.items()},
            now=d.now,
            policy=d.deps.policy,
        )
        counts = {m: sum(1 for v in marks.values() if v == m.value) for m in Mark}
        return Done(
            render(
                "cluster_meeting",
                d.locale,
                step="marked",
                meeting=info,
                attended=counts[Mark.ATTENDED],
                excused=counts[Mark.EXCUSED],
                absent=counts[Mark.ABSENT],
            )
        )

    steps: ClassVar[Mapping[str, StepMethods]] = {
        ClusterMeetingStep.CLUSTER: StepMethods(ask_cluster, on_cluster),
        ClusterMeetingStep.MENU: StepMethods(ask_menu, on_menu),
        ClusterMeetingStep.WHEN: StepMethods(ask_when, on_when),
        ClusterMeetingStep.PLACE: StepMethods(ask_place, on_place),
        ClusterMeetingStep.AGENDA: StepMethods(ask_agenda, on_agenda),
        ClusterMeetingStep.UNITS: StepMethods(ask_units, on_units),
        ClusterMeetingStep.CONFIRM: StepMethods(ask_confirm, on_confirm),
        ClusterMeetingStep.MARK: StepMethods(ask_mark, on_mark),
    }


class AttendStep(StrEnum):
    UNIT = common.UNIT
    CHOOSE = "choose"
    ANSWER = "answer"
    DELEGATE = "delegate"
    REASON = "reason"


@flow
class AttendFlow(common.UnitFlow):
    """A unit answers a cluster meeting's invitation: who will come, or why it cannot."""

    name = "attend"
    action = Action.CLUSTER_ANSWER
    unit_kinds = REPORTING_KINDS
    no_unit_template = "no_report_unit"

    def after_unit(self, d: Step) -> AttendStep | Done:
        ahead = {str(m.id) for m in service.open_for_unit(d.deps.db, d.data["unit"], d.now)}
        if "meeting" in d.data:  # from the invitation's button
            if d.data["meeting"] not in ahead:
                return Done(render("cluster_answer", d.locale, step="closed"))
            return AttendStep.ANSWER
        if not ahead:
            return Done(render("cluster_answer", d.locale, step="nothing"))
        return AttendStep.CHOOSE

    def ask_choose(self, d: Step) -> Prompt:
        meetings = service.open_for_unit(d.deps.db, d.data["unit"], d.now)
        return Prompt(
            render("cluster_answer", d.locale, step="choose", unit_name=d.data["unit_name"]),
            tuple(
                Option(f"{m.cluster_name} {m.starts_at:%H:%M %d/%m}", str(m.id)) for m in meetings
            ),
            accepts_text=False,
        )

    def on_choose(self, d: Step, value: str) -> AttendStep:
        if value not in {
            str(m.id) for m in service.open_for_unit(d.deps.db, d.data["unit"], d.now)
        }:
            raise UserInputError(error_text("cluster_meeting_past"))
        d.data["meeting"] = value
        return AttendStep.ANSWER

    def ask_answer(self, d: Step) -> Prompt:
        found = service.invitation(d.deps.db, int(d.data["meeting"]), d.data["unit"])
        assert found is not None
        info, invitation = found
        return Prompt(
            render(
                "cluster_answer",
                d.locale,
                step="answer",
                meeting=info,
                invitation=invitation,
                unit_name=d.data["unit_name"],
            ),
            (
                Option(label("button.cluster_attend", d.locale), Answer.ATTEND.value),
                Option(label("button.cluster_absent", d.locale), Answer.ABSENT.value),
            ),
            accepts_text=False,
        )

    def on_answer(self, d: Step, value: str) -> AttendStep:
        d.data["answer"] = Answer(value).value
        return AttendStep.DELEGATE if value == Answer.ATTEND else AttendStep.REASON

    def ask_delegate(self, d: Step) -> Prompt:
        return Prompt(render("cluster_answer", d.locale, step="delegate"))

    def on_delegate(self, d: Step, value: str) -> Done:
        return self._save(d, Answer.ATTEND, value)

    def ask_reason(self, d: Step) -> Prompt:
        return Prompt(render("cluster_answer", d.locale, step="reason"))

    def on_reason(self, d: Step, value: str) -> Done:
        return self._save(d, Answer.ABSENT, value)

    def _save(self, d: Step, choice: Answer, text: str) -> Done:
        info = service.answer(
            d.deps.db, d.actor, int(d.data["meeting"]), d.data["unit"], choice, text, now=d.now
        )
        return Done(
            render(
                "cluster_answer",
                d.locale,
                step="done",
                meeting=info,
                attend=choice == Answer.ATTEND,
                text=" ".join(text.split()),
            )
        )

    steps: ClassVar[Mapping[str, StepMethods]] = {
        AttendStep.UNIT: common.UNIT_STEP,
        AttendStep.CHOOSE: StepMethods(ask_choose, on_choose),
        AttendStep.ANSWER: StepMethods(ask_answer, on_answer),
        AttendStep.DELEGATE: StepMethods(ask_delegate, on_delegate),
        AttendStep.REASON: StepMethods(ask_reason, on_reason),
    }
