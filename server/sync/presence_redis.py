"""Presence shared by every server process through Redis (used with the Redis message queue).

Same interface as ``presence.PresenceRegistry``. Each score is a Redis hash
``tutti:presence:<score>`` of sid -> peer JSON tagged with the owning process; a
process proves it is alive by refreshing ``tutti:presence:alive:<process>`` (TTL),
so the peers of a process that died (kill -9) vanish within ``ALIVE_TTL_S``.
Imports redis only; the handlers decide when to broadcast.
"""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any

import redis

from .presence import Peer

PREFIX = "tutti:presence:"
ALIVE_TTL_S = 15
HEARTBEAT_S = 5.0


class RedisPresence:
    """score id -> sid -> peer, visible to all processes; sids are local to this process."""

    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.process = secrets.token_hex(6)
        self._local: dict[str, set[str]] = {}  # our sids -> their scores (for disconnects)
        self._lock = threading.Lock()
        self.heartbeat()

    def _key(self, score_id: str) -> str:
        return f"{PREFIX}{score_id}"

    def heartbeat(self) -> None:
        """Keep this process's peers alive; call every ``HEARTBEAT_S`` seconds."""
        self.redis.set(f"{PREFIX}alive:{self.process}", "1", ex=ALIVE_TTL_S)

    def enter(self, score_id: str, peer: Peer) -> None:
        entry = {"process": self.process, **peer.to_wire()}
        self.redis.hset(self._key(score_id), peer.sid, json.dumps(entry))
        with self._lock:
            self._local.setdefault(peer.sid, set()).add(score_id)

    def leave(self, score_id: str, sid: str) -> bool:
        with self._lock:
            scores = self._local.get(sid, set())
            scores.discard(score_id)
            if not scores:
                self._local.pop(sid, None)
        return bool(self.redis.hdel(self._key(score_id), sid))

    def leave_all(self, sid: str) -> list[str]:
        with self._lock:
            scores = sorted(self._local.pop(sid, set()))
        for score_id in scores:
            self.redis.hdel(self._key(score_id), sid)
        return scores

    def select(self, score_id: str, sid: str, selection: list[str]) -> bool:
        raw = self.redis.hget(self._key(score_id), sid)
        if raw is None:
            return False
        entry = json.loads(raw)
        entry["selection"] = list(selection)
        self.redis.hset(self._key(score_id), sid, json.dumps(entry))
        return True

    def is_in(self, score_id: str, sid: str) -> bool:
        return bool(self.redis.hexists(self._key(score_id), sid))

    def peers(self, score_id: str) -> list[dict[str, Any]]:
        """Everyone in the score on any live process; entries of dead processes are dropped."""
        entries = [json.loads(raw) for raw in self.redis.hgetall(self._key(score_id)).values()]
        processes = sorted({e["process"] for e in entries})
        alive = dict(
            zip(
                processes,
                self.redis.mget([f"{PREFIX}alive:{p}" for p in processes]) if processes else [],
                strict=True,
            )
        )
        out = []
        for entry in entries:
            if alive.get(entry["process"]) is None:
                self.redis.hdel(self._key(score_id), entry["sid"])
                continue
            entry.pop("process")
            out.append(entry)
        out.sort(key=lambda e: (e["user"]["name"], e["sid"]))
        return out

    def close(self) -> None:
        """Forget this process's peers now (clean shutdown)."""
        with self._lock:
            local, self._local = self._local, {}
        for sid, scores in local.items():
            for score_id in scores:
                self.redis.hdel(self._key(score_id), sid)
        self.redis.delete(f"{PREFIX}alive:{self.process}")
