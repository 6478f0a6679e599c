"""docs/ops.md stays true: it documents exactly the ops in the registry, and its JSON
examples, applied in order with ``apply_edit``, do what the text says they do.

Every ```json block of the page carries a kind (the word after ``json``):

- ``document`` — the starting score; must equal ``new_document(measures=2)``.
- ``edit`` — ops applied to the running document; nothing may be skipped unless a
  ``skipped`` block follows.
- ``inverse`` / ``skipped`` — the exact inverse / skipped list of the edit above.
- ``bar P/M`` — bar ``M`` of part ``P`` after the edits above, exactly.
- ``refused`` — ops that must raise; the ``error`` block after it is the error's
  ``to_dict()`` and the document must be unchanged.
- ``shape`` — an illustration of a shape; it is parsed as JSON but not applied.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from server.score import ScoreError, apply_edit, check_invariants, clone, new_document
from server.score.ops import HANDLERS

DOC = Path(__file__).resolve().parents[2] / "docs" / "ops.md"
BLOCK = re.compile(r"^```json(?P<info>[^\n]*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{2,4} `([a-z_]+)`", re.MULTILINE)
KINDS = {"document", "edit", "inverse", "skipped", "bar", "refused", "error", "shape"}


def blocks(text: str) -> list[tuple[str, str, Any]]:
    """(kind, argument, parsed JSON) for every json block, in page order."""
    out = []
    for match in BLOCK.finditer(text):
        kind, _, arg = match["info"].strip().partition(" ")
        out.append((kind, arg.strip(), json.loads(match["body"])))
    return out


def run_examples(text: str) -> int:
    """Apply the page's examples; returns how many edits were applied or refused."""
    doc: dict[str, Any] | None = None
    last: Any = None  # the EditResult, or the error of a refused edit
    checked = 0
    expect_skipped = False
    for n, (kind, arg, value) in enumerate(blocks(text)):
        where = f"json block {n + 1} ({kind} {arg})".strip()
        assert kind in KINDS, f"{where}: unknown kind (one of {sorted(KINDS)})"
        if kind == "document":
            assert value == new_document(measures=2), f"{where} is not new_document(measures=2)"
            doc = clone(value)
            continue
        if kind == "shape":
            continue
        assert doc is not None, f"{where} comes before the first `json document` block"
        if kind == "edit":
            assert not expect_skipped
            last = apply_edit(doc, value)
            expect_skipped = bool(last.skipped)
            assert check_invariants(doc) == [], where
            checked += 1
        elif kind == "refused":
            before = clone(doc)
            with pytest.raises(ScoreError) as caught:
                apply_edit(doc, value)
            assert doc == before, f"{where}: a refused edit changed the document"
            last = caught.value
            checked += 1
        elif kind == "inverse":
            assert value == last.inverse, f"{where}: the inverse is\n{json.dumps(last.inverse)}"
        elif kind == "skipped":
            assert value == last.skipped, f"{where}: skipped is\n{json.dumps(last.skipped)}"
            expect_skipped = False
        elif kind == "error":
            assert isinstance(last, ScoreError), f"{where} must follow a `json refused` block"
            assert value == last.to_dict(), f"{where}: the error is\n{json.dumps(last.to_dict())}"
        elif kind == "bar":
            part_id, _, measure = arg.partition("/")
            part = next(p for p in doc["parts"] if p["id"] == part_id)
            actual = part["bars"][measure]
            assert value == actual, f"{where}: the bar is\n{json.dumps(actual)}"
    assert not expect_skipped, "an edit skipped ops and no `json skipped` block says so"
    return checked


def test_every_op_in_the_registry_is_documented_and_nothing_else() -> None:
    documented = HEADING.findall(DOC.read_text())
    assert len(documented) == len(set(documented)), "an op is documented twice"
    assert sorted(documented) == sorted(HANDLERS)


def test_the_worked_examples_apply_as_documented() -> None:
    text = DOC.read_text()
    assert run_examples(text) >= 8
    kinds = [kind for kind, _, _ in blocks(text)]
    # Examples a client needs most: set a pitch, write a note and a chord, lyrics.
    edited = json.dumps([v for k, _, v in blocks(text) if k == "edit"])
    for op in ("set_pitch", "write_event", "add_note", "set_lyric"):
        assert f'"op": "{op}"' in edited, op
    assert "refused" in kinds and "skipped" in kinds


def test_every_json_block_is_tagged_so_none_escapes_checking() -> None:
    untagged = re.findall(r"^```(?:json)?\s*\n\s*[\[{]", DOC.read_text(), re.MULTILINE)
    assert untagged == []


def test_a_wrong_example_is_caught() -> None:
    """The checker itself: a documented pitch that the op would not produce fails."""
    text = DOC.read_text()
    start = text.index("```json edit")  # the first applied example, not an illustration
    broken = text[:start] + text[start:].replace(
        '"step": "E", "alter": -1', '"step": "E", "alter": 0', 1
    )
    assert broken != text
    with pytest.raises(AssertionError):
        run_examples(broken)
