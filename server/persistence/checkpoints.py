"""The stored form of a history-view checkpoint: JSON compressed with zlib, written in
pieces so a cooperative server can pause between them.

Pure codec (standard library only); the table is ``models.HistoryCheckpoint`` and the
queries are in ``records``. What the JSON holds is the history service's business.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator
from typing import Any

#: Items of a long list encoded at a time; ``pause`` is called between such pieces.
CHUNK_ITEMS = 5000
LEVEL = 6  # zlib: about a tenth of the JSON's size, ~20 ms per MB of JSON


class CorruptCheckpoint(ValueError):
    """A stored checkpoint that does not decompress or parse back to a JSON object."""


def _pieces(value: Any, pause: Callable[[], None] | None) -> Iterator[str]:
    """``json.dumps(value)`` as consecutive strings, long lists split into chunks."""
    if isinstance(value, dict):
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            yield ("," if n else "") + json.dumps(str(key), allow_nan=False) + ":"
            yield from _pieces(item, pause)
        yield "}"
    elif isinstance(value, list) and len(value) > CHUNK_ITEMS:
        yield "["
        for start in range(0, len(value), CHUNK_ITEMS):
            body = json.dumps(
                value[start : start + CHUNK_ITEMS], separators=(",", ":"), allow_nan=False
            )
            yield ("," if start else "") + body[1:-1]
            if pause is not None:
                pause()
        yield "]"
    else:
        yield json.dumps(value, separators=(",", ":"), allow_nan=False)


def encode(state: dict[str, Any], pause: Callable[[], None] | None = None) -> bytes:
    """``state`` as zlib-compressed JSON (ValueError for NaN or infinities: not JSON)."""
    packer = zlib.compressobj(LEVEL)
    out: list[bytes] = []
    for piece in _pieces(state, pause):
        out.append(packer.compress(piece.encode("utf-8")))
    out.append(packer.flush())
    return b"".join(out)


def decode(data: bytes) -> dict[str, Any]:
    """The JSON object ``encode`` stored; ``CorruptCheckpoint`` if it is damaged."""
    try:
        value = json.loads(zlib.decompress(bytes(data)))
    except (zlib.error, ValueError, TypeError) as exc:
        raise CorruptCheckpoint(f"unreadable checkpoint: {exc}") from None
    if not isinstance(value, dict):
        raise CorruptCheckpoint("a checkpoint must be a JSON object")
    return value
