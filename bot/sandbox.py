"""`chibo sandbox`: the real Application in a terminal chat, with no Telegram at all.

Updates are built from what you type and fed to process_update; the bot's calls
land in LocalTransport and are printed as a phone would show them.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.sandbox_clock import HELP as CLOCK_HELP
from bot.sandbox_clock import SandboxClock
from bot.settings import Settings
from bot.transport import ApiCall, LocalTransport, bot_user
from domain.invite_codes import display
from domain.policy import Policy
from domain.roles import Role
from messages.render import role_title
from services.actors import load_actor
from services.clock import Clock, ManualClock, SystemClock
from services.demo_history import load_demo_history
from services.deps import DEPS_KEY, Deps
from services.invites import TelegramUser, Throttle, create_invite, redeem
from services.org import load_demo
from storage import migrate
from storage.db import Database
from storage.files import SQLITE_SIDE_FILES, create_private

DEMO_ORG = Path(__file__).parent / "demo" / "org.csv"
# SQLite's header field for "which application's file is this" ("CHBS"): set on the
# databases the sandbox creates, so it only ever deletes one of its own.
SANDBOX_APPLICATION_ID = 0x43484253
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Persona:
    user_id: int
    name: str
    role: Role | None
    unit: str | None


PERSONAS = (
    Persona(101, "Trần Thị Bình", Role.SECRETARY, "VPUBND-01"),
    Persona(102, "Lê Văn Cường", Role.SECRETARY, "NTM"),
    Persona(103, "Phạm Minh Dũng", Role.SECRETARY, "VPUBND"),
    Persona(104, "Hoàng Thu Hà", Role.CLUSTER_OFFICER, "C2"),
    Persona(105, "Nguyễn Quốc Hùng", Role.LEADER, "DUK"),
    Persona(106, "Văn phòng Đảng ủy Khối", Role.ADMIN, "DUK"),
    Persona(199, "Đặng Thu Trang", None, None),  # not invited yet: try the spare code
)
BUTTON_PREFIX = "#"  # "#2" presses button 2; a plain "2" is an answer, as on a phone

SANDBOX_HELP = f"""Lệnh của sandbox:
  :p        đổi người dùng (persona)
{CLOCK_HELP}
  :q        thoát
  #N        bấm nút thứ N của tin nhắn gần nhất (số không có # là câu trả lời gõ vào)
  còn lại   gửi như một tin nhắn Telegram (ví dụ /help, /start MÃ-MỜI)"""


class SandboxPathError(Exception):
    """The --db path is not the sandbox's to (re)create; the message says why."""


def is_sandbox_database(path: Path) -> bool:
    """Whether `path` is a SQLite database the sandbox created (read from its header)."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError:
        return False
    return header[:16] == _SQLITE_MAGIC and int.from_bytes(header[68:72], "big") == (
        SANDBOX_APPLICATION_ID
    )


def claim_database_file(path: Path) -> None:
    """Create an empty, marked sandbox database at `path`.

    An earlier sandbox database there is replaced; anything else (a real database,
    an unrelated file, a folder) is left alone and SandboxPathError says so.
    """
    side_files = [Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES]
    if path.is_dir():
        raise SandboxPathError(f"{path} là một thư mục. Hãy chọn tên một tệp mới, hoặc bỏ --db.")
    if path.exists() or path.is_symlink():
        if not is_sandbox_database(path):
            raise SandboxPathError(
                f"Tệp {path} đã có và không phải cơ sở dữ liệu do sandbox tạo ra, nên sandbox "
                "không xóa hay ghi đè nó. Hãy chọn tên một tệp mới, hoặc bỏ --db để dùng "
                "một tệp tạm."
            )
        for file in (path, *side_files):
            file.unlink(missing_ok=True)
    elif any(f.exists() for f in side_files):
        raise SandboxPathError(
            f"Bên cạnh {path} còn tệp -wal/-shm/-journal của một cơ sở dữ liệu khác. "
            "Hãy chọn tên một tệp mới, hoặc bỏ --db."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    create_private(path)
    # Written before SQLite switches the file to WAL, so the mark is in the file itself.
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute(f"PRAGMA application_id={SANDBOX_APPLICATION_ID}")
        connection.commit()


def title(db: Database, persona: Persona) -> str:
    """The persona as the bot knows them now: their roles, or "not invited yet"."""
    actor = load_actor(db, persona.user_id)
    if actor is None:
        return f"{persona.name} — chưa được mời (thử mã mời in ở trên)"
    roles = "; ".join(
        f"{role_title(s.role.value, s.unit_kind.value)} {s.unit_code}" for s in actor.scopes
    )
    return f"{persona.name} — {roles}"


def prepare_database(
    path: Path, clock: Clock, policy: Policy, *, history: bool = True
) -> tuple[Database, str]:
    """A fresh demo bloc with a few months of history (unless `history=False`) and every
    persona bound; returns a spare invite for the stranger."""
    claim_database_file(path)
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    db = Database(url)
    now = clock.now()
    load_demo(db, DEMO_ORG.read_text(encoding="utf-8"), now=now, policy=policy)
    if history:  # so the leader views show a bloc that has lived a while
        load_demo_history(db, now, policy)
    for p in PERSONAS:
        if p.role is None or p.unit is None:
            continue
        invite = create_invite(
            db, role=p.role, unit_code=p.unit, now=now, ttl=timedelta(days=14), actor="sandbox"
        )
        redeem(
            db,
            TelegramUser(p.user_id, p.name),
            invite.code,
            now=now,
            throttle=Throttle(5, timedelta(minutes=30)),
        )
    spare = create_invite(
        db,
        role=Role.SECRETARY,
        unit_code="TNMT-01",
        now=now,
        ttl=timedelta(days=14),
        actor="sandbox",
    )
    return db, spare.code


class TerminalChat:
    def __init__(self, application: Application, transport: LocalTransport) -> None:
        self.app = application
        self.transport = transport
        self.persona = PERSONAS[0]
        self.buttons: list[tuple[str, str]] = []
        self.last_message_id = 0
        # Update ids never repeat, even across sandbox runs on one database: a repeated
        # id is a re-delivered update and is ignored (storage.handled_updates).
        self._next_id = time.time_ns() // 1_000_000
        self.virtual_time: Any = None  # bot.sandbox_clock.SandboxClock: `:clock`, `:time`
        self.replying_to: dict[str, Any] | None = None  # a ForceReply prompt being answered

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _user(self) -> dict[str, Any]:
        first, _, last = self.persona.name.rpartition(" ")
        return {
            "id": self.persona.user_id,
            "is_bot": False,
            "first_name": first or last,
            "last_name": last if first else None,
            "language_code": "vi",
        }

    def _chat(self) -> dict[str, Any]:
        return {"id": self.persona.user_id, "type": "private"}

    async def send_text(self, text: str) -> None:
        message: dict[str, Any] = {
            "message_id": self._id(),
            "date": 0,
            "chat": self._chat(),
            "from": self._user(),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        elif self.replying_to is not None:
            # A phone answers a ForceReply prompt as a reply to it (a survey comment).
            message["reply_to_message"] = self.replying_to
        self.replying_to = None
        await self._process({"update_id": self._id(), "message": message})

    async def press(self, index: int) -> None:
        text, data = self.buttons[index - 1]
        print(f"   (bấm: {text})")
        query = {
            "id": str(self._id()),
            "from": self._user(),
            "chat_instance": "sandbox",
            "data": data,
            "message": {
                "message_id": self.last_message_id,
                "date": 0,
                "chat": self._chat(),
                "text": "",
            },
        }
        await self._process({"update_id": self._id(), "callback_query": query})

    async def _process(self, payload: dict[str, Any]) -> None:
        self.transport.take()
        await self.app.process_update(Update.de_json(payload, self.app.bot))
        for call in self.transport.take():
            self._show(call)

    def prompt(self) -> str:
        return f"[{self.persona.name}] > "

    def _show(self, call: ApiCall) -> None:
        if call.method == "answerCallbackQuery":
            if call.params.get("text"):
                print(f"   [thông báo] {call.params['text']}")
            return
        # Removing a pressed message's buttons shows nothing new on a phone either.
        if call.method == "editMessageReplyMarkup" or not call.method.startswith(("send", "edit")):
            return
        print("🤖 " + as_plain_text(call.text).replace("\n", "\n   "))
        if call.method.startswith("send") and call.files:
            print(f"   [tệp đính kèm: {', '.join(call.files)}]")
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("force_reply"):
            self.replying_to = {
                "message_id": self._id(),
                "date": 0,
                "chat": self._chat(),
                "from": bot_user(self.transport.bot_username),
                "text": as_plain_text(call.text),
            }
            print("   (tin nhắn bạn gõ tiếp theo là trả lời cho tin này)")
        self.buttons = call.buttons
        for number, (text, _) in enumerate(self.buttons, start=1):
            print(f"   [{BUTTON_PREFIX}{number}] {text}")
        self.last_message_id = int(call.params.get("message_id") or 0)

    async def choose_persona(self, read: Any) -> bool:
        """Pick who you are; False when you asked to quit (`:q`) instead."""
        db = self.app.bot_data[DEPS_KEY].db
        for number, persona in enumerate(PERSONAS, start=1):
            print(f"  {number}. {title(db, persona)}")
        while True:
            answer = (await read("Chọn người dùng (số, :q để thoát): ")).strip()
            if answer in (":q", ":quit"):
                return False
            if answer.isdigit() and 1 <= int(answer) <= len(PERSONAS):
                self.persona = PERSONAS[int(answer) - 1]
                break
            if not answer:  # Enter: stay who you are
                break
            print(f"   Vui lòng gõ một số từ 1 đến {len(PERSONAS)}.")
        print(f"Bạn đang là: {title(db, self.persona)}")
        if self.virtual_time is not None:
            self.virtual_time.show_inbox()
        return True


def as_plain_text(text: str) -> str:
    return html.unescape(re.sub(r"</?(b|i|u|s|code|pre|a)( [^>]*)?>", "", text))


async def _read(prompt: str) -> str:
    line = await asyncio.to_thread(input, prompt)
    return line


Reader = Callable[[str], Awaitable[str]]


async def _chat_loop(chat: TerminalChat, read: Reader = _read) -> None:
    try:
        if not await chat.choose_persona(read):
            return
        while True:
            line = (await read(chat.prompt())).strip()
            if not line:
                continue
            if line in (":q", ":quit"):
                return
            if line in (":p", ":persona"):
                if not await chat.choose_persona(read):
                    return
            elif line in (":h", ":help"):
                print(SANDBOX_HELP)
            elif line.split()[0] in (":clock", ":time") and chat.virtual_time is not None:
                await chat.virtual_time.command(line)
            elif line.startswith(BUTTON_PREFIX):
                number = line[len(BUTTON_PREFIX) :].strip()
                if number.isdigit() and 1 <= int(number) <= len(chat.buttons):
                    await chat.press(int(number))
                elif chat.buttons:
                    print(f"   Không có nút {line}: các nút là #1 đến #{len(chat.buttons)}.")
                else:
                    print("   Tin nhắn gần nhất không có nút nào.")
            else:
                await chat.send_text(line)
    except EOFError:
        return


async def session(settings: Settings, db_path: Path, clock: ManualClock, read: Reader) -> None:
    """One sandbox session: a fresh demo database, the real Application, the chat loop."""
    db, spare_code = prepare_database(db_path, clock, settings.load_policy())
    # A throwaway database gets a throwaway survey key (unless one is set).
    survey_key = settings.survey_key or secrets.token_urlsafe(32)
    sandbox_settings = settings.model_copy(
        update={"database_url": db.url, "survey_key": survey_key}
    )
    transport = LocalTransport(settings.bot_username or "ChiBoSandboxBot")
    application = build_application(
        Deps(sandbox_settings, db, clock), request=transport, rate_limited=False
    )
    try:
        async with application:
            chat = TerminalChat(application, transport)
            chat.virtual_time = SandboxClock(chat, clock, application.bot_data[DEPS_KEY])
            print(
                "Chi bộ bot — sandbox (không kết nối Telegram). Dữ liệu mẫu: 289 đơn vị, "
                "với hoạt động của vài tháng gần đây."
            )
            print(f"Mã mời còn trống để thử đăng ký (bí thư TNMT-01): {display(spare_code)}")
            print(SANDBOX_HELP)
            await _chat_loop(chat, read)
    finally:
        db.dispose()


def run_sandbox(settings: Settings, db_path: Path | None) -> int:
    """Chat in the terminal; without `db_path` the database is a temporary file."""
    folder = None
    if db_path is None:
        folder = Path(tempfile.mkdtemp(prefix="chibo-sandbox-"))
        db_path = folder / "sandbox.sqlite3"
    clock = ManualClock(SystemClock().now())  # `:clock +2d` moves it
    try:
        try:
            asyncio.run(session(settings, db_path, clock, _read))
        except SandboxPathError as error:
            print(error, file=sys.stderr)
            return 2
        except OSError as error:  # a read-only folder
            print(f"Không tạo được {db_path}: {error.strerror or error}.", file=sys.stderr)
            return 2
        return 0
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
