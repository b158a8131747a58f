"""Xác nhận gửi báo cáo định kỳ, with an optional attached document."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from typing import ClassVar

from domain.obligations import Status
from domain.org import REPORTING_KINDS
from domain.roles import Action
from handlers.dialog import Done, Option, Prompt, Step, StepMethods, flow
from handlers.flows import common
from messages.render import label, render
from services import reports

SENT_WITHOUT_FILE = "sent"
# Reports due within this many days are offered; later ones are listed by /status only.
_NOTICE_DAYS = timedelta(days=31)


class ReportStep(StrEnum):
    UNIT = common.UNIT
    CHOOSE = "choose"
    ATTACH = "attach"


@flow
class ReportFlow(common.UnitFlow):
    name = "report"
    action = Action.REPORT
    unit_kinds = REPORTING_KINDS
    no_unit_template = "no_report_unit"

    def _open(self, d: Step) -> list[reports.ReportItem]:
        items = reports.report_overview(d.deps.db, d.data["unit"], d.now, d.deps.policy)
        return [i for i in items if i.sent_on is None and i.due - d.today <= _NOTICE_DAYS]

    def after_unit(self, d: Step) -> ReportStep | Done:
        if "report_type" in d.data:  # opened from a reminder's button
            wanted = (d.data["report_type"], d.data.get("period"))
            if wanted not in {(i.report_type, i.period_key) for i in self._open(d)}:
                return Done(render("button_expired", d.locale))
            return ReportStep.ATTACH
        if not self._open(d):
            return Done(render("report", d.locale, step="nothing"))
        return ReportStep.CHOOSE

    def ask_choose(self, d: Step) -> Prompt:
        options = tuple(
            Option(
                label(
                    "button.report_item",
                    d.locale,
                    title=i.title,
                    due=f"{i.due:%d/%m}",
                    overdue=i.status == Status.MISSING,
                ),
                f"{i.report_type}|{i.period_key}",
            )
            for i in self._open(d)
        )
        return Prompt(
            render("report", d.locale, step="choose", unit_name=d.data["unit_name"]),
            options,
            accepts_text=False,
        )

    def on_choose(self, d: Step, value: str) -> ReportStep:
        d.data["report_type"], _, d.data["period"] = value.partition("|")
        return ReportStep.ATTACH

    def ask_attach(self, d: Step) -> Prompt:
        return Prompt(
            render("report", d.locale, step="attach"),
            (Option(label("button.sent_without_file", d.locale), SENT_WITHOUT_FILE),),
            accepts_text=False,
            accepts_document=True,
        )

    def on_attach(self, d: Step, value: str) -> Done:
        item = reports.confirm_report(
            d.deps.db,
            d.actor,
            d.data["unit"],
            d.data["report_type"],
            d.data["period"],
            document=d.document,
            now=d.now,
            policy=d.deps.policy,
        )
        return Done(render("report", d.locale, step="done", item=item))

    steps: ClassVar[Mapping[str, StepMethods]] = {
        ReportStep.UNIT: common.UNIT_STEP,
        ReportStep.CHOOSE: StepMethods(ask_choose, on_choose),
        ReportStep.ATTACH: StepMethods(ask_attach, on_attach),
    }
