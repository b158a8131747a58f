"""The garbage collector paused while a big computation runs in a worker thread.

A digest of a large bloc allocates hundreds of thousands of objects; CPython then
runs full collections, and a full collection stops every thread, the event loop
that answers the chats included: measured with a 3,000-cell `/digest` running,
another chat's `/status` p99 went from 31 ms with the collector paused to 140 ms
without (bench/stall.py). The pause is counted, so overlapping computations keep
it until the last one ends; what they left behind is collected then, at once.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_holders = 0
_was_enabled = True


@contextmanager
def paused_gc() -> Iterator[None]:
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()


def without_gc(fn: Callable[P, T]) -> Callable[P, T]:
    """`fn` with the collector paused while it runs (see the module doc)."""

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with paused_gc():
            return fn(*args, **kwargs)

    return run
