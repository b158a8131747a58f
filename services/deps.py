"""What every update and every scheduler job needs, assembled once by the composition
root (`bot/`): the settings it reads, the database, the clock, the policy and the actor
cache. Lives below handlers and the scheduler so both can take it without importing `bot/`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from domain.policy import Policy, default_policy
from services.actors import ActorCache
from services.clock import Clock
from storage.db import Database


class AppSettings(Protocol):
    """The settings handlers and the scheduler read (bot.settings.Settings has them all)."""

    @property
    def locale(self) -> str: ...
    @property
    def dashboard_url(self) -> str | None: ...
    @property
    def survey_key(self) -> str: ...
    @property
    def invite_max_failures(self) -> int: ...
    @property
    def invite_failure_window_minutes(self) -> int: ...


SettingsT = TypeVar("SettingsT", bound=AppSettings, covariant=True)


@dataclass(frozen=True)
class Deps(Generic[SettingsT]):
    """`Deps[Settings]` in the composition root, which reads every setting; the layers
    below see `Deps[AppSettings]`: only what they need."""

    settings: SettingsT
    db: Database
    clock: Clock
    policy: Policy = field(default_factory=default_policy)
    actors: ActorCache = field(default_factory=ActorCache)


DEPS_KEY = "deps"
