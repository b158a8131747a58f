"""Where the digest's files (XLSX, PNG, DOCX) are rendered: here, or in a short-lived child.

matplotlib, numpy and openpyxl cost about 50 MB when imported, and a big bloc's
workbook tens of megabytes more while it is built; memory a process takes it keeps.
`chibo run` therefore renders in a child process (`use_child_process`): one at a time,
replaced after a few files, so the bot itself never holds them. The CLI, the sandbox
and the tests render in their own process. Either way the same functions
(`messages.digest_files`) make the same bytes.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from services.gc_pause import without_gc

T = TypeVar("T")

# A child renders this many files, then a fresh one starts: its memory goes back.
FILES_PER_CHILD = 8

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()
child_peak_mb = 0.0  # the largest any renderer child grew to (the benchmark reads it)


def use_child_process(files_per_child: int = FILES_PER_CHILD) -> None:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),  # a fresh interpreter
                max_tasks_per_child=files_per_child,
            )


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True)
        _pool = None


def in_child_process() -> bool:
    return _pool is not None


def render(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` — a module-level function and picklable arguments."""
    global child_peak_mb
    pool = _pool
    if pool is None:
        # In this process, a big render pauses the collector (services.gc_pause).
        return without_gc(fn)(*args, **kwargs)
    result, peak = pool.submit(_in_child, fn, args, kwargs).result()
    child_peak_mb = max(child_peak_mb, peak)
    return result


def _in_child(fn: Callable[..., T], args: Any, kwargs: Any) -> tuple[T, float]:
    result = fn(*args, **kwargs)
    return result, _peak_mb()


def _peak_mb() -> float:
    """This process's own high-water mark (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0
