"""The per-update context handlers receive: dependencies plus the checked actor."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram.ext import Application, CallbackContext, ExtBot

from bot.settings import Settings
from domain.policy import Policy, default_policy
from services.actors import Actor
from services.clock import Clock
from storage.db import Database


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: Database
    clock: Clock
    policy: Policy = field(default_factory=default_policy)


DEPS_KEY = "deps"


class ChiboContext(CallbackContext[ExtBot[None], dict, dict, dict]):  # type: ignore[type-arg]
    """Adds `deps` and, inside a guarded handler, `actor` (set by bot.access)."""

    actor: Actor | None = None

    def __init__(
        self,
        application: Application,
        chat_id: int | None = None,  # type: ignore[type-arg]
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.actor = None

    @property
    def deps(self) -> Deps:
        return self.application.bot_data[DEPS_KEY]

    @property
    def locale(self) -> str:
        if self.actor and self.actor.locale:
            return self.actor.locale
        return self.deps.settings.locale

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise RuntimeError("handler reached without an actor; is it guarded?")
        return self.actor
