"""The stored form of history checkpoints (``server.persistence.checkpoints``): what is
encoded in pieces decodes to exactly the JSON it was given, pausing between long-list
chunks both ways, and damaged bytes are refused as ``CorruptCheckpoint``. (Resume and
replay: the integration tests.)"""

from __future__ import annotations

import json
import zlib

import pytest

from server.history.lazy import BySeq
from server.persistence.checkpoints import CHUNK_ITEMS, Chunks, CorruptCheckpoint, decode, encode


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


def _plain(value: object) -> object:
    """A lazily decoded value with its ``Chunks`` read into lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Chunks):
        return [_plain(v) for v in value]
    return value


def test_lazy_decode_parses_a_chunk_only_when_one_of_its_items_is_read() -> None:
    items = [[k, f"edit {k}"] for k in range(1, 2 * CHUNK_ITEMS + 8)]
    state = {"view": {"descriptions": items, "seq": 3}, "short": [1, 2]}
    lazy = decode(encode(state), lazy=True)
    chunks = lazy["view"]["descriptions"]
    assert isinstance(chunks, Chunks) and lazy["short"] == [1, 2]
    assert chunks._parsed == {}
    assert chunks[-1] == items[-1] and list(chunks._parsed) == [2]  # len reads the last line
    assert chunks[CHUNK_ITEMS + 3] == items[CHUNK_ITEMS + 3] and sorted(chunks._parsed) == [1, 2]
    assert len(chunks) == len(items) and chunks[5:9] == items[5:9]
    assert _plain(lazy) == state == decode(encode(state))
    with pytest.raises(IndexError):
        chunks[len(items)]
    lines = zlib.decompress(encode({"v": list(range(CHUNK_ITEMS + 1))})).split(b"\n")
    damaged = decode(zlib.compress(b"\n".join([lines[0], b"{}", lines[2]])), lazy=True)
    with pytest.raises(CorruptCheckpoint):
        damaged["v"][0]
    with pytest.raises(CorruptCheckpoint):  # a missing line is still seen at once
        decode(zlib.compress(b"\n".join(lines[:2])), lazy=True)


def test_by_seq_converts_only_what_is_read_and_survives_a_store_that_is_not_dense() -> None:
    converted: list[object] = []

    def convert(raw: object) -> str:
        converted.append(raw)
        return f"<{raw}>"

    dense = BySeq([[s, s * 10] for s in range(1, 8)], convert)
    assert dense[7] == "<70>" and dense[7] == "<70>" and converted == [70]
    dense[8] = "new"
    assert dense.get(9) is None and dense[8] == "new"
    assert dict(dense) == {**{s: f"<{s * 10}>" for s in range(1, 8)}, 8: "new"}
    holed = BySeq([[1, "a"], [3, "c"], [4, "d"]], str)
    assert holed[3] == "c" and holed[4] == "d" and 2 not in holed and len(holed) == 3
    assert list(BySeq([], str)) == []
