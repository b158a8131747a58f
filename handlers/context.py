"""The per-update context handlers receive: dependencies, the checked actor, and the
update's unit of work (its blocking work runs off the event loop, in one transaction)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CallbackContext, ExtBot

from services.actors import Actor, load_actor
from services.deps import DEPS_KEY, AppSettings, Deps
from storage.unit_of_work import RepeatedUpdate, UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")


class ChiboContext(CallbackContext[ExtBot[None], dict, dict, dict]):
    """Adds `deps`, `run` and, inside a guarded handler, `actor` (set by handlers.access)."""

    actor: Actor | None = None

    def __init__(
        self,
        application: Application,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.actor = None
        self.update_id: int | None = None
        self._work: UnitOfWork | None = None

    @classmethod
    def from_update(cls, update: object, application: Application) -> ChiboContext:
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context.update_id = update.update_id
        return context

    @property
    def deps(self) -> Deps[AppSettings]:
        return self.application.bot_data[DEPS_KEY]

    @property
    def locale(self) -> str:
        if self.actor and self.actor.locale:
            return self.actor.locale
        return self.deps.settings.locale

    @property
    def work(self) -> UnitOfWork:
        """This update's unit of work (storage.unit_of_work): one session for the update."""
        if self._work is None:
            self._work = UnitOfWork(self.deps.db, self.update_id, self.deps.clock.now)
        return self._work

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Blocking work (database, rendering) in a worker thread, in this update's
        transaction. A repeat of an update already handled stops here, silently."""
        try:
            return await self.work.run(fn, *args, **kwargs)
        except RepeatedUpdate:
            log.info("update %s was handled before (re-delivered): ignored", self.update_id)
            raise ApplicationHandlerStop from None

    async def find_actor(self, telegram_user_id: int) -> Actor | None:
        """The actor from this process's cache, or read in this update's session."""
        actor = self.deps.actors.get(telegram_user_id)
        if actor is None:
            actor = await self.run(load_actor, self.deps.db, telegram_user_id)
            if actor is not None:
                self.deps.actors.put(actor)
        return actor

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise RuntimeError("handler reached without an actor; is it guarded?")
        return self.actor
