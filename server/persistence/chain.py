"""The edit log's hash chain: canonical JSON of an edit row and its SHA-256 link.

Pure (hashlib and json only), so a verifier outside the server can recompute it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "score_id",
    "seq",
    "author_id",
    "client_id",
    "client_seq",
    "ops",
    "inverse",
    "skipped",
    "origin",
    "meta",
    "created_at",
)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC: SQLite hands back naive datetimes, which we always store as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds, identical before and after a database round trip."""
    return as_utc(moment).isoformat(timespec="microseconds")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def edit_hash(prev_hash: str, edit: dict[str, Any]) -> str:
    """sha256(prev_hash + canonical JSON of the edit's hashed fields)."""
    payload = [edit[name] for name in HASHED_FIELDS]
    payload[-1] = iso(payload[-1])
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_json(payload).encode("utf-8"))
    return digest.hexdigest()
