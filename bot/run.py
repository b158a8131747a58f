"""Run modes against real Telegram (or a local Bot API server via BOT_API_BASE_URL)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.app import build_application
from bot.identity import no_network_line
from bot.settings import Settings
from scheduler.runner import attach_scheduler
from services import file_renderer
from services.clock import SystemClock
from services.deps import Deps
from storage import schema_version
from storage.db import Database

if TYPE_CHECKING:
    from bot.web_server import Webhook

log = logging.getLogger(__name__)
EXIT_NO_TELEGRAM = 3


def schema_is_current(db: Database) -> bool:
    # Read without importing Alembic: it would add to every start (cold start budget).
    return schema_version.current(db) == schema_version.HEAD


def _application(settings: Settings) -> Application | None:
    db = Database(settings.database_url)
    if not schema_is_current(db):
        log.error("the database schema is not current: run `chibo db upgrade` first")
        return None
    application = build_application(Deps(settings, db, SystemClock(), settings.load_policy()))
    attach_scheduler(application)  # reminders and digests: plan into the outbox, dispatch
    # Files are drawn in a short-lived child: the bot never keeps matplotlib's memory.
    file_renderer.use_child_process()
    return application


class _TelegramTroubleInOneLine(logging.Filter):
    """Telegram unreachable: a line per failed try, not a 40-line traceback each time.

    A failed start is left to `_until_stopped`, which says it once, with what to do.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, (NetworkError, InvalidToken)):
            if "Bootstrap" in record.getMessage():
                return False
            record.exc_info, record.exc_text = None, None
            record.msg, record.args = f"{record.getMessage()}: {error}", None
        return True


def _until_stopped(settings: Settings, run: Callable[[], object]) -> int:
    """Run the bot; a Telegram that cannot be reached, or refuses the token, is one line."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(_TelegramTroubleInOneLine())
    try:
        run()
    except InvalidToken as error:
        log.error(
            "Telegram không nhận TELEGRAM_BOT_TOKEN (%s): lấy lại token từ @BotFather.", error
        )
        return EXIT_NO_TELEGRAM
    except NetworkError as error:  # includes TimedOut
        log.error("%s", no_network_line(settings, error))
        return EXIT_NO_TELEGRAM
    return 0


def run_polling(settings: Settings) -> int:
    application = _application(settings)
    if application is None:
        return 2
    if settings.web_port is None:
        return _until_stopped(
            settings, lambda: application.run_polling(allowed_updates=Update.ALL_TYPES)
        )
    return _with_web_server(settings, application, None)


def _with_web_server(
    settings: Settings,
    application: Application,
    webhook: Webhook | None,
) -> int:
    """The bot and the one web server (bot/web_server.py) in one event loop."""
    # Imported here: long polling without WEB_PORT never pays for the web stack at start.
    from bot import web_server

    port = settings.web_port or web_server.DEFAULT_PORT
    try:
        sock = web_server.bind(settings.web_listen, port)
    except OSError as error:
        log.error(
            "Không mở được cổng %s:%s cho máy chủ web (%s): kiểm tra WEB_LISTEN, WEB_PORT "
            "và xem có tiến trình nào khác đang dùng cổng này không.",
            settings.web_listen,
            port,
            error.strerror or error,
        )
        return 2
    app = web_server.build(application, webhook)
    return _until_stopped(
        settings, lambda: asyncio.run(web_server.serve(application, app, sock, webhook=webhook))
    )


# Telegram's rule for secret_token: 1-256 of A-Z a-z 0-9 _ -; we also want it unguessable.
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")


def webhook_problem(settings: Settings) -> str | None:
    """Why webhook mode cannot start with these settings (a sentence for the CLI), or None."""
    if not settings.webhook_url:
        return "Chưa có WEBHOOK_URL (địa chỉ https mà Telegram gửi cập nhật tới)."
    if not _SECRET.fullmatch(settings.webhook_secret):
        return (
            "WEBHOOK_SECRET phải có từ 16 đến 256 ký tự A-Z, a-z, 0-9, _ hoặc -: "
            "không có nó, ai cũng gửi được cập nhật giả tới bot."
        )
    return None


def run_webhook(settings: Settings) -> int:
    """Serve Telegram's webhook; several instances may share one PostgreSQL (README).

    Requests without the secret token header (X-Telegram-Bot-Api-Secret-Token), or
    with another one, are answered 403 and never reach a handler (bot/web_server.py).
    """
    problem = webhook_problem(settings)
    if problem is not None:
        log.error("%s", problem)
        return 2
    application = _application(settings)
    if application is None:
        return 2
    from bot.web_server import Webhook

    webhook = Webhook(
        path=urlsplit(settings.webhook_url).path.lstrip("/"),
        url=settings.webhook_url,
        secret=settings.webhook_secret,
    )
    return _with_web_server(settings, application, webhook)
