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
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

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


def _chunk(line: bytes) -> list[Any]:
    chunk = json.loads(line)
    if not isinstance(chunk, list):
        raise ValueError("a chunk line must be a list")
    return chunk


class Chunks(Sequence[Any]):
    """A long list of a checkpoint decoded with ``lazy=True``: each stored line of
    ``CHUNK_ITEMS`` items is parsed when one of its items is first read (a damaged line
    raises ``CorruptCheckpoint`` then)."""

    def __init__(self, lines: list[bytes]) -> None:
        self._lines = lines
        self._parsed: dict[int, list[Any]] = {}

    def _line(self, number: int) -> list[Any]:
        found = self._parsed.get(number)
        if found is None:
            try:
                found = self._parsed[number] = _chunk(self._lines[number])
            except (ValueError, TypeError, RecursionError) as exc:
                raise CorruptCheckpoint(f"unreadable checkpoint chunk: {exc!r}") from None
        return found

    def __len__(self) -> int:
        if not self._lines:
            return 0
        return CHUNK_ITEMS * (len(self._lines) - 1) + len(self._line(len(self._lines) - 1))

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._line(index // CHUNK_ITEMS)[index % CHUNK_ITEMS]

    def __iter__(self) -> Iterator[Any]:
        for number in range(len(self._lines)):
            yield from self._line(number)


def _join_lazy(value: Any, lines: Iterator[bytes]) -> Any:
    if isinstance(value, dict):
        if set(value) == {MARK}:
            return Chunks([next(lines) for _ in range(int(value[MARK]))])
        return {k: _join_lazy(v, lines) for k, v in value.items()}
    return value


def _join(value: Any, lines: Iterator[Any]) -> Any:
    if isinstance(value, dict):
        if set(value) == {MARK}:
            return [item for _ in range(int(value[MARK])) for item in next(lines)]
        return {k: _join(v, lines) for k, v in value.items()}
    return value


def decode(
    data: bytes, pause: Callable[[], None] | None = None, *, lazy: bool = False
) -> dict[str, Any]:
    """The object ``encode`` stored; ``CorruptCheckpoint`` if it is damaged. With ``lazy``
    its long lists are ``Chunks``, parsed piece by piece when read (``pause`` unused)."""

    def chunks(raw: list[bytes]) -> Iterator[Any]:
        for line in raw:
            if pause is not None:
                pause()
            yield _chunk(line)

    try:
        first, *rest = zlib.decompress(bytes(data)).split(b"\n")
        skeleton = json.loads(first)
        if lazy:
            raw = iter(rest)
            value = _join_lazy(skeleton, raw)
            if next(raw, None) is not None:
                raise ValueError("more chunk lines than markers")
        else:
            lines = chunks(rest)
            value = _join(skeleton, lines)
            if next(lines, None) is not None:
                raise ValueError("more chunk lines than markers")
    except (zlib.error, ValueError, TypeError, StopIteration, RuntimeError) as exc:
        raise CorruptCheckpoint(f"unreadable checkpoint: {exc!r}") from None
    if not isinstance(value, dict):
        raise CorruptCheckpoint("a checkpoint must be a JSON object")
    return value
