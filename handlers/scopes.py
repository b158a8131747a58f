"""Which of an actor's scopes a view covers: the widest ones, without those nested inside."""

from __future__ import annotations

from collections.abc import Iterable

from services.actors import Scope


def widest(scopes: Iterable[Scope]) -> list[Scope]:
    """A leader who is also a cluster officer gets the bloc once, not the bloc and a cluster."""
    top: list[Scope] = []
    for scope in sorted(scopes, key=lambda s: len(s.unit_path)):
        if not any(scope.unit_path.startswith(t.unit_path) for t in top):
            top.append(scope)
    return top
