"""Voice-leading rules as pure predicates, and the ``Rules`` weights that switch them.

Each predicate takes MIDI numbers and is written with operators that work the same on
Python ints and on numpy arrays, so the search evaluates the very same rule on whole
candidate matrices by broadcasting. Imports nothing from the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

# An int, or a numpy array of ints: every predicate below is written for both.
Notes = Any


def interval_class(low: Notes, high: Notes) -> Notes:
    """Interval between two notes folded into one octave.

    >>> interval_class(48, 67)  # C3 up to G4: a compound fifth
    7
    """
    return (high - low) % 12


def parallel_fifths(a_low: Notes, a_high: Notes, b_low: Notes, b_high: Notes) -> Notes:
    """Two voices a (compound) fifth apart move to another fifth.

    C3-G3 moving up to D3-A3 is the textbook fault:

    >>> parallel_fifths(48, 55, 50, 57)
    True

    A fifth moving to a twelfth by contrary motion still counts (the ear hears it):

    >>> parallel_fifths(48, 55, 43, 62)
    True

    Repeating the same fifth is no motion at all:

    >>> parallel_fifths(48, 55, 48, 55)
    False

    A fifth to a sixth is fine:

    >>> parallel_fifths(48, 55, 50, 59)
    False

    Nor is a bass leaping an octave under a held fifth (the harmony has not moved):

    >>> parallel_fifths(48, 55, 36, 55)
    False
    """
    return (
        (interval_class(a_low, a_high) == 7)
        & (interval_class(b_low, b_high) == 7)
        & ((b_low - a_low) % 12 != 0)
    )


def parallel_octaves(a_low: Notes, a_high: Notes, b_low: Notes, b_high: Notes) -> Notes:
    """Two voices an octave (or unison) apart move to another octave or unison.

    >>> parallel_octaves(48, 60, 50, 62)
    True
    >>> parallel_octaves(48, 60, 50, 74)  # octave to double octave, still parallel
    True
    >>> parallel_octaves(48, 60, 50, 65)
    False
    >>> parallel_octaves(48, 60, 36, 60)  # octave leap against a held note
    False
    """
    return (
        (interval_class(a_low, a_high) == 0)
        & (interval_class(b_low, b_high) == 0)
        & ((b_low - a_low) % 12 != 0)
    )


def similar_motion(a_low: Notes, a_high: Notes, b_low: Notes, b_high: Notes) -> Notes:
    """Both voices move, in the same direction.

    >>> similar_motion(48, 60, 50, 64), similar_motion(48, 60, 47, 64)
    (True, False)
    """
    up = (b_low > a_low) & (b_high > a_high)
    down = (b_low < a_low) & (b_high < a_high)
    return up | down


def hidden_perfect(a_low: Notes, a_high: Notes, b_low: Notes, b_high: Notes) -> Notes:
    """Similar motion into a fifth or octave with a leap in the upper voice.

    The outer voices C3-E4 rising to G3-D5 reach a fifth by a leap in the soprano:

    >>> hidden_perfect(48, 64, 55, 74)
    True

    The same arrival by step in the soprano is the accepted exception:

    >>> hidden_perfect(50, 64, 55, 62)
    False

    A true parallel is a different fault, not a hidden one:

    >>> hidden_perfect(48, 55, 52, 59)
    False
    """
    target = interval_class(b_low, b_high)
    arrives_perfect = (target == 0) | (target == 7)
    changed = interval_class(a_low, a_high) != target
    leap = abs(b_high - a_high) > 2
    return arrives_perfect & changed & leap & similar_motion(a_low, a_high, b_low, b_high)


def voice_overlap(a_low: Notes, a_high: Notes, b_low: Notes, b_high: Notes) -> Notes:
    """A voice moves past where its neighbour just was.

    The tenor (lower) jumping above the alto's previous note overlaps it:

    >>> voice_overlap(60, 64, 65, 67)
    True
    >>> voice_overlap(60, 64, 62, 67)
    False
    """
    return (b_low > a_high) | (b_high < a_low)


def voice_crossing(low: Notes, high: Notes) -> Notes:
    """The lower voice sounds above the upper one.

    >>> voice_crossing(67, 64), voice_crossing(60, 64)
    (True, False)
    """
    return low > high


def excess(amount: Notes, limit: Notes) -> Notes:
    """How far ``amount`` goes past ``limit`` (zero when within it).

    >>> excess(15, 12), excess(9, 12)
    (3, 0)
    """
    over = amount - limit
    return (over > 0) * over


def spacing_excess(low: Notes, high: Notes, limit: int = 12) -> Notes:
    """Semitones by which two adjacent upper voices are more than ``limit`` apart.

    Soprano and alto an octave and a tone apart are two semitones too wide:

    >>> spacing_excess(60, 74)
    2
    """
    return excess(high - low, limit)


def range_excess(note: Notes, lowest: int, highest: int) -> Notes:
    """Semitones outside a voice's comfortable range.

    >>> range_excess(57, 60, 79), range_excess(65, 60, 79)
    (3, 0)
    """
    return excess(lowest, note) + excess(note, highest)


def leap_excess(a: Notes, b: Notes, limit: int = 4) -> Notes:
    """Semitones of melodic motion beyond ``limit`` (a major third by default).

    >>> leap_excess(60, 67), leap_excess(60, 62)
    (3, 0)
    """
    return excess(abs(b - a), limit)


def resolves_up_by_semitone(a: Notes, b: Notes) -> Notes:
    """A leading tone's resolution: up one semitone.

    >>> resolves_up_by_semitone(71, 72), resolves_up_by_semitone(71, 67)
    (True, False)
    """
    return (b - a) == 1


def resolves_down_by_step(a: Notes, b: Notes) -> Notes:
    """A seventh's resolution: down a semitone or a tone (or held as a common tone).

    >>> resolves_down_by_step(65, 64), resolves_down_by_step(65, 65)
    (True, True)
    >>> resolves_down_by_step(65, 67)
    False
    """
    step = a - b
    return (step >= 0) & (step <= 2)


@dataclass(frozen=True)
class Rules:
    """Weights for the named cost terms; weight 0 switches a rule off.

    >>> r = Rules(weights={"movement": 1.0, "parallel_fifths": 8.0})
    >>> r.without("parallel_fifths").weight("parallel_fifths")
    0.0
    >>> r.weight("unknown_term")
    0.0
    """

    weights: dict[str, float] = field(default_factory=dict)

    def weight(self, term: str) -> float:
        return float(self.weights.get(term, 0.0))

    def without(self, *terms: str) -> Rules:
        return replace(self, weights={**self.weights, **dict.fromkeys(terms, 0.0)})

    def with_weights(self, **weights: float) -> Rules:
        return replace(self, weights={**self.weights, **weights})
