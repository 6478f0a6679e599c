"""The search: exact k-best, diversity, cost order, fixed notes, and clear refusals."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from server.voicing import VoicingError, parse_symbol, suggest
from server.voicing.common import weighted_total
from server.voicing.satb import SatbTarget
from server.voicing.search import changes, diverse_k_best, k_best, path_cost

PROGRESSION = ["C", "Am", "F", "G7", "C", "F", "Dm7", "G7", "C"]


def test_k_best_equals_brute_force_on_random_chains() -> None:
    rng = np.random.default_rng(11)
    for _ in range(150):
        sizes = rng.integers(1, 6, size=int(rng.integers(1, 5)))
        unary = [rng.integers(0, 6, size=s).astype(float) for s in sizes]
        pair = [
            rng.integers(0, 6, size=(sizes[i], sizes[i + 1])).astype(float)
            for i in range(len(sizes) - 1)
        ]
        k = int(rng.integers(1, 10))
        everything = sorted(
            path_cost(unary, pair, p) for p in itertools.product(*(range(s) for s in sizes))
        )
        found = k_best(unary, pair, k)
        assert [c for c, _ in found] == everything[:k]
        assert len({p for _, p in found}) == len(found)
        assert all(path_cost(unary, pair, p) == pytest.approx(c) for c, p in found)


def test_engine_k_best_equals_brute_force() -> None:
    """Independent re-computation: every full path of a tiny SATB problem, costed one by one."""
    prog: list[Any] = [
        {"symbol": "C", "fixed": {"soprano": 72}},
        {"symbol": "G7/B", "fixed": {"soprano": 74, "bass": 47}},
        {"symbol": "C", "fixed": {"soprano": 72, "bass": 48}},
        {"symbol": "F", "fixed": {"soprano": 72}},
    ]
    target = SatbTarget()
    chords = [parse_symbol(p["symbol"]) for p in prog]
    cands = [
        target.candidates(c, p["fixed"], i)
        for i, (c, p) in enumerate(zip(chords, prog, strict=True))
    ]
    assert all(len(c) < 60 for c in cands)
    # Every cost computed on single rows (no broadcasting), then every path summed.
    unary = [
        [
            float(weighted_total(target.unary_terms(ch, c[i : i + 1]), target.rules, (1,))[0])
            for i in range(len(c))
        ]
        for ch, c in zip(chords, cands, strict=True)
    ]
    pair = [
        [
            [
                float(
                    weighted_total(
                        target.pair_terms(
                            chords[t], cands[t][i : i + 1], chords[t + 1], cands[t + 1][j : j + 1]
                        ),
                        target.rules,
                        (1, 1),
                    )[0, 0]
                )
                for j in range(len(cands[t + 1]))
            ]
            for i in range(len(cands[t]))
        ]
        for t in range(len(prog) - 1)
    ]
    scored = []
    for path in itertools.product(*(range(len(c)) for c in cands)):
        cost = sum(unary[t][i] for t, i in enumerate(path))
        cost += sum(pair[t][path[t]][path[t + 1]] for t in range(len(path) - 1))
        scored.append((cost, [tuple(int(v) for v in cands[t][i]) for t, i in enumerate(path)]))
    scored.sort(key=lambda item: item[0])
    got = suggest(prog, "satb", 8, {"min_changes": 1})
    assert [s.cost for s in got] == pytest.approx([c for c, _ in scored[:8]])
    assert got[0].voicings == scored[0][1] or scored[0][0] == scored[1][0]


@pytest.mark.parametrize("target", ["satb", "piano", "guitar"])
def test_suggestions_sorted_distinct_and_diverse(target: str) -> None:
    found = suggest(PROGRESSION, target, 5)
    assert len(found) == 5
    costs = [s.cost for s in found]
    assert costs == sorted(costs)
    assert [s.rank for s in found] == [1, 2, 3, 4, 5]
    for a, b in itertools.combinations(found, 2):
        differing = sum(1 for x, y in zip(a.voicings, b.voicings, strict=True) if x != y)
        assert differing >= 3  # default diversity for 9 chords
    for s in found:
        assert sum(s.breakdown.values()) == pytest.approx(s.cost)
        assert sum(sum(c.values()) for c in s.per_chord) == pytest.approx(s.cost)
        assert s.to_dict()["cost"] == pytest.approx(s.cost, abs=1e-3)


def test_min_changes_is_honoured() -> None:
    found = suggest(PROGRESSION, "satb", 4, {"min_changes": 5})
    for a, b in itertools.combinations(found, 2):
        assert sum(1 for x, y in zip(a.voicings, b.voicings, strict=True) if x != y) >= 5


def test_diverse_k_best_tops_up_when_the_list_is_too_similar() -> None:
    # Ten chords, two options each, all cheap alternatives differ in one chord only.
    unary = [np.array([0.0, 0.1]) for _ in range(10)]
    pair = [np.zeros((2, 2)) for _ in range(9)]
    found = diverse_k_best(unary, pair, 3, 4)
    assert len(found) == 3
    for (_, a), (_, b) in itertools.combinations(found, 2):
        assert changes(a, b) >= 4
    assert [c for c, _ in found] == sorted(c for c, _ in found)


def test_fixed_notes_are_respected() -> None:
    soprano = [72, 72, 72, 71, 72]
    prog = [
        {"symbol": s, "fixed": {"soprano": m}}
        for s, m in zip(["C", "Am", "F", "G7", "C"], soprano, strict=True)
    ]
    for s in suggest(prog, "satb", 3):
        assert [c["soprano"] for c in s.chords] == soprano
    melody = [
        {"symbol": "Cmaj7", "fixed": {"melody": 76}},
        {"symbol": "Fmaj7", "fixed": {"melody": 77}},
    ]
    for s in suggest(melody, "piano", 3):
        assert [max(c["right"]) for c in s.chords] == [76, 77]
    guitar = [{"symbol": "C", "fixed": {"melody": 64}}, {"symbol": "G", "fixed": {"bass": 43}}]
    for s in suggest(guitar, "guitar", 3):
        assert max(s.chords[0]["midi"]) == 64
        assert min(s.chords[1]["midi"]) == 43


@pytest.mark.parametrize(
    ("prog", "target", "code"),
    [
        ([{"symbol": "C", "fixed": {"soprano": 100}}], "satb", "fixed_out_of_range"),
        ([{"symbol": "C", "fixed": {"soprano": 60, "bass": 62}}], "satb", "no_voicing"),
        ([{"symbol": "C", "fixed": {"descant": 72}}], "satb", "bad_fixed"),
        (["C", "Qm7"], "satb", "unknown_chord_symbol"),
        ([{"symbol": "C", "fixed": {"melody": 40}}], "piano", "no_voicing"),
        ([{"symbol": "C", "fixed": {"melody": 100}}], "guitar", "no_voicing"),
        ([{"pitch_classes": ["x"]}], "satb", "bad_chord"),
        ([], "satb", "bad_progression"),
        (["C"], "banjo", "unknown_target"),
        (["C", "G"], "satb", "bad_options"),
    ],
)
def test_impossible_requests_raise_clear_errors(prog: list[Any], target: str, code: str) -> None:
    options = {"min_changes": 0} if code == "bad_options" else None
    with pytest.raises(VoicingError) as err:
        suggest(prog, target, 3, options)
    assert err.value.code == code
    assert err.value.message
    # Written for musicians: notes by name, never a Python dict or list repr.
    assert not any(c in err.value.message for c in "{}"), err.value.message


def test_fixed_notes_are_named_in_no_voicing_errors() -> None:
    with pytest.raises(VoicingError) as err:
        suggest([{"symbol": "C", "fixed": {"soprano": 60, "bass": 62}}], "satb", 3)
    assert "soprano C4" in err.value.message and "bass D4" in err.value.message
    with pytest.raises(VoicingError) as err:
        suggest([{"symbol": "C", "fixed": {"melody": 40}}], "piano", 3)
    assert "melody E2" in err.value.message


def test_unknown_options_and_bad_weights_are_refused() -> None:
    with pytest.raises(VoicingError, match="unknown options"):
        suggest(["C"], "satb", 1, {"colour": "blue"})
    with pytest.raises(VoicingError) as err:
        suggest(["C"], "satb", 1, {"rules": {"movement": "lots"}})
    assert err.value.code == "bad_options"


def test_error_names_the_chord() -> None:
    with pytest.raises(VoicingError) as err:
        suggest(["C", "F", {"symbol": "G", "fixed": {"soprano": 30}}], "satb", 1)
    assert err.value.chord_index == 2
    assert "chord 3" in err.value.message


def test_no_chord_in_the_middle_is_skipped() -> None:
    found = suggest(["C", "N.C.", "G7", "C"], "satb", 2)
    assert found[0].chords[1] == {"soprano": None, "alto": None, "tenor": None, "bass": None}
    assert found[0].voicings[1] == ()


@pytest.mark.parametrize("target", ["satb", "piano", "guitar"])
def test_melody_outside_the_chord_is_kept_on_top(target: str) -> None:
    # D5 over C major (a passing tone) and F4 over G7 sus-like: non-chord melody notes.
    key = "soprano" if target == "satb" else "melody"
    top = 74 if target != "guitar" else 62
    prog = [{"symbol": "C", "fixed": {key: top}}, {"symbol": "G7", "fixed": {key: top - 1}}]
    for s in suggest(prog, target, 2):
        tops = [max(v) for v in s.voicings]
        assert tops == [top, top - 1]
