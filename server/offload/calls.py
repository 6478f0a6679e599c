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

    def voicing(self, score_id: str, seq: int, request: dict[str, Any]) -> dict[str, Any]:
        """The helper's alternatives for ``request`` (``VoicingRequest.to_json()``)."""
        value, _ = self.pool.run("voicing", self._args(score_id, seq, request=request))
        return dict(value)
