"""``suggest``: read a progression, build candidates and costs, search, explain.

The one place that joins parsing, an instrument target and the search. Pure (no Flask,
no SQL, no music21).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .chords import ChordSpec
from .common import Fixed, FloatArray, IntArray, Target, Terms, weighted_total
from .errors import VoicingError
from .guitar import DEFAULT_WEIGHTS as GUITAR_WEIGHTS
from .guitar import GuitarTarget
from .piano import DEFAULT_WEIGHTS as PIANO_WEIGHTS
from .piano import PianoTarget
from .rules import Rules
from .satb import DEFAULT_WEIGHTS as SATB_WEIGHTS
from .satb import SatbTarget
from .search import diverse_k_best
from .symbols import parse_symbol

TARGETS = ("satb", "piano", "guitar")
MAX_CHORDS = 512
MAX_K = 50
OPTION_NAMES = {
    "rules",
    "min_changes",
    "max_candidates",
    "styles",
    "tuning",
    "max_fret",
    "max_span",
}


@dataclass
class Suggestion:
    """One voiced progression: per-chord voicings, cost with named terms, and the reasons."""

    target: str
    rank: int
    voicings: list[tuple[int, ...]]
    chords: list[dict[str, Any]]
    cost: float
    breakdown: dict[str, float]
    per_chord: list[dict[str, float]]
    explanation: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "rank": self.rank,
            "cost": round(self.cost, 4),
            "chords": self.chords,
            "breakdown": {k: round(v, 4) for k, v in self.breakdown.items()},
            "per_chord": [{k: round(v, 4) for k, v in c.items()} for c in self.per_chord],
            "explanation": self.explanation,
        }


def read_chord(item: Any, index: int) -> tuple[ChordSpec, Fixed]:
    """One progression entry: a symbol string, ``{"symbol": ...}`` or pitch classes."""
    fixed: Fixed = {}
    if isinstance(item, ChordSpec):
        return item, fixed
    if isinstance(item, str):
        return _parse(item, index), fixed
    if not isinstance(item, dict):
        raise VoicingError("bad_chord", f"chord {index + 1}: expected a symbol or an object")
    raw_fixed = item.get("fixed", {})
    if not isinstance(raw_fixed, dict):
        raise VoicingError("bad_fixed", f"chord {index + 1}: 'fixed' must be an object")
    fixed = dict(raw_fixed)
    if "symbol" in item:
        return _parse(item["symbol"], index), fixed
    if "pitch_classes" in item:
        pcs, bass = item["pitch_classes"], item.get("bass")
        if not isinstance(pcs, list) or not all(
            isinstance(pc, int) and not isinstance(pc, bool) for pc in pcs
        ):
            raise VoicingError(
                "bad_chord", f"chord {index + 1}: pitch_classes must be a list of integers"
            )
        if bass is not None and (not isinstance(bass, int) or isinstance(bass, bool)):
            raise VoicingError("bad_chord", f"chord {index + 1}: bass must be an integer")
        if not pcs:
            return ChordSpec.rest("N.C."), fixed
        return ChordSpec.from_pitch_classes(pcs, bass, root=item.get("root")), fixed
    raise VoicingError("bad_chord", f"chord {index + 1}: give 'symbol' or 'pitch_classes'")


def _parse(symbol: Any, index: int) -> ChordSpec:
    try:
        return parse_symbol(symbol)
    except VoicingError as err:
        raise VoicingError(
            err.code, f"chord {index + 1}: {err.message}", chord_index=index
        ) from err


def make_target(name: str, options: dict[str, Any]) -> Target:
    rules = options.get("rules")
    if name == "satb":
        return SatbTarget(_rules(rules, SATB_WEIGHTS))
    if name == "piano":
        return PianoTarget(_rules(rules, PIANO_WEIGHTS), styles=options.get("styles"))
    if name == "guitar":
        return GuitarTarget(
            _rules(rules, GUITAR_WEIGHTS),
            tuning=options.get("tuning"),
            max_fret=options.get("max_fret", 12),
            max_span=options.get("max_span", 4),
        )
    raise VoicingError("unknown_target", f"target must be one of {', '.join(TARGETS)}: {name!r}")


def _rules(given: Any, defaults: dict[str, float]) -> Rules:
    """Defaults, overridden by a ``Rules`` object or a dict of weights."""
    if given is None:
        return Rules(dict(defaults))
    if isinstance(given, Rules):
        return Rules({**defaults, **given.weights})
    if isinstance(given, dict) and all(isinstance(v, int | float) for v in given.values()):
        return Rules({**defaults, **{str(k): float(v) for k, v in given.items()}})
    raise VoicingError("bad_options", "rules must map term names to numbers")


def suggest(
    progression: list[Any],
    target: str = "satb",
    k: int = 5,
    options: dict[str, Any] | None = None,
) -> list[Suggestion]:
    """Up to ``k`` voicings of the progression, cheapest first; see ``docs/voicing.md``.

    Options: ``rules`` (a ``Rules`` or ``{term: weight}``), ``min_changes`` (diversity),
    ``max_candidates`` (per chord, after unary pruning), and per target ``styles``
    (piano) or ``tuning``, ``max_fret``, ``max_span`` (guitar).
    """
    opts = dict(options or {})
    unknown = set(opts) - OPTION_NAMES
    if unknown:
        raise VoicingError("bad_options", f"unknown options {sorted(unknown)}")
    for name in ("min_changes", "max_candidates"):
        value = opts.get(name, 1)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise VoicingError("bad_options", f"{name} must be a positive integer")
    if not isinstance(progression, list) or not progression:
        raise VoicingError("bad_progression", "the progression must be a non-empty list of chords")
    if len(progression) > MAX_CHORDS:
        raise VoicingError("bad_progression", f"at most {MAX_CHORDS} chords per request")
    if not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise VoicingError("bad_options", f"k must be an integer 1..{MAX_K}")
    tgt = make_target(target, opts)
    chords, fixeds = zip(*(read_chord(item, i) for i, item in enumerate(progression)), strict=True)
    min_changes = int(opts.get("min_changes", default_min_changes(len(chords))))
    problem = _build(tgt, list(chords), list(fixeds), int(opts.get("max_candidates", 64)))
    labels = [_labels(tgt, c) for c in problem.cands]
    found = diverse_k_best(problem.unary, problem.pair, k, min_changes, labels)
    return [_explain(tgt, problem, rank, cost, path) for rank, (cost, path) in enumerate(found, 1)]


def _labels(tgt: Target, cands: IntArray) -> Any:
    """One label per candidate: candidates with the same diversity key count as one.

    Only equality of labels matters (the search compares them), so they are numbered in
    order of first appearance: a dict of row tuples is ~5x faster than ``np.unique`` by rows.
    """
    ids: dict[tuple[int, ...], int] = {}
    rows = tgt.diversity_keys(cands).tolist()
    return np.array([ids.setdefault(tuple(row), len(ids)) for row in rows], dtype=np.int64)


@dataclass
class _Problem:
    """Candidates and costs for one request: what the search and the explanation read."""

    chords: list[ChordSpec]
    cands: list[IntArray]
    unary_terms: list[Terms]
    unary: list[FloatArray]
    pair_terms: list[Terms]
    pair: list[FloatArray]


def _build(
    tgt: Target, chords: list[ChordSpec], fixeds: list[Fixed], max_candidates: int
) -> _Problem:
    problem = _Problem(chords, [], [], [], [], [])
    memo: dict[tuple[Any, ...], tuple[IntArray, Terms, FloatArray]] = {}
    keys: list[tuple[Any, ...]] = []
    for i, (chord, fixed) in enumerate(zip(chords, fixeds, strict=True)):
        key = (chord, tuple(sorted((str(name), repr(v)) for name, v in fixed.items())))
        keys.append(key)
        if key not in memo:
            c = tgt.candidates(chord, fixed, i)
            terms = tgt.unary_terms(chord, c)
            total = weighted_total(terms, tgt.rules, (c.shape[0],))
            if c.shape[0] > max_candidates:
                # Prune to the cheapest by unary cost; fixed notes were applied before this.
                keep = np.sort(np.argsort(total, kind="stable")[:max_candidates])
                c, total = c[keep], total[keep]
                terms = {name: values[keep] for name, values in terms.items()}
            memo[key] = (c, terms, total)
        c, terms, total = memo[key]
        problem.cands.append(c)
        problem.unary_terms.append(terms)
        problem.unary.append(total)
    pair_memo: dict[tuple[Any, ...], tuple[Terms, FloatArray]] = {}
    cands = problem.cands
    for t in range(len(chords) - 1):
        # Repeated chord changes (a turnaround played four times) share one cost matrix.
        pair_key = (keys[t], keys[t + 1])
        if pair_key not in pair_memo:
            terms = tgt.pair_terms(chords[t], cands[t], chords[t + 1], cands[t + 1])
            shape = (cands[t].shape[0], cands[t + 1].shape[0])
            pair_memo[pair_key] = (terms, weighted_total(terms, tgt.rules, shape))
        terms, total = pair_memo[pair_key]
        problem.pair_terms.append(terms)
        problem.pair.append(total)
    return problem


def _explain(
    tgt: Target, problem: _Problem, rank: int, cost: float, path: tuple[int, ...]
) -> Suggestion:
    """Per-chord weighted terms, their sums, and the named rule notes for one path."""
    chords = problem.chords
    raw = [tuple(int(v) for v in problem.cands[t][i]) for t, i in enumerate(path)]
    per_chord: list[dict[str, float]] = []
    explanation: list[str] = []
    for t, i in enumerate(path):
        row = {
            name: tgt.rules.weight(name) * float(values[i])
            for name, values in problem.unary_terms[t].items()
        }
        notes = tgt.unary_notes(t, chords[t], raw[t])
        if t > 0:
            for name, values in problem.pair_terms[t - 1].items():
                row[name] = tgt.rules.weight(name) * float(values[path[t - 1], i])
            notes += tgt.pair_notes(t, chords[t - 1], raw[t - 1], chords[t], raw[t])
        # A switched-off rule (weight 0) is not a reason any more: do not report it.
        explanation += [text for term, text in notes if tgt.rules.weight(term) > 0]
        per_chord.append({name: v for name, v in row.items() if v})
    breakdown: dict[str, float] = {}
    for row in per_chord:
        for name, value in row.items():
            breakdown[name] = breakdown.get(name, 0.0) + value
    return Suggestion(
        target=tgt.name,
        rank=rank,
        voicings=[tgt.sounding(v) for v in raw],
        chords=[tgt.render(ch, v) for ch, v in zip(chords, raw, strict=True)],
        cost=cost,
        breakdown=dict(sorted(breakdown.items(), key=lambda kv: -kv[1])),
        per_chord=per_chord,
        explanation=explanation,
    )


def default_min_changes(n: int) -> int:
    """Diversity default: 1 chord for up to 4 chords, 2 up to 8, then 3.

    >>> [default_min_changes(n) for n in (1, 4, 5, 8, 9, 32)]
    [1, 1, 2, 2, 3, 3]
    """
    return min(3, max(1, (n + 3) // 4))
