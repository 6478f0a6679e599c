"""The voicing engine gives exactly the suggestions it gave before its speed work: every
case of ``tests/vectors/voicing_golden.json`` (written by ``tests.vectors.voicing_golden``
from the earlier engine), answered afresh with cold candidate caches."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.voicing.guitar import fret_shapes
from server.voicing.piano import piano_rows
from server.voicing.satb import satb_rows
from tests.vectors.voicing_golden import CASES, FIXTURE, answer

GOLDEN: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_the_fixture_covers_every_case_as_written() -> None:
    assert [c["name"] for c in CASES] == list(GOLDEN)
    for case in CASES:
        assert GOLDEN[case["name"]]["case"] == json.loads(json.dumps(case))


@pytest.mark.parametrize("name", list(GOLDEN))
def test_suggestions_are_unchanged(name: str) -> None:
    for cache in (satb_rows, piano_rows, fret_shapes):
        cache.cache_clear()
    expected = GOLDEN[name]["answer"]
    got = json.loads(json.dumps(answer(GOLDEN[name]["case"])))
    assert got == expected
