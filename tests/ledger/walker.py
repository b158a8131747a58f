"""A secretary who does what the bot asks: the random histories of the ledger tests.

A walk starts from the secretary's /status (a to-do button) or a flow command, then
answers each prompt sensibly for the step the dialog is at (read from the dialog
state, not from the wording): a future date for a schedule, a past day for a record,
a number of members, a document where one is taken (a report, a directive done), or
one of the offered buttons. Choices come from `choose`, so
Hypothesis decides where each walk goes; everything goes through `process_update`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from domain.localtime import local_date
from domain.periods import Month
from services.clock import ManualClock
from storage.db import Database
from storage.dialogs import load
from tests.auxil.updates import BotHarness, User

Choose = Callable[[int], int]  # a choice in range(n)

MAX_STEPS = 25
COMMANDS = ("/schedule", "/record", "/rate", "/report")


@dataclass
class Walker:
    bot: BotHarness
    db: Database
    clock: ManualClock
    user: User

    def _dialog(self) -> Any:
        with self.db.transaction() as session:
            return load(session, self.user.id)

    async def walk(self, choose: Choose) -> None:
        calls = await self.bot.send(self.user, "/status")
        links = [data for c in calls for _, data in c.buttons if data.startswith("open:")]
        pick = choose(len(links) + len(COMMANDS))
        if pick < len(links):
            calls = await self.bot.press(self.user, links[pick])
        else:
            calls = await self.bot.send(self.user, COMMANDS[pick - len(links)])
        for _ in range(MAX_STEPS):
            dialog = self._dialog()
            if dialog is None:
                return
            buttons = [d for c in calls for _, d in c.buttons if d.startswith("d:")]
            options = [d for d in buttons if not d.endswith(":c")]
            typed = self._typed(dialog.flow, dialog.step, dialog.data, choose)
            if dialog.data.get("_documents") and (not options or choose(2)):
                calls = await self.bot.send_document(self.user, "van-ban.pdf")
            elif typed is not None and (not options or choose(3)):
                calls = await self.bot.send(self.user, typed)
            elif options:
                calls = await self.bot.press(self.user, options[choose(len(options))])
            else:
                break
        await self.bot.send(self.user, "hủy")  # a walk that goes nowhere is abandoned

    def _typed(self, flow: str, step: str, data: dict[str, Any], choose: Choose) -> str | None:
        now = self.clock.now()
        today = local_date(now)
        month = Month.parse(data["month"]) if "month" in data else Month.of(today)
        if flow == "schedule" and step == "when":
            first = max(month.first_day, today + timedelta(days=1))
            if first > month.last_day:
                return "hủy"
            span = (month.last_day - first).days
            return f"{(first + timedelta(days=choose(span + 1))):%d/%m/%Y} 14:00"
        if flow == "record" and step == "date":
            last = min(month.last_day, today)
            if last < month.first_day:
                return "hủy"
            span = (last - month.first_day).days
            return f"{(last - timedelta(days=choose(span + 1))):%d/%m/%Y}"
        if step == "present" and "total_members" in data:
            return str(choose(int(data["total_members"]) + 1))
        answers = {
            "place": "Hội trường",
            "theme": "Học tập Nghị quyết",
            "reason": "Trùng lịch công tác",
            "cancel_reason": "Trùng lịch công tác",
            "duration": "90",
            "total": "10",
            "excused_absent": "0",
            "higher": "Đồng chí Nguyễn Văn A",
        }
        return answers.get(step)
