"""The stored form of history checkpoints (``server.persistence.checkpoints``): what is
encoded in pieces decodes to exactly the JSON it was given, pausing between long-list
chunks both ways, and damaged bytes are refused as ``CorruptCheckpoint``. (Resume and
replay: the integration tests.)"""

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
    assert len(pauses) == 3  # three chunks of the one list longer than CHUNK_ITEMS
    assert decode(data, lambda: pauses.append(1)) == state
    assert len(pauses) == 6
    assert len(data) * 5 < len(json.dumps(state))
    short = {"a": [1, 2], "b": {"c": "x\ny"}}  # one line, no markers
    assert decode(encode(short)) == short and zlib.decompress(encode(short)).count(b"\n") == 0


def test_damaged_bytes_are_refused() -> None:
    data = encode({"seq": 1, "view": {"descriptions": [[1, "x"]] * 100}})
    for bad in (data[:-4], b"", b"\x00" * 20, data[:10] + b"x" + data[11:]):
        with pytest.raises(CorruptCheckpoint):
            decode(bad)
    with pytest.raises(CorruptCheckpoint):
        decode(zlib.compress(b"[1, 2]"))  # JSON, but not an object
    lines = zlib.decompress(encode({"v": list(range(CHUNK_ITEMS + 1))})).split(b"\n")
    for bad_lines in (lines[:2], [*lines, lines[1]], [lines[0], b"{}", lines[2]]):
        with pytest.raises(CorruptCheckpoint):  # chunk lines missing, extra or not lists
            decode(zlib.compress(b"\n".join(bad_lines)))
    with pytest.raises(ValueError):
        encode({"x": float("nan")})
