"""History exports: one row per edit as JSON-ready dicts or CSV text.

Columns: seq, time (ISO 8601), author, origin, description, op count, reverts.
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from .records import EditRecord, reverted_seqs

COLUMNS = ("seq", "time", "author", "origin", "description", "op_count", "reverts")


def history_rows(
    edits: Iterable[EditRecord], descriptions: Mapping[int, str]
) -> list[dict[str, Any]]:
    """Rows for ``edits``; ``descriptions`` maps seq -> text (see ``describe_edit``)."""
    return [
        {
            "seq": edit.seq,
            "time": edit.created_at.isoformat(),
            "author": edit.author_name,
            "origin": edit.origin,
            "description": descriptions.get(edit.seq, ""),
            "op_count": len(edit.ops) if isinstance(edit.ops, list) else 0,
            "reverts": reverted_seqs(edit),
        }
        for edit in edits
    ]


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """CSV with a header; reverted seqs are space-separated in one cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        values = [row[c] for c in COLUMNS]
        values[-1] = " ".join(str(s) for s in row["reverts"])
        writer.writerow(values)
    return buffer.getvalue()


def to_json(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """JSON-ready copies of the rows (lists, strings and numbers only)."""
    return [{c: row[c] for c in COLUMNS} for row in rows]
