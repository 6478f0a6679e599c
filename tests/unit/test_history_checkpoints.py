"""The stored form of history checkpoints (``server.persistence.checkpoints``): the pieces
encoder writes exactly the JSON it was given, pausing between long-list chunks, and damaged
bytes are refused as ``CorruptCheckpoint``. (Resume and replay: the integration tests.)"""

from __future__ import annotations

import json
import zlib

import pytest

from server.persistence.checkpoints import CHUNK_ITEMS, CorruptCheckpoint, decode, encode


def test_round_trip_of_long_and_nested_values() -> None:
    state = {
        "format": 1,
        "view": {
            "seq": 12,
            "descriptions": [[k, f"edit {k} «ü»"] for k in range(2 * CHUNK_ITEMS + 3)],
            "places": [[k, [["p1", "m1"]]] for k in range(CHUNK_ITEMS)],
            "empty": [],
            "blame": {"live": [{"id": "n1", "content": {"t": [1, None, True]}}]},
        },
        "log_hash": "ab" * 32,
    }
    pauses: list[int] = []
    data = encode(state, lambda: pauses.append(1))
    assert decode(data) == state
    assert json.loads(zlib.decompress(data)) == state
    assert len(pauses) == 3  # three chunks of the one list longer than CHUNK_ITEMS
    assert len(data) * 5 < len(json.dumps(state))


def test_damaged_bytes_are_refused() -> None:
    data = encode({"seq": 1, "view": {"descriptions": [[1, "x"]] * 100}})
    for bad in (data[:-4], b"", b"\x00" * 20, data[:10] + b"x" + data[11:]):
        with pytest.raises(CorruptCheckpoint):
            decode(bad)
    with pytest.raises(CorruptCheckpoint):
        decode(zlib.compress(b"[1, 2]"))  # JSON, but not an object
    with pytest.raises(ValueError):
        encode({"x": float("nan")})
