"""``HistoryCheckpoints``: what a history view is resumed from: its stored checkpoints (a
cache, see docs/history.md), the chain hash proving a checkpoint fits this log, and stored
snapshots spaced for ``doc_at``. Imports nothing above the persistence package."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ScoreNotFound
from . import checkpoints, repository
from .db import Database


class HistoryCheckpoints:
    """History-view checkpoints and the log reads that resuming one needs."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save_history_checkpoint(
        self,
        score_id: str,
        seq: int,
        state: dict[str, Any],
        *,
        keep: int = 2,
        pause: Callable[[], None] | None = None,
    ) -> bool:
        """Store a history view's ``state`` after edit ``seq`` (zlib-compressed JSON, encoded
        in pieces with ``pause`` between them, outside the write transaction) and keep only
        the newest ``keep`` per score. A checkpoint already at ``seq`` is replaced; False
        if another process inserted that seq meanwhile."""
        data = checkpoints.encode(state, pause)
        with self.db.write() as conn:
            if repository.head_seq(conn, score_id) is None:
                raise ScoreNotFound(score_id)
            return repository.put_history_checkpoint(conn, score_id, seq, data, keep=keep)

    def latest_history_checkpoint(
        self, score_id: str, *, pause: Callable[[], None] | None = None, lazy: bool = False
    ) -> tuple[int, dict[str, Any]] | None:
        """(seq, state) of the score's newest checkpoint, or None; raises
        ``checkpoints.CorruptCheckpoint`` when the stored bytes do not decode. Decoded in
        pieces, calling ``pause`` between them; with ``lazy`` long lists are parsed only
        when read (``checkpoints.Chunks``)."""
        with self.db.read() as conn:
            found = repository.latest_history_checkpoint(conn, score_id)
        if found is None:
            return None
        seq, data = found
        return seq, checkpoints.decode(data, pause, lazy=lazy)

    def edit_hash_at(self, score_id: str, seq: int) -> str | None:
        """The chain hash of edit ``seq`` (None if there is no such edit): what a checkpoint
        records to prove it was built from this very log."""
        with self.db.read() as conn:
            return repository.edit_hash_at(conn, score_id, seq)

    def spaced_snapshot_seqs(self, score_id: str, upto: int, spacing: int) -> list[int]:
        """Seqs of stored snapshots up to ``upto``, each at least ``spacing`` edits after
        the previous one chosen (seq 0 first): enough for a history view's ``doc_at``."""
        with self.db.read() as conn:
            seqs = repository.snapshot_seqs(conn, score_id, upto)
        chosen: list[int] = []
        for seq in seqs:
            if not chosen or seq - chosen[-1] >= spacing:
                chosen.append(seq)
        return chosen

    def snapshot(self, score_id: str, seq: int) -> dict[str, Any]:
        """The stored snapshot at ``seq`` (``KeyError`` if there is none)."""
        with self.db.read() as conn:
            found = repository.snapshots_at(conn, score_id, [seq])
        if not found:
            raise KeyError(f"score {score_id}: no snapshot at seq {seq}")
        return found[0][1]

    def snapshots_spaced(
        self,
        score_id: str,
        upto: int,
        spacing: int,
        *,
        batch: int = 4,
        pause: Callable[[], None] | None = None,
    ) -> list[tuple[int, dict[str, Any]]]:
        """The documents of ``spaced_snapshot_seqs``, read ``batch`` per query, calling
        ``pause`` between queries."""
        chosen = self.spaced_snapshot_seqs(score_id, upto, spacing)
        out: list[tuple[int, dict[str, Any]]] = []
        for start in range(0, len(chosen), batch):
            if start and pause is not None:
                pause()
            with self.db.read() as conn:
                out.extend(repository.snapshots_at(conn, score_id, chosen[start : start + batch]))
        return out
