"""What the history core needs from an edit record, and who an edit is attributed to.

Any object with the attributes of ``EditRecord`` will do (the persistence layer's
``CommittedEdit`` or a test dataclass). Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

ORIGINS = ("human", "helper", "revert", "import", "restore")


class EditRecord(Protocol):
    """One committed edit as stored in the log (seq 0 is the initial snapshot, not an edit)."""

    @property
    def seq(self) -> int: ...
    @property
    def author_id(self) -> Any: ...
    @property
    def author_name(self) -> str: ...
    @property
    def origin(self) -> str: ...
    @property
    def ops(self) -> list[dict[str, Any]]: ...
    @property
    def inverse(self) -> list[dict[str, Any]]: ...
    @property
    def skipped(self) -> list[Any]: ...
    @property
    def meta(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True)
class Stamp:
    """Who did something and how: the attribution half of an edit record."""

    seq: int
    author_id: Any
    author_name: str
    origin: str
    accepted_by: str | None = None
    suggestion_id: Any = None

    @property
    def via_helper(self) -> bool:
        return self.origin == "helper"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "seq": self.seq,
            "author_id": self.author_id,
            "author_name": self.author_name,
            "origin": self.origin,
        }
        if self.via_helper:
            out["accepted_by"] = self.accepted_by
            out["suggestion_id"] = self.suggestion_id
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Stamp:
        return cls(
            seq=raw["seq"],
            author_id=raw["author_id"],
            author_name=raw["author_name"],
            origin=raw["origin"],
            accepted_by=raw.get("accepted_by"),
            suggestion_id=raw.get("suggestion_id"),
        )


def stamp_of(edit: EditRecord) -> Stamp:
    """The attribution of an edit; a helper edit is accepted by its author unless meta says."""
    meta = edit.meta if isinstance(edit.meta, dict) else {}
    if edit.origin == "helper":
        accepted = meta.get("accepted_by") or edit.author_name
        return Stamp(
            edit.seq,
            edit.author_id,
            edit.author_name,
            edit.origin,
            str(accepted),
            meta.get("suggestion_id"),
        )
    return Stamp(edit.seq, edit.author_id, edit.author_name, edit.origin)


def reverted_seqs(edit: EditRecord) -> list[int]:
    """The seqs a revert edit names in ``meta["reverts"]`` (anything malformed is ignored)."""
    meta = edit.meta if isinstance(edit.meta, dict) else {}
    raw = meta.get("reverts")
    if not isinstance(raw, list):
        return []
    return [
        int(s)
        for s in raw
        if (isinstance(s, int) and not isinstance(s, bool)) or (isinstance(s, str) and s.isdigit())
    ]
