"""Property tests of the pure score model: inverses are exact, invariants always hold."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from server.score import InvalidOp, apply_edit, check_invariants, clone, invert, new_document
from tests.support.score_gen import IdSource, random_edit


def _start(seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    return new_document(
        parts=[{"name": "Soprano"}, {"name": "Bass", "clef": "bass"}][: rng.randint(1, 2)],
        measures=rng.randint(1, 4),
        time=rng.choice([[4, 4], [3, 4], [6, 8]]),
    )


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 30))
def test_every_edit_is_undone_exactly_by_its_inverse(seed: int, steps: int) -> None:
    rng = random.Random(seed)
    doc = _start(seed)
    new_id = IdSource("c")
    for _ in range(steps):
        before = clone(doc)
        ops = random_edit(doc, rng, new_id)
        try:
            result = apply_edit(doc, ops)
        except InvalidOp:
            assert doc == before, "a refused edit must leave the score untouched"
            continue
        assert check_invariants(doc) == []
        after = clone(doc)
        invert(doc, result.inverse)
        assert doc == before, f"inverse of {ops} did not restore the score"
        # Redo from the restored state gives the same result: ops are deterministic.
        apply_edit(doc, ops)
        assert doc == after


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_long_random_histories_keep_invariants_and_stay_json(seed: int) -> None:
    rng = random.Random(seed)
    doc = _start(seed)
    new_id = IdSource("x")
    history = []
    for _ in range(60):
        try:
            history.append(apply_edit(doc, random_edit(doc, rng, new_id)))
        except InvalidOp:
            pass
    assert check_invariants(doc) == []
    assert json.loads(json.dumps(doc)) == doc
    # Undo the whole history, newest first: back to the start.
    for result in reversed(history):
        invert(doc, result.inverse)
    assert doc == _start(seed)
