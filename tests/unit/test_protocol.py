"""The protocol module alone: envelopes, payload parsing, limits, the token bucket."""

from __future__ import annotations

import pytest

from server.score import InvalidOp
from server.sync import protocol
from server.sync.authority import parse_faults
from server.sync.presence import Peer, PresenceRegistry
from server.sync.protocol import Limits, ProtocolError
from server.sync.ratelimit import TokenBucket


def test_envelopes() -> None:
    assert protocol.ok(seq=3) == {"ok": True, "seq": 3}
    assert protocol.error("forbidden", "no") == {
        "ok": False,
        "error": {"code": "forbidden", "message": "no"},
    }
    refused = protocol.from_refusal(InvalidOp("bad pitch", op_index=2))
    assert refused["error"] == {"code": "invalid_op", "message": "bad pitch", "op_index": 2}
    limited = protocol.from_refusal(ProtocolError("rate_limited", "slow", retry_after=0.5))
    assert limited["error"]["retry_after"] == 0.5


def _submit(**fields: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "score": "s1",
        "client_id": "c",
        "client_seq": 1,
        "ops": [{"op": "set_meta", "title": "T"}],
    }
    payload.update(fields)
    return payload


def test_parse_submit_accepts_a_good_edit() -> None:
    request = protocol.parse_submit(_submit(), Limits())
    assert (request.score, request.client_id, request.client_seq) == ("s1", "c", 1)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"score": 5}, "bad_request"),
        ({"client_id": ""}, "bad_request"),
        ({"client_seq": -1}, "bad_request"),
        ({"client_seq": True}, "bad_request"),
        ({"ops": []}, "bad_request"),
        ({"ops": ["set_meta"]}, "bad_request"),
        ({"ops": [{"op": "set_meta"}] * 4}, "payload_too_large"),
        ({"ops": [{"op": "set_meta", "title": "x" * 200}]}, "payload_too_large"),
    ],
)
def test_parse_submit_refuses(fields: dict[str, object], code: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        protocol.parse_submit(_submit(**fields), Limits(max_ops=3, max_edit_bytes=100))
    assert refused.value.code == code


def test_parse_submit_refuses_huge_exponents() -> None:
    """Fraction("1e-100000000") runs for minutes: one op must not freeze the server."""
    op = {"op": "write_event", "part": "p1", "measure": "m1", "offset": "1e-100000000"}
    with pytest.raises(ProtocolError) as refused:
        protocol.parse_submit(_submit(ops=[op]), Limits())
    assert refused.value.code == "bad_request"
    nested = {"op": "set_bar", "bar": {"harmonies": [{"offset": "1E+99999", "symbol": "C"}]}}
    with pytest.raises(ProtocolError):
        protocol.parse_submit(_submit(ops=[nested]), Limits())
    # IDs and texts that merely look like exponents are fine.
    ordinary = {"op": "set_lyric", "event": "3e456789", "verse": 1, "text": "1e100000"}
    assert protocol.parse_submit(_submit(ops=[ordinary]), Limits()).ops == [ordinary]


def test_parse_submit_refuses_non_objects() -> None:
    with pytest.raises(ProtocolError, match="JSON object"):
        protocol.parse_submit([1, 2], Limits())


def test_parse_join_fetch_select() -> None:
    assert protocol.parse_join({"score": "s"}).since is None
    assert protocol.parse_join({"score": "s", "since": 4}).since == 4
    fetch = protocol.parse_fetch({"score": "s", "from": 0, "to": 9})
    assert (fetch.first, fetch.last) == (1, 9)
    with pytest.raises(ProtocolError):
        protocol.parse_fetch({"score": "s", "from": 5, "to": 2})
    assert protocol.parse_select({"score": "s", "selection": ["a", "b"]}).selection == ["a", "b"]
    with pytest.raises(ProtocolError):
        protocol.parse_select({"score": "s", "selection": [1]})


def test_limits_from_env() -> None:
    limits = Limits.from_env({"TUTTI_SYNC_EDIT_RATE": "2.5", "TUTTI_SYNC_MAX_OPS": "7"})
    assert (limits.edit_rate, limits.max_ops, limits.edit_burst) == (2.5, 7, Limits.edit_burst)
    with pytest.raises(ValueError, match="TUTTI_SYNC_EDIT_BURST"):
        Limits.from_env({"TUTTI_SYNC_EDIT_BURST": "-1"})


def test_fault_injection_names_are_checked() -> None:
    assert parse_faults(None) == frozenset()
    assert parse_faults("no_dedup") == {"no_dedup"}
    with pytest.raises(ValueError):
        parse_faults("drop_everything")


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=2, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    assert bucket.retry_after() == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket.take() and not bucket.take()
    now[0] += 100
    assert sum(bucket.take() for _ in range(10)) == 3  # never more than the burst


def test_presence_registry() -> None:
    registry = PresenceRegistry()
    registry.enter("s", Peer("sid1", 1, "ana", "Ana", "#fff"))
    registry.enter("s", Peer("sid2", 2, "bob", "Bob", "#000"))
    registry.enter("t", Peer("sid1", 1, "ana", "Ana", "#fff"))
    assert registry.select("s", "sid1", ["e1"])
    assert not registry.select("s", "nobody", ["e1"])
    peers = registry.peers("s")
    assert [p["user"]["name"] for p in peers] == ["ana", "bob"]
    assert peers[0]["selection"] == ["e1"]
    assert sorted(registry.leave_all("sid1")) == ["s", "t"]
    assert registry.peers("t") == []
    assert registry.leave("s", "sid2") and not registry.leave("s", "sid2")


def test_parse_revert_names_an_edit_by_seq_or_by_own_client_ids() -> None:
    by_seq = protocol.parse_revert({"score": "s1", "seq": 4})
    assert (by_seq.seq, by_seq.client_id, by_seq.client_seq) == (4, None, None)
    by_ids = protocol.parse_revert({"score": "s1", "client_id": "c", "client_seq": 0})
    assert (by_ids.seq, by_ids.client_id, by_ids.client_seq) == (None, "c", 0)
    for bad in (
        {"score": "s1"},
        {"score": "s1", "seq": 4, "client_id": "c", "client_seq": 1},
        {"score": "s1", "seq": 4, "client_seq": 1},
        {"score": "s1", "seq": 0},
        {"score": "s1", "seq": -1},
        {"score": "s1", "seq": "4"},
        {"score": "s1", "seq": False},
        {"score": "s1", "client_id": "c"},
        {"score": "s1", "client_seq": 1},
        {"score": "s1", "client_id": 7, "client_seq": 1},
        {"score": "s1", "client_id": "x" * 65, "client_seq": 1},
        {"seq": 4},
        [4],
    ):
        with pytest.raises(ProtocolError) as refused:
            protocol.parse_revert(bad)
        assert refused.value.code == "bad_request", bad
