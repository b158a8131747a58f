"""Who is asking: Telegram's signed launch data, mapped to the bot's actor.

The page sends the launch data it was opened with in `Authorization: tma <initData>`
(a header, so it is never in a URL or an access log). It is checked (`web.init_data`),
then the Telegram user is looked up exactly as the bot looks up whoever sends it a
message (`services.actors`, with the same 30-second cache): a person without a role
is a stranger here too. There is no other way in.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from starlette.requests import Request

from services.actors import Actor, load_actor
from web.deps import WebDeps
from web.init_data import InitDataError, verify

log = logging.getLogger(__name__)


class Refused(Exception):
    """The request is answered with `status` and the message `text_key` (a label)."""

    def __init__(self, status: int, text_key: str) -> None:
        super().__init__(text_key)
        self.status = status
        self.text_key = text_key


async def authenticate(request: Request, deps: WebDeps) -> Actor:
    scheme, _, init_data = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "tma" or not init_data:
        raise Refused(401, "refused.no_launch_data")
    try:
        user = verify(init_data, deps.bot_token, deps.clock.now(), deps.auth_max_age)
    except InitDataError as error:
        log.info("mini app: launch data refused (%s)", error)
        raise Refused(401, "refused.bad_launch_data") from None
    actor = deps.actors.get(user.id)
    if actor is None:
        loop = asyncio.get_running_loop()
        actor = await loop.run_in_executor(deps.threads, partial(load_actor, deps.db, user.id))
        if actor is None:
            raise Refused(403, "refused.stranger")
        deps.actors.put(actor)
    return actor
