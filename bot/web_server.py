"""The one web server: Telegram's webhook, the Mini App, GET /healthz and GET /metrics.

Starlette and uvicorn run inside the bot's own event loop, as python-telegram-bot's
`examples/customwebhookbot/starlettebot.py` does: the Application is started without
its own web server, and the webhook route puts each update into its `update_queue`.
Webhook mode (`chibo run --webhook`) always serves it; long polling serves it (the app
and the health endpoints) when `WEB_PORT` is set.

The secret token is checked here: a POST to the webhook without Telegram's
`X-Telegram-Bot-Api-Secret-Token`, or with another one, is answered 403 and never
reaches a handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import InputFile, Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import Application

from bot.settings import Settings
from services.deps import DEPS_KEY, Deps
from web import app as web_app
from web.deps import WebDeps

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20  # Telegram's updates are a few KB; anything bigger is not one
WEBHOOK_TRIES = 6  # setWebhook, as python-telegram-bot's bootstrap_retries=5
DEFAULT_PORT = 8443


@dataclass(frozen=True)
class Webhook:
    path: str  # the URL path Telegram posts to ("telegram")
    url: str  # registered with setWebhook
    secret: str


def web_deps(application: Application) -> WebDeps:
    deps: Deps[Settings] = application.bot_data[DEPS_KEY]
    settings = deps.settings

    async def send_document(chat_id: int, name: str, data: bytes, caption: str) -> None:
        await application.bot.send_document(
            chat_id, InputFile(data, filename=name), caption=caption or None
        )

    return WebDeps(
        db=deps.db,
        clock=deps.clock,
        policy=deps.policy,
        actors=deps.actors,
        bot_token=settings.telegram_bot_token,
        auth_max_age=timedelta(seconds=settings.web_app_auth_max_age_seconds),
        locale=settings.locale,
        send_document=send_document,
    )


def build(application: Application, webhook: Webhook | None) -> Starlette:
    """The web application of this process: the webhook route (if any) and the rest."""
    extra: list[BaseRoute] = []
    if webhook is not None:
        extra.append(
            Route(
                f"/{webhook.path}", _webhook_endpoint(application, webhook.secret), methods=["POST"]
            )
        )
    return web_app.build(web_deps(application), extra)


def _webhook_endpoint(application: Application, secret: str):
    expected = secret.encode()

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return Response(status_code=HTTPStatus.FORBIDDEN)
        try:
            body = await _body(request)
            update = Update.de_json(json.loads(body), application.bot)
        except (ValueError, TypeError, KeyError, ClientDisconnect):
            return Response(status_code=HTTPStatus.BAD_REQUEST)
        await application.update_queue.put(update)
        return Response()

    return telegram


async def _body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPDATE_BYTES:
            raise ValueError("too large for an update")
        chunks.append(chunk)
    return b"".join(chunks)


def bind(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything starts (a port in use is one clear
    error at start, not a crash later). It listens only once the bot is ready: the
    server starts serving after the webhook is registered and the Application started."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class _Server(uvicorn.Server):
    """uvicorn, minus its signal handling: the bot decides when to stop (`serve`)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def uvicorn_server(app: Starlette) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_config=None,  # the bot's logging (with its secret filter) handles uvicorn's too
        access_log=False,  # /healthz every few seconds would drown the log
        server_header=False,
        proxy_headers=True,  # behind nginx: the client's address from X-Forwarded-For
        timeout_graceful_shutdown=5,
    )
    return _Server(config)


async def serve(
    application: Application,
    app: Starlette,
    sock: socket.socket,
    *,
    webhook: Webhook | None,
) -> None:
    """Run the bot and the web server in this event loop until SIGINT or SIGTERM.

    The steps of python-telegram-bot's own `run_polling`/`run_webhook`, with our
    server in place of its: initialise, post_init (the scheduler starts there), take
    updates (polling, or register the webhook), start; then stop in reverse order.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    server = uvicorn_server(app)
    serving: asyncio.Task[None] | None = None
    try:
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        if webhook is None:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        else:
            await _set_webhook(application, webhook)
        await application.start()
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        host, port = sock.getsockname()[:2]
        log.info(
            "web server on %s:%s (/app, /healthz, /metrics%s)",
            host,
            port,
            f", /{webhook.path}" if webhook else "",
        )
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if serving in done:
            serving.result()  # the server failed: say why
    finally:
        server.should_exit = True
        if serving is not None and not serving.done():
            await serving
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await _let_running_jobs_finish()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        sock.close()


async def _let_running_jobs_finish(timeout: float = 10.0) -> None:
    """A plan tick or dispatch pass still running (the scheduler stopped taking new
    ones) may finish its rows, for a while: asyncio.run would cancel it mid-way."""
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    if others:
        await asyncio.wait(others, timeout=timeout)


async def _set_webhook(application: Application, webhook: Webhook) -> None:
    for attempt in range(WEBHOOK_TRIES):
        try:
            await application.bot.set_webhook(
                webhook.url, secret_token=webhook.secret, allowed_updates=Update.ALL_TYPES
            )
            return
        except NetworkError as error:  # includes TimedOut
            if isinstance(error, BadRequest) or attempt == WEBHOOK_TRIES - 1:
                raise
            log.warning("setWebhook failed (%s); trying again", error)
            await asyncio.sleep(1 + attempt)
