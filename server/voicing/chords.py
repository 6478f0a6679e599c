"""Chords as the engine sees them: pitch classes, a bass, a root and a role per tone.

Pure (no music21); ``ChordSpec.from_pitch_classes`` infers the root when only pitch
classes are given. Roles drive doubling, omission and tendency-tone rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import VoicingError

ROLES = ("root", "third", "fifth", "seventh", "ninth", "eleventh", "thirteenth", "other")
# Cost of leaving a tone out, by role: the fifth is the classic omission, the root
# and third define the chord, the seventh defines its function.
OMIT_WEIGHT = {
    "root": 4.0,
    "third": 4.0,
    "fifth": 1.0,
    "seventh": 3.0,
    "ninth": 2.0,
    "eleventh": 1.5,
    "thirteenth": 2.0,
    "other": 3.0,
}


@dataclass(frozen=True)
class ChordSpec:
    """One chord of a progression; ``pcs`` sorted, ``roles`` aligned with ``pcs``.

    ``pcs`` empty means "no chord" (N.C.): nothing is voiced there.
    """

    pcs: tuple[int, ...]
    bass: int
    root: int
    roles: tuple[str, ...]
    symbol: str | None = None

    @property
    def is_rest(self) -> bool:
        return not self.pcs

    def role_of(self, pc: int) -> str:
        """Role of a pitch class; ``"none"`` for a tone outside the chord."""
        pc %= 12
        for tone, role in zip(self.pcs, self.roles, strict=True):
            if tone == pc:
                return role
        return "none"

    def pc_with_role(self, role: str) -> int | None:
        for tone, tone_role in zip(self.pcs, self.roles, strict=True):
            if tone_role == role:
                return tone
        return None

    @property
    def is_dominant(self) -> bool:
        """Major third and (minor seventh or no seventh): can act as a dominant."""
        third = self.pc_with_role("third")
        seventh = self.pc_with_role("seventh")
        if third is None or (third - self.root) % 12 != 4:
            return False
        return seventh is None or (seventh - self.root) % 12 == 10

    @property
    def is_diminished(self) -> bool:
        third, fifth = self.pc_with_role("third"), self.pc_with_role("fifth")
        return (
            third is not None
            and fifth is not None
            and (third - self.root) % 12 == 3
            and (fifth - self.root) % 12 == 6
        )

    def label(self) -> str:
        if self.symbol is not None:
            return self.symbol
        return "{" + ",".join(str(pc) for pc in self.pcs) + f"}}/{self.bass}"

    @classmethod
    def rest(cls, symbol: str = "N.C.") -> ChordSpec:
        return cls(pcs=(), bass=-1, root=-1, roles=(), symbol=symbol)

    @classmethod
    def from_pitch_classes(
        cls,
        pcs: list[int] | tuple[int, ...] | set[int],
        bass: int | None = None,
        *,
        root: int | None = None,
        symbol: str | None = None,
    ) -> ChordSpec:
        """Build a chord from pitch classes; the root is inferred unless given.

        >>> c = ChordSpec.from_pitch_classes([7, 11, 2, 5], bass=11)
        >>> c.root, c.roles
        (7, ('fifth', 'seventh', 'root', 'third'))
        >>> ChordSpec.from_pitch_classes([0, 3, 6, 9]).roles
        ('root', 'third', 'fifth', 'seventh')
        """
        clean = sorted({int(pc) % 12 for pc in pcs})
        if not clean:
            raise VoicingError("empty_chord", "a chord needs at least one pitch class")
        if any(not isinstance(pc, int) or isinstance(pc, bool) for pc in pcs):
            raise VoicingError("bad_pitch_class", f"pitch classes must be integers: {pcs!r}")
        bass_pc = clean[0] if bass is None else int(bass) % 12
        if bass_pc not in clean:
            clean = sorted({*clean, bass_pc})
        root_pc = infer_root(tuple(clean), bass_pc) if root is None else root % 12
        roles = tuple(role_for_interval((pc - root_pc) % 12, clean, root_pc) for pc in clean)
        return cls(pcs=tuple(clean), bass=bass_pc, root=root_pc, roles=roles, symbol=symbol)


def _intervals(pcs: tuple[int, ...] | list[int], root: int) -> set[int]:
    return {(pc - root) % 12 for pc in pcs}


def infer_root(pcs: tuple[int, ...], bass: int) -> int:
    """Pick the tone that makes the chord stack best in thirds; ties go to the bass.

    >>> infer_root((0, 4, 9), bass=4)  # A minor, first inversion
    9
    >>> infer_root((2, 5, 7, 11), bass=5)  # G7 over F
    7
    """
    best, best_score = bass, -99.0
    for cand in pcs:
        ivs = _intervals(pcs, cand)
        score = 0.0
        score += 3.0 if (4 in ivs or 3 in ivs) else 0.0
        score += 2.0 if 7 in ivs else 0.0
        score += 1.5 if (6 in ivs and 3 in ivs and 7 not in ivs) else 0.0
        score += 1.5 if (8 in ivs and 4 in ivs and 7 not in ivs) else 0.0
        score += 1.0 if (10 in ivs or 11 in ivs) else 0.0
        score += 1.0 if (9 in ivs and 3 in ivs and 6 in ivs) else 0.0
        score -= 1.0 * sum(1 for iv in (1, 2, 5) if iv in ivs)
        score += 0.25 if cand == bass else 0.0
        if score > best_score:
            best, best_score = cand, score
    return best


def role_for_interval(iv: int, pcs: list[int] | tuple[int, ...], root: int) -> str:
    """Role of a tone ``iv`` semitones above the root, given the chord's other tones."""
    ivs = _intervals(pcs, root)
    has_minor3, has_major3 = 3 in ivs, 4 in ivs
    if iv == 0:
        return "root"
    if iv == 4:
        return "third"
    if iv == 3:
        return "ninth" if has_major3 else "third"  # a #9 beside a major third
    if iv == 7:
        return "fifth"
    if iv == 6:
        return "fifth" if 7 not in ivs else "eleventh"  # b5, unless a perfect fifth is there
    if iv == 8:
        return "fifth" if has_major3 and 7 not in ivs else "thirteenth"
    if iv in (10, 11):
        return "seventh"
    if iv == 9:
        diminished = has_minor3 and 6 in ivs and 10 not in ivs and 11 not in ivs
        return "seventh" if diminished else "thirteenth"
    if iv in (1, 2):
        return "ninth"
    if iv == 5:
        return "eleventh"
    return "other"
