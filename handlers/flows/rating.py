"""Tự đánh giá chất lượng sinh hoạt: walk the rubric with buttons, show score and level."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import ClassVar

from domain import meeting_record
from domain.errors import UserInputError
from domain.meeting_kinds import MeetingKind
from domain.numbers_vi import parse_count
from domain.periods import Month
from domain.policy import Criterion
from domain.roles import Action
from domain.rubric import score_rating
from handlers.dialog import Done, Option, Prompt, Step, StepMethods, flow
from handlers.flows import common
from handlers.flows.record import recordable_months
from messages.render import error_text, label, render
from services import meeting_records, ratings

REDO = "redo"


def point_options(criterion: Criterion) -> tuple[Option, ...]:
    """The likely scores first: full marks and just below, then half and zero."""
    top = criterion.max_points
    values = sorted({*range(top, max(top - 4, 0) - 1, -1), top // 2, 0}, reverse=True)
    return tuple(Option(str(v), str(v)) for v in values)


class RatingStep(StrEnum):
    UNIT = common.UNIT
    MEETING = "meeting"
    CRITERION = "criterion"
    REVIEW = "review"


@flow
class RatingFlow(common.UnitFlow):
    name = "rate"
    action = Action.RATE

    def after_unit(self, d: Step) -> RatingStep | Done:
        if "kind" in d.data:  # opened from a button ("rate now", a reminder)
            if not common.preset_meeting_is_valid(d, recordable_months(d)):
                return Done(render("button_expired", d.locale))
            return self._begin(d)
        if not self._held(d):
            return Done(render("rating", d.locale, step="nothing"))
        return RatingStep.MEETING

    def _held(self, d: Step) -> list[meeting_records.RecordView]:
        records = meeting_records.records_of(d.deps.db, d.data["unit"], recordable_months(d))
        return sorted(
            (r for r in records.values() if r.data.held),
            key=lambda r: (r.month, r.kind.value),
            reverse=True,
        )

    def ask_meeting(self, d: Step) -> Prompt:
        options = []
        for r in self._held(d):
            level = label(f"quality.{r.rated_level}", d.locale) if r.rated_level else None
            options.append(
                Option(
                    label(
                        "button.rate_meeting",
                        d.locale,
                        kind=common.kind_label(r.kind, d.locale),
                        month=str(r.month),
                        level=level,
                        score=r.rated_score,
                    ),
                    f"{r.kind.value}|{r.month.key}",
                )
            )
        return Prompt(
            render("rating", d.locale, step="meeting"), tuple(options), accepts_text=False
        )

    def on_meeting(self, d: Step, value: str) -> RatingStep:
        kind_text, _, month_key = value.partition("|")
        d.data["kind"], d.data["month"] = MeetingKind(kind_text).value, month_key
        return self._begin(d)

    def _begin(self, d: Step) -> RatingStep:
        record = self._record(d)
        if record is None or not record.data.held:
            raise UserInputError(error_text("rating_nothing_held"))
        d.data["answers"] = {}
        d.data["ci"] = 0
        return RatingStep.CRITERION

    def _record(self, d: Step) -> meeting_records.RecordView | None:
        return meeting_records.record_of(
            d.deps.db, d.data["unit"], MeetingKind(d.data["kind"]), Month.parse(d.data["month"])
        )

    def _criterion(self, d: Step) -> Criterion:
        return d.deps.policy.rubric.answerable_criteria[d.data["ci"]]

    def ask_criterion(self, d: Step) -> Prompt:
        rubric = d.deps.policy.rubric
        criterion = self._criterion(d)
        context = {}
        if d.data["ci"] == 0:
            record = self._record(d)
            assert record is not None
            facts = meeting_record.facts_of(record.data)
            context = {
                "present": facts.present,
                "total": facts.total_members,
                "rate": facts.attendance_rate,
                "attendance_points": rubric.attendance_points_for(facts.attendance_rate),
                "attendance_max": rubric.attendance_max_points,
            }
        return Prompt(
            render(
                "rating",
                d.locale,
                step="criterion",
                criterion=criterion,
                number=d.data["ci"] + 1,
                count=len(rubric.answerable_criteria),
                kind=common.kind_label(d.data["kind"], d.locale),
                month=str(Month.parse(d.data["month"])),
                **context,
            ),
            point_options(criterion),
            columns=4,
        )

    def on_criterion(self, d: Step, value: str) -> RatingStep:
        criterion = self._criterion(d)
        d.data["answers"][criterion.code] = parse_count(
            value,
            0,
            criterion.max_points,
            error_text("what.criterion_points", criterion=criterion.label_vi),
        )
        d.data["ci"] += 1
        if d.data["ci"] < len(d.deps.policy.rubric.answerable_criteria):
            return RatingStep.CRITERION
        return RatingStep.REVIEW

    def ask_review(self, d: Step) -> Prompt:
        record = self._record(d)
        assert record is not None
        result = score_rating(
            d.deps.policy, d.data["answers"], meeting_record.facts_of(record.data)
        )
        return Prompt(
            render(
                "rating",
                d.locale,
                step="review",
                result=result,
                level_label=label(f"quality.{result.level.value}", d.locale),
                kind=common.kind_label(d.data["kind"], d.locale),
                month=str(Month.parse(d.data["month"])),
            ),
            (
                Option(label("button.confirm", d.locale), "ok"),
                Option(label("button.redo", d.locale), REDO),
            ),
            columns=2,
            accepts_text=False,
        )

    def on_review(self, d: Step, value: str) -> RatingStep | Done:
        if value == REDO:
            return self._begin(d)
        result = ratings.rate_meeting(
            d.deps.db,
            d.actor,
            d.data["unit"],
            MeetingKind(d.data["kind"]),
            Month.parse(d.data["month"]),
            d.data["answers"],
            now=d.now,
            policy=d.deps.policy,
        )
        return Done(
            render(
                "rating",
                d.locale,
                step="done",
                result=result,
                level_label=label(f"quality.{result.level.value}", d.locale),
                kind=common.kind_label(d.data["kind"], d.locale),
                month=str(Month.parse(d.data["month"])),
            )
        )

    steps: ClassVar[Mapping[str, StepMethods]] = {
        RatingStep.UNIT: common.UNIT_STEP,
        RatingStep.MEETING: StepMethods(ask_meeting, on_meeting),
        RatingStep.CRITERION: StepMethods(ask_criterion, on_criterion),
        RatingStep.REVIEW: StepMethods(ask_review, on_review),
    }
