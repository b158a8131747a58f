"""Counts every Bot API request by method and HTTP status, for GET /metrics.

A wrapper around the real transport (python-telegram-bot's HTTPXRequest, or the
in-process LocalTransport of the sandbox and the tests): every call of the bot, the
dispatcher's sends and python-telegram-bot's own retries alike pass through here,
so a 429 is counted each time Telegram answers one.
"""

from __future__ import annotations

from typing import Any

from telegram.request import BaseRequest, RequestData

from services.metrics import count_bot_api_call


class CountingRequest(BaseRequest):
    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def do_request(  # type: ignore[override]  # PTB's signature, keyword-only extras folded
        self, url: str, method: str, request_data: RequestData | None = None, **kwargs: Any
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        try:
            status, payload = await self.inner.do_request(url, method, request_data, **kwargs)
        except Exception:
            count_bot_api_call(api_method, 0)  # no answer: network error or timeout
            raise
        count_bot_api_call(api_method, status)
        return status, payload
