"""The stored form of a history-view checkpoint: zlib-compressed JSON lines, written and
read in pieces so a cooperative server can pause between them.

Line 1 is the object with every list longer than ``CHUNK_ITEMS`` replaced by a marker
``{"\\u0000chunks": n}``; the next ``n`` lines (in the order the markers appear) are that
list's items, ``CHUNK_ITEMS`` per line. Pure codec (standard library only); the table is
``models.HistoryCheckpoint`` and the queries are in ``records``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator
from typing import Any

#: Items of a long list encoded (and decoded) at a time; ``pause`` is called between them.
CHUNK_ITEMS = 5000
LEVEL = 6  # zlib: about a tenth of the JSON's size, ~30 ms per MB of JSON
MARK = "\u0000chunks"  # a key no state holds (JSON text never has a raw NUL)


class CorruptCheckpoint(ValueError):
    """A stored checkpoint that does not decompress or parse back to a JSON object."""


def _dumps(value: Any) -> str:
    # No indent: json.dumps then never writes a raw newline, so lines frame the pieces.
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _split(value: Any, chunks: list[list[Any]]) -> Any:
    """``value`` with each long list moved to ``chunks`` and replaced by a marker."""
    if isinstance(value, dict):
        return {str(k): _split(v, chunks) for k, v in value.items()}
    if isinstance(value, list) and len(value) > CHUNK_ITEMS:
        parts = [value[i : i + CHUNK_ITEMS] for i in range(0, len(value), CHUNK_ITEMS)]
        chunks.extend(parts)
        return {MARK: len(parts)}
    return value


def encode(state: dict[str, Any], pause: Callable[[], None] | None = None) -> bytes:
    """``state`` stored (ValueError for NaN or infinities: not JSON)."""
    chunks: list[list[Any]] = []
    skeleton = _split(state, chunks)
    packer = zlib.compressobj(LEVEL)
    out = [packer.compress(_dumps(skeleton).encode("utf-8"))]
    for chunk in chunks:
        out.append(packer.compress(b"\n" + _dumps(chunk).encode("utf-8")))
        if pause is not None:
            pause()
    out.append(packer.flush())
    return b"".join(out)


def _join(value: Any, lines: Iterator[Any]) -> Any:
    if isinstance(value, dict):
        if set(value) == {MARK}:
            return [item for _ in range(int(value[MARK])) for item in next(lines)]
        return {k: _join(v, lines) for k, v in value.items()}
    return value


def decode(data: bytes, pause: Callable[[], None] | None = None) -> dict[str, Any]:
    """The object ``encode`` stored; ``CorruptCheckpoint`` if it is damaged."""

    def chunks(raw: list[bytes]) -> Iterator[Any]:
        for line in raw:
            if pause is not None:
                pause()
            chunk = json.loads(line)
            if not isinstance(chunk, list):
                raise ValueError("a chunk line must be a list")
            yield chunk

    try:
        first, *rest = zlib.decompress(bytes(data)).split(b"\n")
        skeleton = json.loads(first)
        lines = chunks(rest)
        value = _join(skeleton, lines)
        if next(lines, None) is not None:
            raise ValueError("more chunk lines than markers")
    except (zlib.error, ValueError, TypeError, StopIteration, RuntimeError) as exc:
        raise CorruptCheckpoint(f"unreadable checkpoint: {exc!r}") from None
    if not isinstance(value, dict):
        raise CorruptCheckpoint("a checkpoint must be a JSON object")
    return value
