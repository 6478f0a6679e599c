"""Work that must not hold the server's event loop: the one job pool and the thread helper.

``run_job`` sends a job (``jobs.py``) to one of a bounded number of job processes with a
time and memory limit (``pool.py``); ``admit`` bounds work that brings its own process
(uploads parse in a fresh one, ``formats/sandbox.py``); ``in_thread`` runs a call that
releases the GIL (password hashing) on a real OS thread so the loop keeps running.
One pool per server process, configured from the settings by ``create_app``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from .calls import Jobs
from .pool import Limits, OffloadError, Pool

T = TypeVar("T")

POOL = Pool()
#: Nice value of the OS threads ``in_thread`` runs on (lower priority than the loop).
THREAD_NICENESS = 10


def configure(limits: Limits) -> None:
    POOL.configure(limits)


def run_job(
    job: str, args: dict[str, Any], blob: bytes = b"", *, time_limit_s: float | None = None
) -> tuple[Any, bytes]:
    """``job``'s value and blob from a job process (see ``Pool.run``)."""
    return POOL.run(job, args, blob, time_limit_s=time_limit_s)


def admit() -> AbstractContextManager[None]:
    return POOL.admit()


def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` on an OS thread when eventlet patched this process, else directly
    (a threaded server already runs each request on its own thread). Only worth it for
    calls that release the GIL, like hashlib's scrypt and pbkdf2."""
    patcher = sys.modules.get("eventlet.patcher")
    if patcher is not None and patcher.is_monkey_patched("thread"):
        from eventlet import tpool

        native = patcher.original("threading")

        def niced() -> T:
            # This OS thread only (Linux applies PRIO_PROCESS to a thread id): with both
            # cores busy, the loop's thread gets the CPU first.
            try:
                os.setpriority(os.PRIO_PROCESS, native.get_native_id(), THREAD_NICENESS)
            except (AttributeError, OSError):
                pass
            return fn(*args)

        return tpool.execute(niced)  # type: ignore[no-any-return]
    return fn(*args)


__all__ = [
    "POOL",
    "Jobs",
    "Limits",
    "OffloadError",
    "Pool",
    "admit",
    "configure",
    "in_thread",
    "run_job",
]
