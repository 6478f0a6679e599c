"""The edit log's hash chain: canonical JSON of an edit row and its link, keyed with the
server's log key (HMAC-SHA256), plus the keyed signatures of a score's head and of its
snapshots. ``edit_hash`` is the unkeyed SHA-256 link of logs written before the key.

Pure (hashlib, hmac and json only), so a verifier outside the server can recompute it
given the key. The key never reaches the database: see docs/persistence.md.
"""

from __future__ import annotations

import hashlib
import hmac
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


# Domain tags: a value signed as one kind (an edit) can never pass as another (a head).
_EDIT_TAG = b"tutti-edit-v1\x00"
_HEAD_TAG = b"tutti-head-v1\x00"
_SNAPSHOT_TAG = b"tutti-snapshot-v1\x00"


class LogSigner:
    """HMAC-SHA256 under one log key: edit links, head signatures, snapshot signatures.

    The keyed state is built once and copied per message, which skips the key set-up
    on every edit. ``repr`` never shows the key.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the log key must be at least 16 bytes")
        self._mac = hmac.new(key, digestmod=hashlib.sha256)

    def __repr__(self) -> str:
        return "LogSigner(<key hidden>)"

    def _digest(self, *parts: bytes) -> str:
        mac = self._mac.copy()
        for part in parts:
            mac.update(part)
        return mac.hexdigest()

    def edit_hash(self, prev_hash: str, edit: dict[str, Any]) -> str:
        """HMAC(prev_hash + canonical JSON of the edit's hashed fields): the keyed link."""
        payload = [edit[name] for name in HASHED_FIELDS]
        payload[-1] = iso(payload[-1])
        return self._digest(
            _EDIT_TAG, prev_hash.encode("ascii"), canonical_json(payload).encode("utf-8")
        )

    def head(self, score_id: str, seq: int, last_hash: str, keyed_from: int) -> str:
        """The signed head: the score is at ``seq`` and its last edit's hash is ``last_hash``
        (``GENESIS_HASH`` at seq 0); edits from ``keyed_from`` on carry keyed hashes."""
        message = canonical_json([score_id, seq, last_hash, keyed_from])
        return self._digest(_HEAD_TAG, message.encode("utf-8"))

    def snapshot(self, score_id: str, seq: int, last_hash: str, doc: dict[str, Any]) -> str:
        """The signature of the document after edit ``seq``, bound to that edit's hash."""
        header = canonical_json([score_id, seq, last_hash]).encode("utf-8")
        return self._digest(_SNAPSHOT_TAG, header, b"\x00", canonical_json(doc).encode("utf-8"))

    def check(self, expected: str | None, actual: str) -> bool:
        """Constant-time comparison (a stored value may be None: never equal)."""
        return expected is not None and hmac.compare_digest(expected, actual)
