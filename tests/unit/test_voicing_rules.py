"""Voicing rules: every module's doctests, rule predicates, and that the vectorised cost
matrices agree with the scalar predicates they are built from."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from server.voicing import Rules, parse_symbol, suggest
from server.voicing import rules as r
from server.voicing.satb import PAIRS, SatbTarget

DOCTEST_MODULES = [
    "server.voicing.rules",
    "server.voicing.chords",
    "server.voicing.symbols",
    "server.voicing.search",
    "server.voicing.common",
    "server.voicing.engine",
    "server.voicing.errors",
    "server.voicing.guitar",
    "server.voicing.satb",
]


@pytest.mark.parametrize("name", DOCTEST_MODULES)
def test_doctests_pass(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0
    assert result.failed == 0


def test_parallel_fifths_and_octaves_minimal() -> None:
    assert r.parallel_fifths(48, 55, 50, 57)
    assert not r.parallel_fifths(48, 55, 48, 55)  # no motion
    assert not r.parallel_fifths(48, 55, 50, 59)  # fifth to sixth
    assert r.parallel_octaves(48, 60, 50, 62)
    assert r.parallel_octaves(60, 60, 62, 74)  # unison to octave
    assert not r.parallel_octaves(48, 60, 36, 60)  # octave leap under a held note


def test_hidden_overlap_crossing_resolution_minimal() -> None:
    assert r.hidden_perfect(48, 64, 55, 74)
    assert not r.hidden_perfect(50, 64, 55, 62)  # soprano by step
    assert r.voice_overlap(60, 64, 65, 67)
    assert r.voice_crossing(67, 64)
    assert r.resolves_up_by_semitone(71, 72)
    assert not r.resolves_down_by_step(65, 67)
    assert r.spacing_excess(60, 75) == 3


def test_predicates_broadcast_like_scalars() -> None:
    rng = np.random.default_rng(7)
    a = rng.integers(40, 80, size=(200, 2))
    b = rng.integers(40, 80, size=(200, 2))
    for predicate in (r.parallel_fifths, r.parallel_octaves, r.hidden_perfect, r.voice_overlap):
        vector = predicate(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        scalar = [
            bool(predicate(*(int(v) for v in (x[0], x[1], y[0], y[1]))))
            for x, y in zip(a, b, strict=True)
        ]
        assert vector.tolist() == scalar


def test_satb_cost_matrix_matches_scalar_rules() -> None:
    target = SatbTarget()
    g7, c = parse_symbol("G7"), parse_symbol("C")
    ca = target.candidates(g7, {}, 0)
    cb = target.candidates(c, {}, 1)
    terms = target.pair_terms(g7, ca, c, cb)
    rng = np.random.default_rng(3)
    for _ in range(300):
        i, j = int(rng.integers(ca.shape[0])), int(rng.integers(cb.shape[0]))
        va, vb = [int(v) for v in ca[i]], [int(v) for v in cb[j]]
        fifths = sum(bool(r.parallel_fifths(va[lo], va[hi], vb[lo], vb[hi])) for lo, hi in PAIRS)
        octaves = sum(bool(r.parallel_octaves(va[lo], va[hi], vb[lo], vb[hi])) for lo, hi in PAIRS)
        assert terms["parallel_fifths"][i, j] == fifths
        assert terms["parallel_octaves"][i, j] == octaves
        assert terms["hidden_outer"][i, j] == bool(r.hidden_perfect(va[3], va[0], vb[3], vb[0]))
        # The named explanation agrees with the cost it explains.
        notes = [text for _, text in target.pair_notes(1, g7, tuple(va), c, tuple(vb))]
        assert sum("parallel fifths" in n for n in notes) == fifths
        unresolved = [col for col in range(4) if va[col] % 12 == 11 and vb[col] - va[col] != 1]
        assert sum("leading tone" in n for n in notes) == len(unresolved)
        assert terms["leading_tone"][i, j] == sum(1 for col in unresolved if col in (0, 3))
        assert terms["leading_tone_inner"][i, j] == sum(1 for col in unresolved if col in (1, 2))


def _forced(progression: list[dict[str, object]], **weights: float) -> list[str]:
    options = {"rules": weights} if weights else {}
    return suggest(progression, "satb", 1, options)[0].explanation


def test_explanation_names_forced_parallel_fifths() -> None:
    prog = [
        {"symbol": "C", "fixed": {"soprano": 67, "bass": 48}},
        {"symbol": "Dm", "fixed": {"soprano": 69, "bass": 50}},
    ]
    assert "parallel fifths S–B, chord 1→2" in _forced(prog)


def test_explanation_names_unresolved_leading_tone_and_seventh() -> None:
    prog = [
        {"symbol": "G7", "fixed": {"soprano": 71, "bass": 43}},
        {"symbol": "C", "fixed": {"soprano": 67, "bass": 48}},
    ]
    assert "leading tone not resolved in soprano, chord 1→2" in _forced(prog)
    prog = [
        {"symbol": "G7", "fixed": {"soprano": 77, "bass": 43}},
        {"symbol": "C", "fixed": {"soprano": 79, "bass": 48}},
    ]
    assert "seventh not resolved down in soprano, chord 1→2" in _forced(prog)


def test_rules_switch_terms_off() -> None:
    prog = [
        {"symbol": "C", "fixed": {"soprano": 67, "bass": 48}},
        {"symbol": "Dm", "fixed": {"soprano": 69, "bass": 50}},
    ]
    on = suggest(prog, "satb", 1)[0]
    off = suggest(prog, "satb", 1, {"rules": Rules({"parallel_fifths": 0.0})})[0]
    assert on.breakdown.get("parallel_fifths", 0) > 0
    assert "parallel_fifths" not in off.breakdown
    assert any("parallel fifths" in note for note in on.explanation)
    assert not any("parallel fifths" in note for note in off.explanation)
    assert off.cost == pytest.approx(on.cost - on.breakdown["parallel_fifths"])
