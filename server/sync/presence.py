"""Who is in which score and what each one has selected: an in-process registry.

Presence is per server process: with several processes behind the Redis message
queue, each process lists only its own connections (see docs/protocol.md).
Pure stdlib; the Socket.IO handlers decide when to broadcast.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Peer:
    sid: str
    user_id: int
    name: str
    display_name: str
    colour: str
    selection: list[str] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "user": {
                "id": self.user_id,
                "name": self.name,
                "display_name": self.display_name,
                "colour": self.colour,
            },
            "selection": list(self.selection),
        }


class PresenceRegistry:
    """score id -> sid -> Peer. Thread/greenlet safe (one lock, tiny critical sections)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scores: dict[str, dict[str, Peer]] = {}

    def enter(self, score_id: str, peer: Peer) -> None:
        with self._lock:
            self._scores.setdefault(score_id, {})[peer.sid] = peer

    def leave(self, score_id: str, sid: str) -> bool:
        """Remove one connection from one score; True if it was there."""
        with self._lock:
            peers = self._scores.get(score_id)
            if not peers or sid not in peers:
                return False
            del peers[sid]
            if not peers:
                del self._scores[score_id]
            return True

    def leave_all(self, sid: str) -> list[str]:
        """Remove a connection everywhere (disconnect); returns the scores it left."""
        with self._lock:
            left = [score for score, peers in self._scores.items() if sid in peers]
            for score in left:
                del self._scores[score][sid]
                if not self._scores[score]:
                    del self._scores[score]
            return left

    def select(self, score_id: str, sid: str, selection: list[str]) -> bool:
        with self._lock:
            peer = self._scores.get(score_id, {}).get(sid)
            if peer is None:
                return False
            peer.selection = list(selection)
            return True

    def is_in(self, score_id: str, sid: str) -> bool:
        with self._lock:
            return sid in self._scores.get(score_id, {})

    def peers(self, score_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [p.to_wire() for p in self._scores.get(score_id, {}).values()]
