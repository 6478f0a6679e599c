"""Throttle windows shared by every process through Redis (with the Redis message queue),
so N workers allow what one does, not N times as much.

Same interface as ``throttle.SlidingWindow``. Each key is a sorted set of hit times
``tutti:throttle:<name>:<key>`` that expires with its window, so memory is bounded by
the keys hit in the last window. When Redis cannot be reached a process falls back to
its own in-process window: throttling stays on (per process) and nobody is locked out.
Imports redis only.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable

import redis

from .throttle import SlidingWindow

PREFIX = "tutti:throttle:"


class RedisWindow:
    """At most ``limit`` hits per key in any ``window_s`` seconds, across processes."""

    def __init__(
        self,
        client: redis.Redis,
        name: str,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = client
        self.name = name
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self.fallback = SlidingWindow(limit, window_s)

    def _key(self, key: str) -> str:
        return f"{PREFIX}{self.name}:{key}"

    def retry_after(self, key: str) -> int | None:
        now = self.clock()
        try:
            pipe = self.redis.pipeline()
            pipe.zremrangebyscore(self._key(key), "-inf", now - self.window_s)
            pipe.zrange(self._key(key), 0, 0, withscores=True)
            pipe.zcard(self._key(key))
            _, oldest, count = pipe.execute()
        except redis.RedisError:
            return self.fallback.retry_after(key)
        if count < self.limit or not oldest:
            return None
        return max(1, math.ceil(float(oldest[0][1]) + self.window_s - now))

    def hit(self, key: str) -> None:
        now = self.clock()
        try:
            pipe = self.redis.pipeline()
            pipe.zadd(self._key(key), {f"{now!r}:{secrets.token_hex(4)}": now})
            pipe.expire(self._key(key), math.ceil(self.window_s))
            pipe.execute()
        except redis.RedisError:
            self.fallback.hit(key)


def redis_windows(url: str) -> Callable[[str, int, float], RedisWindow]:
    """A ``LoginThrottle`` window factory over one Redis connection pool."""
    client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    return lambda name, limit, window_s: RedisWindow(client, name, limit, window_s)
