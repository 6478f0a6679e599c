"""The server's jobs as calls: ``Jobs`` knows which database and log key the job processes
read the score from, so a caller names only the score, the seq and what it wants.

Built once by ``create_app`` (``get_jobs()``); the processes themselves are the one
process-wide ``POOL``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .pool import Pool


@dataclass(frozen=True)
class Jobs:
    pool: Pool
    database_url: str
    log_key: str = field(repr=False)

    def _args(self, score_id: str, seq: int, **more: Any) -> dict[str, Any]:
        return {"db": self.database_url, "log_key": self.log_key,
                "score_id": score_id, "seq": seq, **more}  # fmt: skip

    def export(self, score_id: str, seq: int, fmt: str) -> bytes:
        """The score as it was after ``seq``, as a ``musicxml``, ``mxl`` or ``midi`` file."""
        _, data = self.pool.run("export", self._args(score_id, seq, format=fmt))
        return data

    def diff(self, score_id: str, user_id: int, seq_a: int, seq_b: int | None) -> dict[str, Any]:
        """What changed between two seqs (``HistoryService.diff``), computed in a job process."""
        args = {"db": self.database_url, "log_key": self.log_key, "score_id": score_id,
                "user_id": user_id, "from": seq_a, "to": seq_b}  # fmt: skip
        value, _ = self.pool.run("diff", args)
        return dict(value)

    def restore(self, score_id: str, user_id: int, seq: Any) -> tuple[dict[str, Any], Any]:
        """Restore ``seq`` as one new edit, planned and committed in a job process:
        ``(report, wire form of the edit or None)``."""
        args = {"db": self.database_url, "log_key": self.log_key, "score_id": score_id,
                "user_id": user_id, "seq": seq}  # fmt: skip
        value, _ = self.pool.run("restore", args)
        return dict(value["report"]), value["edit"]

    def voicing(self, score_id: str, seq: int, request: dict[str, Any]) -> dict[str, Any]:
        """The helper's alternatives for ``request`` (``VoicingRequest.to_json()``)."""
        value, _ = self.pool.run("voicing", self._args(score_id, seq, request=request))
        return dict(value)
