"""What a history view reads from the log only when a query needs it.

``EditPages`` stands for a log's edits ``1..n`` (the log's seqs are dense) and loads
them a page at a time on first use, so a view resumed from a checkpoint holds no edit
rows until a query asks for them; ``Snapshots`` does the same for stored documents and
``BySeq`` for a checkpoint's per-edit descriptions and places. They take plain loader
functions and sequences. Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from typing import Any, overload

from server.score.model import Doc

from .records import EditRecord

#: Edits read from the log per page.
PAGE = 500

Load = Callable[[int, int], Sequence[EditRecord]]  # (first seq, last seq) -> those edits


class MissingEdits(RuntimeError):
    """The log did not return exactly the dense run of edits a page stands for."""


class EditPages(Sequence[EditRecord]):
    """Edits ``1..count`` read through ``load`` a page at a time, then kept; later edits
    are appended as they are committed. ``pause`` is called between two page loads."""

    def __init__(
        self,
        load: Load,
        count: int,
        *,
        page: int = PAGE,
        pause: Callable[[], None] | None = None,
    ) -> None:
        self._load = load
        self._count = count  # edits the loader stands for (seq 1..count)
        self._page = page
        self._pause = pause
        self._pages: dict[int, list[EditRecord]] = {}
        self._tail: list[EditRecord] = []  # appended: seq count + 1 ...
        self.loads = 0  # page queries made (tests and benchmarks read it)

    def __len__(self) -> int:
        return self._count + len(self._tail)

    def _page_of(self, number: int) -> list[EditRecord]:
        found = self._pages.get(number)
        if found is None:
            if self.loads and self._pause is not None:
                self._pause()
            first = number * self._page + 1
            last = min(first + self._page - 1, self._count)
            found = list(self._load(first, last))
            if [e.seq for e in found] != list(range(first, last + 1)):
                raise MissingEdits(f"edits {first}..{last} are not all in the log")
            self._pages[number] = found
            self.loads += 1
        return found

    def _at(self, index: int) -> EditRecord:
        if index >= self._count:
            return self._tail[index - self._count]
        return self._page_of(index // self._page)[index % self._page]

    @overload
    def __getitem__(self, index: int) -> EditRecord: ...
    @overload
    def __getitem__(self, index: slice) -> list[EditRecord]: ...
    def __getitem__(self, index: int | slice) -> EditRecord | list[EditRecord]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step == 1:
                return list(self._run(start, stop))
            return [self._at(i) for i in range(start, stop, step)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._at(index)

    def _run(self, start: int, stop: int) -> Iterator[EditRecord]:
        """Edits at indexes ``start..stop-1`` in order, one page at a time."""
        i = start
        while i < min(stop, self._count):
            page = self._page_of(i // self._page)
            offset = i % self._page
            chunk = page[offset : offset + min(stop, self._count) - i]
            yield from chunk
            i += len(chunk)
        yield from self._tail[max(0, start - self._count) : max(0, stop - self._count)]

    def __iter__(self) -> Iterator[EditRecord]:
        return self._run(0, len(self))

    def __reversed__(self) -> Iterator[EditRecord]:
        yield from reversed(self._tail)
        for number in range((self._count - 1) // self._page, -1, -1):
            yield from reversed(self._page_of(number))

    def append(self, edit: EditRecord) -> None:
        if edit.seq != len(self) + 1:
            raise ValueError(f"edit {edit.seq} does not follow {len(self)}")
        self._tail.append(edit)

    def count_upto(self, seq: int) -> int:
        """How many edits have ``seq`` or a smaller one (seqs are ``1..len``)."""
        return max(0, min(seq, len(self)))

    @property
    def loaded(self) -> int:
        """Edits held in memory (read pages and appended edits)."""
        return sum(len(p) for p in self._pages.values()) + len(self._tail)


def count_upto(edits: Sequence[EditRecord], seq: int) -> int:
    """How many of ``edits`` (in seq order) have ``seq`` or a smaller one, reading only
    what it must (arithmetic for ``EditPages``, a bisection otherwise)."""
    if isinstance(edits, EditPages):
        return edits.count_upto(seq)
    return bisect.bisect_right(edits, seq, key=lambda e: e.seq)


class Snapshots:
    """Documents at some seqs, each read through ``load`` on first use and then kept."""

    def __init__(
        self, held: dict[int, Doc] | None = None, *, lazy: Sequence[int] = (), load: Any = None
    ) -> None:
        self._docs: dict[int, Doc] = dict(held or {})
        self._load: Callable[[int], Doc] | None = load
        self.marks: list[int] = sorted({*self._docs, *lazy})

    def held(self) -> int:
        """How many snapshot documents are in memory now (loaded or added)."""
        return len(self._docs)

    def add(self, seq: int, doc: Doc) -> None:
        if seq not in self.marks:
            bisect.insort(self.marks, seq)
        self._docs[seq] = doc

    def doc(self, seq: int) -> Doc:
        """The stored document at ``seq`` (one of ``marks``; not a copy)."""
        found = self._docs.get(seq)
        if found is None:
            if self._load is None or seq not in self.marks:
                raise KeyError(seq)
            found = self._docs[seq] = self._load(seq)
        return found


class BySeq(MutableMapping[int, Any]):
    """``seq -> value`` over stored ``[seq, raw]`` pairs (seqs ascending and dense, as a
    view's state stores them), converting a pair only when it is asked for; new values
    are set as usual. A store that breaks the pattern is converted whole, once."""

    def __init__(self, pairs: Sequence[Any], convert: Callable[[Any], Any]) -> None:
        self._pairs = pairs
        self._convert = convert
        self._first: int | None = None  # the first stored seq, read on first use
        self._done: dict[int, Any] = {}
        self._whole = False

    def _stored(self, seq: int) -> Any:
        if self._whole or not self._pairs:
            raise KeyError(seq)
        if self._first is None:
            self._first = int(self._pairs[0][0])
        i = seq - self._first
        if not 0 <= i < len(self._pairs):
            raise KeyError(seq)
        pair = self._pairs[i]
        if int(pair[0]) != seq:  # not dense after all: fall back to converting everything
            self._convert_all()
            return self._done[seq]
        return self._convert(pair[1])

    def _convert_all(self) -> None:
        if not self._whole:
            stored = {int(s): self._convert(v) for s, v in self._pairs}
            self._done = {**stored, **self._done}
            self._whole = True

    def __getitem__(self, seq: int) -> Any:
        found = self._done.get(seq)
        if found is None:
            found = self._done[seq] = self._stored(seq)
        return found

    def __setitem__(self, seq: int, value: Any) -> None:
        self._done[seq] = value

    def __delitem__(self, seq: int) -> None:
        self._convert_all()
        del self._done[seq]

    def __iter__(self) -> Iterator[int]:
        self._convert_all()
        return iter(sorted(self._done))

    def __len__(self) -> int:
        self._convert_all()
        return len(self._done)
