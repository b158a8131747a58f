"""The sandbox's virtual clock: `:clock +2d`, `:clock 2026-12-01 08:00`, `:time`.

The sandbox runs on a ManualClock. A jump walks forward through every moment the
scheduler cares about (each reminder slot, the end of quiet hours, the weekly
digest), and at each one runs the planners and the dispatcher once, as the
running bot would. What arrives for the current persona is printed (its buttons
can be pressed); messages for the other personas wait until you switch to them.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.settings import Settings
from bot.transport import ApiCall
from domain.localtime import at_local, local_zone, to_local
from domain.reminder_timing import in_quiet_hours, reminder_slots
from scheduler.dispatcher import Dispatcher
from scheduler.runner import run_planners
from services.clock import ManualClock
from services.deps import Deps
from storage.models import OutboxMessage

if TYPE_CHECKING:
    from bot.sandbox import TerminalChat

HELP = """  :time     giờ hiện tại của sandbox (đồng hồ ảo)
  :clock +2d | +3h | +30m | 2026-12-01 08:00
            tua đồng hồ tới trước và xem nhắc việc đến (chạy lập lịch + gửi)"""

# Longer jumps simulate only their last days, and say which days were skipped.
MAX_SIMULATED_DAYS = 62
_RELATIVE = re.compile(r"^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_target(text: str, now: datetime) -> datetime:
    """ "+2d", "+3h", "+1d6h", "+30m", "2026-12-01 08:00" or "2026-12-01" (local time)."""
    text = text.strip()
    m = _RELATIVE.fullmatch(text.replace(" ", ""))
    if m and any(m.groups()):
        days, hours, minutes = (int(g or 0) for g in m.groups())
        return now + timedelta(days=days, hours=hours, minutes=minutes)
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=local_zone())
        except ValueError:
            continue
    raise ValueError(text)


class SandboxClock:
    def __init__(self, chat: TerminalChat, clock: ManualClock, deps: Deps[Settings]) -> None:
        self.chat = chat
        self.clock = clock
        self.deps = deps
        self.dispatcher = Dispatcher(deps.db, chat.app.bot, clock, deps.policy)
        self.inbox: dict[int, list[tuple[datetime, ApiCall]]] = defaultdict(list)
        # The chat shows what arrives; the planners' progress lines would only clutter it.
        for name in ("scheduler", "services"):
            logging.getLogger(name).setLevel(logging.WARNING)

    def now_text(self) -> str:
        return f"{to_local(self.clock.now()):%H:%M %d/%m/%Y}"

    async def command(self, line: str) -> None:
        word, _, argument = line.strip().partition(" ")
        if word == ":time" or not argument.strip():
            print(f"   [đồng hồ ảo] {self.now_text()}")
            return
        try:
            target = parse_target(argument, self.clock.now())
        except ValueError:
            print("   Không hiểu thời điểm. Ví dụ: :clock +2d, :clock +3h, :clock 2026-12-01 08:00")
            return
        if target <= self.clock.now():
            print("   Đồng hồ ảo chỉ tua tới trước.")
            return
        await self.jump(target)

    def first_simulated_day(self, start: datetime, target: datetime) -> date:
        return max(to_local(start).date(), to_local(target).date() - timedelta(MAX_SIMULATED_DAYS))

    def stops(self, start: datetime, target: datetime) -> list[datetime]:
        """Every scheduler moment in (start, target], then target itself: day by day, each
        reminder slot, quiet-hours end and digest time (the last MAX_SIMULATED_DAYS days)."""
        rules = self.deps.policy.reminders
        clocks = {s.at for s in reminder_slots(rules)} | {
            rules.quiet_hours.end,
            rules.weekly_digest.at,
        }
        first_day = self.first_simulated_day(start, target)
        moments = []
        day = first_day
        while day <= to_local(target).date():
            for at in sorted(clocks):
                moment = at_local(day, at)
                if start < moment <= target:
                    moments.append(moment)
            day += timedelta(days=1)
        moments += self._outbox_due(max(start, at_local(first_day, time(0, 0))), target)
        moments = sorted(set(moments))
        if not moments or moments[-1] != target:
            moments.append(target)
        return moments

    def _outbox_due(self, start: datetime, target: datetime) -> list[datetime]:
        """When rows already in the outbox fall due (a snooze, a held message)."""
        with self.deps.db.transaction() as session:
            return list(
                session.scalars(
                    select(OutboxMessage.not_before)
                    .where(
                        OutboxMessage.status == "pending",
                        OutboxMessage.not_before > start,
                        OutboxMessage.not_before <= target,
                    )
                    .distinct()
                    .limit(500)
                )
            )

    async def jump(self, target: datetime) -> None:
        arrived = 0
        start = self.clock.now()
        first = self.first_simulated_day(start, target)
        if first > to_local(start).date():
            skipped_to = first - timedelta(days=1)
            print(
                f"   (Tua xa quá {MAX_SIMULATED_DAYS} ngày: bỏ qua nhắc việc từ "
                f"{to_local(start):%d/%m/%Y} đến {skipped_to:%d/%m/%Y}; mô phỏng từng ngày "
                f"từ {first:%d/%m/%Y}.)"
            )
        for moment in self.stops(start, target):
            self.clock.set(moment)
            arrived += await self.tick()
        print(f"   [đồng hồ ảo] bây giờ là {self.now_text()}; {arrived} tin nhắn mới đã gửi.")
        if in_quiet_hours(self.clock.now(), self.deps.policy.reminders.quiet_hours):
            quiet = self.deps.policy.reminders.quiet_hours
            print(f"   (giờ yên lặng {quiet.start:%H:%M}–{quiet.end:%H:%M}: tin nhắn giữ đến sáng)")

    async def tick(self) -> int:
        """One scheduler tick at the clock's time: plan, then send until nothing is due."""
        run_planners(self.deps.db, self.clock.now(), self.deps.policy)
        self.chat.transport.take()
        while (await self.dispatcher.dispatch_once()).claimed:
            pass
        delivered = [c for c in self.chat.transport.take() if c.method.startswith("send")]
        for call in delivered:
            if call.chat_id == self.chat.persona.user_id:
                print(f"   ── {to_local(self.clock.now()):%H:%M %d/%m/%Y} ──")
                self.chat._show(call)
            elif call.chat_id is not None:
                self.inbox[call.chat_id].append((self.clock.now(), call))
        return len(delivered)

    def show_inbox(self) -> None:
        waiting = self.inbox.pop(self.chat.persona.user_id, [])
        if waiting:
            print(f"   📬 {len(waiting)} tin nhắn đến trong lúc bạn vắng mặt:")
        for moment, call in waiting:
            print(f"   ── {to_local(moment):%H:%M %d/%m/%Y} ──")
            self.chat._show(call)
