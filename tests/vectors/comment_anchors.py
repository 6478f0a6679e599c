"""The shared comment-anchor vectors (``comment_anchors.json``): documents after a series
of real ops, stored anchors and where ``server.comments.anchors.locate`` says each points.
``tests/js/comment_anchors.test.mjs`` checks the JS mirror gives the same answers;
``tests/unit/test_comment_anchors.py`` checks the file is what this module builds.

    .venv/bin/python -m tests.vectors.comment_anchors   # rewrite the JSON
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.comments.anchors import bind, locate
from server.score import apply_op, new_document

PATH = Path(__file__).with_name("comment_anchors.json")


def _note(measure: str, event: str, step: str, offset: str) -> dict[str, Any]:
    notes = [{"id": f"{event}n", "step": step, "octave": 4}]
    return {
        "op": "write_event", "part": "p1", "measure": measure, "offset": offset,
        "event": {"id": event, "dur": {"type": 2}, "notes": notes},
    }  # fmt: skip


STEPS: list[dict[str, Any]] = [
    {"op": "set_pitch", "note": "e0n", "step": "A", "alter": -1, "octave": 5},
    {"op": "insert_measures", "at": 0, "measures": [{"id": "x1"}, {"id": "x2"}]},
    {"op": "add_note", "event": "e1", "note": {"id": "top", "step": "G", "octave": 5}},
    {"op": "remove_note", "note": "top"},
    {"op": "remove_measures", "ids": ["m3"]},
    {"op": "delete_event", "event": "e2"},
    {"op": "remove_part", "part": "p2"},
]


def build() -> list[dict[str, Any]]:
    doc = new_document(parts=[{"name": "Soprano"}, {"name": "Alto"}], measures=6)
    for op in (
        _note("m3", "e0", "C", "0"),
        _note("m3", "e1", "E", "1/2"),
        _note("m4", "e2", "G", "0"),
    ):
        apply_op(doc, op)
    requests = [
        {"kind": "event", "event": "e0"},
        {"kind": "event", "event": "e2"},
        {"kind": "measures", "first": "m3", "last": "m4"},
        {"kind": "measures", "first": "m5", "part": "p2"},
        {"kind": "part", "part": "p2"},
    ]
    anchors = [bind(r, doc) for r in requests]
    cases = []
    for step in [None, *STEPS]:
        if step is not None:
            apply_op(doc, step)
        if step and step["op"] == "add_note":
            anchors.append(bind({"kind": "event", "event": "e1", "note": "top"}, doc))
        cases.append(
            {
                "after": step["op"] if step else "start",
                "doc": json.loads(json.dumps(doc)),
                "anchors": anchors[:],
                "locations": [locate(a, doc) for a in anchors],
            }
        )
    return cases


if __name__ == "__main__":
    PATH.write_text(json.dumps(build(), separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {PATH}")
