"""The Redis-backed presence registry against the real Redis on 127.0.0.1:6379."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from server.sync.presence import Peer
from server.sync.presence_redis import PREFIX, RedisPresence

URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def score() -> Iterator[str]:
    score_id = f"test-{secrets.token_hex(4)}"
    yield score_id
    RedisPresence(URL).redis.delete(f"{PREFIX}{score_id}")


def test_two_processes_share_presence(score: str) -> None:
    one, two = RedisPresence(URL), RedisPresence(URL)
    one.enter(score, Peer("sid-a", 1, "ana", "Ana", "#111"))
    two.enter(score, Peer("sid-b", 2, "bob", "Bob", "#222"))
    assert [p["user"]["name"] for p in one.peers(score)] == ["ana", "bob"]
    assert two.select(score, "sid-a", ["e1"])  # any process can update any peer's entry
    assert one.peers(score)[0]["selection"] == ["e1"]
    assert one.leave_all("sid-a") == [score]
    assert [p["sid"] for p in two.peers(score)] == ["sid-b"]
    two.close()
    assert one.peers(score) == []


def test_a_dead_process_peers_disappear(score: str) -> None:
    alive, dead = RedisPresence(URL), RedisPresence(URL)
    alive.enter(score, Peer("sid-a", 1, "ana", "Ana", "#111"))
    dead.enter(score, Peer("sid-d", 2, "dee", "Dee", "#222"))
    # kill -9: no close(), the heartbeat key simply expires (here: at once).
    dead.redis.delete(f"{PREFIX}alive:{dead.process}")
    assert [p["sid"] for p in alive.peers(score)] == ["sid-a"]
    assert not alive.is_in(score, "sid-d")  # and the stale entry was cleaned up
    alive.close()
