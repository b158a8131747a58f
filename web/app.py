"""The web application: the Mini App under /app, /healthz and /metrics.

`bot/web_server.py` adds Telegram's webhook beside these routes and runs it all in
the bot's event loop.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web import ops, views
from web.deps import WebDeps
from web.pages import static_file

STATIC = {"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}
# The page runs only its own script and styles; Telegram Web shows Mini Apps in a frame.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; base-uri 'none'; form-action 'none'; "
        b"frame-ancestors https://web.telegram.org https://*.telegram.org",
    ),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
]


class _SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


async def _static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        return Response(status_code=404)
    # Versioned by the page (?v=…): a new release changes the address, so keep it long.
    return Response(
        static_file(name),
        media_type=STATIC[name],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


def mini_app(deps: WebDeps) -> Starlette:
    routes: list[BaseRoute] = [
        Route("/", views.shell),
        Route("/static/{name}", _static),
        Route("/api/send", views.SEND, methods=["POST"]),
    ]
    routes += [Route(f"/api/{name}", endpoint) for name, endpoint in views.endpoints().items()]
    app = Starlette(routes=routes, middleware=[Middleware(_SecurityHeaders)])
    app.state.deps = deps
    return app


def web_routes(deps: WebDeps) -> list[BaseRoute]:
    """Every route but the webhook's, for the composition root to serve."""
    return [
        Route("/healthz", ops.healthz),
        Route("/metrics", ops.metrics),
        Mount("/app", app=mini_app(deps)),
    ]


def build(deps: WebDeps, extra: list[BaseRoute] | None = None) -> Starlette:
    """The whole web application; `extra` routes (the webhook) come first."""
    app = Starlette(
        routes=[*(extra or []), *web_routes(deps)],
        middleware=[Middleware(GZipMiddleware, minimum_size=1024)],
    )
    app.state.deps = deps
    return app
