"""Row conversion shared by the query modules: timestamps in UTC and rows as plain dicts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .chain import as_utc


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_dict(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    out: dict[str, Any] = row._asdict()
    for key, value in out.items():
        if isinstance(value, datetime):
            out[key] = as_utc(value)
    return out


def to_dicts(rows: Any) -> list[dict[str, Any]]:
    return [d for d in (to_dict(r) for r in rows) if d is not None]
