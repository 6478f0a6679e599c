"""Log-in and sign-up throttling: sliding-window counts per account and per client IP.

In-process windows are bounded (at most ``MAX_KEYS`` keys, least recently used dropped
first), so a flood of made-up names cannot grow memory. With the Redis message queue the
windows live in Redis (``throttle_redis``), shared by every process; otherwise each
process counts on its own (docs/security.md). Pure: no Flask, no Redis.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

MAX_KEYS = 100_000


class SlidingWindow:
    """At most ``limit`` hits per key in any ``window_s`` seconds."""

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int | None:
        """Whole seconds until ``key`` may try again, or None when it may now."""
        with self._lock:
            hits = self._live(key, self.clock())
            if hits is None or len(hits) < self.limit:
                return None
            return max(1, math.ceil(hits[0] + self.window_s - self.clock()))

    def hit(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            hits = self._live(key, now)
            if hits is None:
                hits = self._hits[key] = deque(maxlen=self.limit)
                while len(self._hits) > MAX_KEYS:
                    self._hits.popitem(last=False)
            hits.append(now)

    def clear(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def _live(self, key: str, now: float) -> deque[float] | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        self._hits.move_to_end(key)
        return hits


@dataclass(frozen=True)
class ThrottleLimits:
    """Failed log-ins per account and per IP (15 minutes), sign-ups per IP (an hour)."""

    failures_per_account: int = 10
    failures_per_ip: int = 30
    failure_window_s: float = 15 * 60
    signups_per_ip: int = 20
    signup_window_s: float = 60 * 60


class Window(Protocol):
    def retry_after(self, key: str) -> int | None: ...

    def hit(self, key: str) -> None: ...


#: ``(name, limit, window_s) -> Window``: in-process by default, Redis when shared.
WindowFactory = Callable[[str, int, float], Window]


def local_windows(name: str, limit: int, window_s: float) -> Window:
    return SlidingWindow(limit, window_s)


class LoginThrottle:
    """What ``/api/login``, ``/api/token`` and ``/api/signup`` ask before checking anything
    (a throttled request never reaches the password hash)."""

    def __init__(
        self, limits: ThrottleLimits | None = None, windows: WindowFactory = local_windows
    ) -> None:
        self.limits = limits = limits or ThrottleLimits()
        window = limits.failure_window_s
        self.accounts = windows("account", limits.failures_per_account, window)
        self.ips = windows("ip", limits.failures_per_ip, window)
        self.signups = windows("signup", limits.signups_per_ip, limits.signup_window_s)

    def login_wait(self, account: str, ip: str) -> int | None:
        """Seconds to wait before this account may be tried from this IP, or None."""
        waits = [self.accounts.retry_after(_account(account)), self.ips.retry_after(ip)]
        known = [w for w in waits if w is not None]
        return max(known) if known else None

    def failed_login(self, account: str, ip: str) -> None:
        self.accounts.hit(_account(account))
        self.ips.hit(ip)

    def signup_wait(self, ip: str) -> int | None:
        return self.signups.retry_after(ip)

    def signed_up(self, ip: str) -> None:
        self.signups.hit(ip)


def _account(name: str) -> str:
    # Bounded and case-folded, so "Ana" and "ana" share one budget.
    return name[:64].casefold()
