"""Shared cost terms and the ``Target`` protocol every instrument module implements.

Pure numpy over candidate arrays (one row per voicing, ``-1`` pads unused slots);
imports nothing outside ``server.voicing``.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from . import rules as r
from .chords import OMIT_WEIGHT, ChordSpec
from .rules import Rules

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Terms = dict[str, FloatArray]
Fixed = dict[str, Any]

_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def note_name(midi: int) -> str:
    """A MIDI number as musicians read it: 60 -> "C4"."""
    return f"{_NAMES[midi % 12]}{midi // 12 - 1}"


def fixed_text(fixed: Fixed) -> str:
    """Fixed notes in words for an error message: "melody C4, bass E2" (never a dict repr)."""
    parts = []
    for role, value in fixed.items():
        values = value if isinstance(value, list) else [value]
        shown = ", ".join(note_name(v) if isinstance(v, int) else str(v) for v in values)
        parts.append(f"{role} {shown}" if shown else role)
    return "; ".join(parts) or "none"


# Extra copies of a tone, by role: doubling the root is the norm, the seventh or a
# tendency tone resolves one way so a doubled one makes parallels or a fault.
DOUBLE_WEIGHT = {
    "root": 0.0,
    "fifth": 0.4,
    "third": 1.0,
    "seventh": 3.0,
    "ninth": 2.0,
    "eleventh": 1.5,
    "thirteenth": 2.0,
    "other": 2.0,
    "none": 2.0,
}
VOICE_NAMES = {"S": "soprano", "A": "alto", "T": "tenor", "B": "bass"}


class Target(Protocol):
    """What the search needs from an instrument: candidates, costs, notes, output.

    Notes are ``(term, text)``: the engine shows a note only while its term is switched on.
    """

    name: str
    rules: Rules

    def candidates(self, chord: ChordSpec, fixed: Fixed, index: int) -> IntArray: ...

    def unary_terms(self, chord: ChordSpec, cands: IntArray) -> Terms: ...

    def pair_terms(self, a: ChordSpec, ca: IntArray, b: ChordSpec, cb: IntArray) -> Terms: ...

    def unary_notes(
        self, index: int, chord: ChordSpec, voicing: tuple[int, ...]
    ) -> list[tuple[str, str]]: ...

    def pair_notes(
        self, index: int, a: ChordSpec, va: tuple[int, ...], b: ChordSpec, vb: tuple[int, ...]
    ) -> list[tuple[str, str]]: ...

    def render(self, chord: ChordSpec, voicing: tuple[int, ...]) -> dict[str, Any]: ...

    def sounding(self, voicing: tuple[int, ...]) -> tuple[int, ...]: ...

    def diversity_keys(self, cands: IntArray) -> IntArray: ...


def pc_counts(cands: IntArray) -> IntArray:
    """(N, 12) how many sounding notes of each pitch class every candidate has."""
    counts = np.zeros((cands.shape[0], 12), dtype=np.int64)
    rows = np.repeat(np.arange(cands.shape[0]), cands.shape[1])
    flat = cands.reshape(-1)
    sounding = flat >= 0
    np.add.at(counts, (rows[sounding], flat[sounding] % 12), 1)
    return counts


def missing_cost(chord: ChordSpec, counts: IntArray) -> FloatArray:
    """Role-weighted cost of the chord tones a candidate leaves out."""
    cost = np.zeros(counts.shape[0])
    for pc, role in zip(chord.pcs, chord.roles, strict=True):
        cost += (counts[:, pc] == 0) * OMIT_WEIGHT[role]
    return cost


def doubling_cost(chord: ChordSpec, counts: IntArray) -> FloatArray:
    """Role-weighted cost of extra copies; a doubled major third costs more than a minor one."""
    weights = np.full(12, DOUBLE_WEIGHT["none"])
    for pc, role in zip(chord.pcs, chord.roles, strict=True):
        weight = DOUBLE_WEIGHT[role]
        if role == "third" and (pc - chord.root) % 12 == 3:
            weight *= 0.5
        weights[pc] = weight
    extra = np.maximum(counts - 1, 0)
    out: FloatArray = (extra * weights[None, :]).sum(axis=1).astype(np.float64)
    return out


def tendency_pcs(a: ChordSpec, b: ChordSpec) -> tuple[int | None, int | None]:
    """(leading tone, seventh) of chord ``a`` that should resolve into chord ``b``.

    The leading tone is the third of a dominant whose root falls a fifth to b's root, or
    the root of a diminished chord a semitone below b's root. The seventh must resolve
    whenever the harmony changes.

    >>> from .symbols import parse_symbol
    >>> tendency_pcs(parse_symbol("G7"), parse_symbol("C"))
    (11, 5)
    >>> tendency_pcs(parse_symbol("G7"), parse_symbol("G7/B"))
    (None, None)
    """
    if a.is_rest or b.is_rest or a.pcs == b.pcs and a.root == b.root:
        return None, None
    leading: int | None = None
    if a.is_dominant and (b.root - a.root) % 12 == 5:
        leading = a.pc_with_role("third")
    elif a.is_diminished and (b.root - a.root) % 12 == 1:
        leading = a.root
    seventh = a.pc_with_role("seventh")
    if seventh is not None and seventh in b.pcs and (seventh - b.root) % 12 in (0, 7):
        seventh = None  # the seventh becomes a stable tone of the next chord: no pull
    return leading, seventh


def outer_voice_terms(a: ChordSpec, b: ChordSpec, xl: Any, xt: Any, yl: Any, yt: Any) -> Terms:
    """Pair terms on the lowest and highest notes, shared by the piano and guitar targets.

    ``xl``/``xt`` are chord ``a``'s bass and top as a column, ``yl``/``yt`` chord ``b``'s
    as a row, so every term is a (candidates of a) x (candidates of b) matrix.
    """
    parallel = r.parallel_fifths(xl, xt, yl, yt) | r.parallel_octaves(xl, xt, yl, yt)
    leading, seventh = tendency_pcs(a, b)
    lt = np.zeros(parallel.shape)
    sev = np.zeros(parallel.shape)
    if leading is not None:
        lt = ((xt % 12 == leading) & ~r.resolves_up_by_semitone(xt, yt)).astype(float)
    if seventh is not None:
        sev = ((xt % 12 == seventh) & ~r.resolves_down_by_step(xt, yt)).astype(float)
    return {
        "top_leap": r.leap_excess(xt, yt, 4).astype(np.float64),
        "bass_motion": np.abs(yl - xl).astype(np.float64),
        "parallel_outer": parallel.astype(np.float64),
        "hidden_outer": r.hidden_perfect(xl, xt, yl, yt).astype(np.float64),
        "leading_tone": lt,
        "seventh": sev,
    }


def weighted_total(terms: Terms, rules: Rules, size: tuple[int, ...]) -> FloatArray:
    total = np.zeros(size)
    for name, values in terms.items():
        weight = rules.weight(name)
        if weight:
            total = total + weight * values
    return total
