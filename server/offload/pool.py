"""The server side of the job processes: one bounded pool, per-job time and memory
limits, and a clear refusal (``busy``, ``too_slow``, ``too_big``) when a limit is hit.

Heavy work (exports, voicing, ...) runs in separate processes, because a thread would
still hold the GIL against the event loop. Waiting costs the loop nothing: under
eventlet the pipes are green (``subprocess`` is monkey-patched) and the watchdog is a
green timer; under threads the request's own thread waits. Stdlib only.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import TuttiError
from .frames import read_message, write_message

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: A new process imports music21 and warms it up before its first job; that start-up
#: does not count against the job's time limit, but it has a limit of its own.
START_LIMIT_S = 120.0


class OffloadError(TuttiError):
    """A job refused by the pool: ``busy`` (every process is working and the queue is
    full), ``too_slow`` (over its time limit; it was stopped) or ``too_big`` (over its
    memory limit)."""


@dataclass(frozen=True)
class Limits:
    #: Job processes running at once; more requests wait in the queue.
    workers: int = 2
    #: Requests that may wait for a free process; one more is refused as ``busy``.
    queue: int = 8
    #: Seconds a job may run before it is stopped (``too_slow``).
    time_limit_s: float = 300.0
    #: Address space of each job process in bytes (``too_big`` beyond it).
    memory_limit_bytes: int = 3 * 1024**3


class _Child:
    """One job process; used by one request at a time."""

    def __init__(self, memory_limit: int) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])
        )
        self.owner = os.getpid()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.offload.child", str(memory_limit)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self.ready = False
        self.killed = False

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.proc.poll() is None

    def kill(self) -> None:
        self.killed = True
        if self.proc.poll() is None:
            self.proc.kill()

    def close(self) -> None:
        self.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
        self.proc.wait()

    def _read(self, limit_s: float) -> tuple[dict[str, Any], bytes] | None:
        """The next message, or None when the process ended (or was stopped at ``limit_s``)."""
        assert self.proc.stdout is not None
        watchdog = threading.Timer(limit_s, self.kill)
        watchdog.daemon = True
        watchdog.start()
        try:
            return read_message(self.proc.stdout)
        finally:
            watchdog.cancel()

    def call(
        self, job: str, args: dict[str, Any], blob: bytes, limit_s: float
    ) -> tuple[dict[str, Any], bytes]:
        if not self.ready:
            started = self._read(START_LIMIT_S)
            if started is None:
                raise OffloadError("server_error", "a job process could not be started")
            self.ready = True
        assert self.proc.stdin is not None
        try:
            write_message(self.proc.stdin, {"job": job, "args": args}, blob)
        except (BrokenPipeError, OSError):
            self.kill()
            raise OffloadError("server_error", "the job process went away") from None
        answer = self._read(limit_s)
        if answer is not None:
            return answer
        timed_out = self.killed
        self.kill()
        if timed_out:
            raise OffloadError(
                "too_slow", f"this took longer than {limit_s:g} s and was stopped",
                limit_s=limit_s,
            )  # fmt: skip
        # Ended by itself mid-job: the kernel's out-of-memory killer, or a crash.
        raise OffloadError("too_big", "the job process stopped (out of memory?)")


class Pool:
    """At most ``workers`` jobs at once, ``queue`` more waiting, the rest ``busy``."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._cond = threading.Condition()
        self._running = 0
        self._waiting = 0
        self._idle: list[_Child] = []
        self.served = 0  # jobs answered (a refusal by the job counts too)

    def configure(self, limits: Limits) -> None:
        with self._cond:
            self.limits = limits
            self._cond.notify_all()

    @contextmanager
    def admit(self, wait_s: float | None = None) -> Iterator[None]:
        """A place among the ``workers`` running jobs, waiting in the queue for one if
        needed: for work that brings its own process (uploads parse in a fresh one)."""
        limits = self.limits
        deadline = time.monotonic() + (limits.time_limit_s if wait_s is None else wait_s)
        with self._cond:
            if self._running >= limits.workers:
                if self._waiting >= limits.queue:
                    raise OffloadError(
                        "busy", "the server is busy with other long jobs; try again shortly"
                    )
                self._waiting += 1
                try:
                    while self._running >= self.limits.workers:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            raise OffloadError(
                                "busy", "the server stayed busy with other long jobs; try again"
                            )
                        self._cond.wait(left)
                finally:
                    self._waiting -= 1
            self._running += 1
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify()

    def run(
        self,
        job: str,
        args: dict[str, Any],
        blob: bytes = b"",
        *,
        time_limit_s: float | None = None,
    ) -> tuple[Any, bytes]:
        """Run ``job`` (a name in ``jobs.JOBS``) in a job process: its value and blob.

        Raises the job's own refusal (a ``TuttiError`` with its code) or ``OffloadError``.
        """
        limit = self.limits.time_limit_s if time_limit_s is None else time_limit_s
        with self.admit():
            child = self._take()
            try:
                header, data = child.call(job, args, blob, limit)
            except BaseException:
                child.close()
                raise
            self.served += 1
            if header.get("retire"):
                child.close()
            else:
                self._give_back(child)
        if not header.get("ok"):
            raise OffloadError(
                str(header.get("code") or "server_error"),
                str(header.get("message") or "the job failed"),
                **dict(header.get("extra") or {}),
            )
        return header.get("value"), data

    def _take(self) -> _Child:
        with self._cond:
            while self._idle:
                child = self._idle.pop()
                if child.alive():
                    return child
        return _Child(self.limits.memory_limit_bytes)

    def _give_back(self, child: _Child) -> None:
        with self._cond:
            self._idle.append(child)

    def stop(self) -> None:
        """End the idle processes (busy ones end with their job's request)."""
        with self._cond:
            idle, self._idle = self._idle, []
        for child in idle:
            if child.owner == os.getpid():
                child.close()

    def warm(self) -> None:
        """Start one process ahead of the first job (music21's start-up is seconds)."""
        with self._cond:
            if self._idle:
                return
        child = _Child(self.limits.memory_limit_bytes)
        self._give_back(child)
