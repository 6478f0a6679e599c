"""Chord symbols to ``ChordSpec``: spelling normalisation, the chord kind's intervals, a cache.

The intervals of each base kind (``KIND_INTERVALS``) are music21's (``harmony.ChordSymbol``),
written out once so that no request imports music21 (about 0.7 s) or builds its objects;
tests/unit/test_voicing_symbols.py checks the table against music21 for every kind and
root spelling. Alterations are applied by this module, because music21 silently drops or
misreads several of them (``C13b9`` loses the b9, ``Bb13`` becomes B major).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .chords import ChordSpec, role_for_interval
from .errors import VoicingError

NO_CHORD = {"N.C.", "N.C", "NC", "N/C", "n.c.", "nc"}
_ROOT = re.compile(r"^([A-G])([#b]{0,2})(.*)$")
_SLASH_BASS = re.compile(r"^(.*)/([A-G][#b]{0,2})$")
_TAIL_ALTERATION = re.compile(r"(add[b#]?(?:2|4|6|9|11|13)|[b#](?:5|9|11|13)|[-+]5)$")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

# Spellings people write -> the abbreviation music21 knows (see music21.harmony.CHORD_TYPES).
_QUALITY_ALIASES = {
    "": "",
    "M": "",
    "maj": "",
    "Maj": "",
    "m": "m",
    "min": "m",
    "mi": "m",
    "-": "m",
    "maj7": "maj7",
    "Maj7": "maj7",
    "M7": "maj7",
    "ma7": "maj7",
    "j7": "maj7",
    "maj9": "M9",
    "Maj9": "M9",
    "M9": "M9",
    "maj11": "M11",
    "M11": "M11",
    "maj13": "M13",
    "M13": "M13",
    "mM7": "mM7",
    "mmaj7": "mM7",
    "mMaj7": "mM7",
    "minmaj7": "mM7",
    "m#7": "mM7",
    "m7": "m7",
    "min7": "m7",
    "-7": "m7",
    "m9": "m9",
    "m11": "m11",
    "m13": "m13",
    "m6": "m6",
    "min6": "m6",
    "6": "6",
    "7": "7",
    "9": "9",
    "11": "11",
    "13": "13",
    "dom7": "7",
    "ø": "ø7",
    "ø7": "ø7",
    "Ø": "ø7",
    "Ø7": "ø7",
    "h7": "ø7",
    "o": "dim",
    "°": "dim",
    "dim": "dim",
    "o7": "dim7",
    "°7": "dim7",
    "dim7": "dim7",
    "+": "+",
    "aug": "+",
    "+7": "+7",
    "7+": "+7",
    "aug7": "+7",
    "+M7": "+M7",
    "sus": "sus4",
    "sus4": "sus4",
    "sus2": "sus2",
    "7sus": "7sus4",
    "7sus4": "7sus4",
    "5": "power",
}
# Semitones above the root of each base kind (the values of ``_QUALITY_ALIASES``), as
# music21's ``harmony.ChordSymbol`` spells them for every root.
KIND_INTERVALS: dict[str, tuple[int, ...]] = {
    "": (0, 4, 7),
    "m": (0, 3, 7),
    "dim": (0, 3, 6),
    "+": (0, 4, 8),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "power": (0, 7),
    "6": (0, 4, 7, 9),
    "m6": (0, 3, 7, 9),
    "7": (0, 4, 7, 10),
    "maj7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10),
    "mM7": (0, 3, 7, 11),
    "ø7": (0, 3, 6, 10),
    "dim7": (0, 3, 6, 9),
    "+7": (0, 4, 8, 10),
    "+M7": (0, 4, 8, 11),
    "7sus4": (0, 5, 7, 10),
    "9": (0, 2, 4, 7, 10),
    "M9": (0, 2, 4, 7, 11),
    "m9": (0, 2, 3, 7, 10),
    "11": (0, 2, 4, 5, 7, 10),
    "M11": (0, 2, 4, 5, 7, 11),
    "m11": (0, 2, 3, 5, 7, 10),
    "13": (0, 2, 4, 5, 7, 9, 10),
    "M13": (0, 2, 4, 5, 7, 9, 11),
    "m13": (0, 2, 3, 5, 7, 9, 10),
}
# Interval (semitones above the root) each alteration adds, and the ones it replaces.
_ALTERATIONS: dict[str, tuple[int, tuple[int, ...]]] = {
    "b5": (6, (7,)),
    "#5": (8, (7,)),
    "b9": (1, (2,)),
    "#9": (3, (2,)),
    "#11": (6, (5,)),
    "b13": (8, (9,)),
    "add2": (2, ()),
    "add9": (2, ()),
    "add4": (5, ()),
    "add11": (5, ()),
    "add#11": (6, ()),
    "add6": (9, ()),
    "add13": (9, ()),
    "addb9": (1, ()),
    "add#9": (3, ()),
    "addb13": (8, ()),
}


def _pc_of(name: str) -> int:
    return (_LETTER_PC[name[0]] + name.count("#") - name.count("b")) % 12


def _normalise(text: str) -> str:
    out = text.strip().replace("♭", "b").replace("♯", "#").replace("Δ", "maj")
    out = out.replace("−", "-").replace("º", "°").replace(" ", "")
    return out


def split_symbol(text: str) -> tuple[str, str, list[str], str | None]:
    """Split a symbol into root, base quality, alterations and slash bass.

    >>> split_symbol("F#m7b5")
    ('F#', 'm7', ['b5'], None)
    >>> split_symbol("D7(b9)")
    ('D', '7', ['b9'], None)
    >>> split_symbol("C6/9")
    ('C', '6', ['add9'], None)
    >>> split_symbol("Bbm7/Ab")
    ('Bb', 'm7', [], 'Ab')
    """
    norm = _normalise(text)
    match = _ROOT.match(norm)
    if match is None:
        raise VoicingError("unknown_chord_symbol", f"chord symbol {text!r} has no root A-G")
    letter, accidental, rest = match.groups()
    bass = None
    slash = _SLASH_BASS.match(rest)
    if slash is not None:
        rest, bass = slash.group(1), slash.group(2)
    for spelled in ("m(maj7)", "m(M7)", "m/maj7", "-maj7", "-(maj7)", "mΔ7"):
        rest = rest.replace(spelled, "mM7")
    rest = rest.replace("6/9", "69")
    alterations: list[str] = []
    for inner in re.findall(r"\(([^)]*)\)", rest):
        alterations.extend(tok for tok in re.split(r"[,/ ]+", inner) if tok)
    rest = re.sub(r"\([^)]*\)", "", rest)
    if rest.endswith("69"):
        rest, alterations = rest[:-2] + "6", ["add9", *alterations]
    tail: list[str] = []
    while True:
        found = _TAIL_ALTERATION.search(rest)
        if found is None:
            break
        tail.insert(0, found.group(0))
        rest = rest[: found.start()]
    alterations = [_canonical_alteration(tok, text) for tok in tail + alterations]
    return letter + accidental, rest, alterations, bass


def _canonical_alteration(token: str, text: str) -> str:
    tok = token.replace("-", "b").replace("+", "#")
    if tok in ("9", "11", "13", "2", "4", "6"):
        tok = "add" + tok
    if tok not in _ALTERATIONS:
        raise VoicingError(
            "unknown_chord_symbol", f"chord symbol {text!r}: alteration {token!r} not understood"
        )
    return tok


@lru_cache(maxsize=4096)
def parse_symbol(text: str) -> ChordSpec:
    """Parse a chord symbol, or raise ``VoicingError(code="unknown_chord_symbol")``.

    >>> parse_symbol("Bb7").pcs, parse_symbol("Bb7").root
    ((2, 5, 8, 10), 10)
    >>> parse_symbol("G7/B").bass
    11
    >>> parse_symbol("N.C.").is_rest
    True
    """
    if not isinstance(text, str):
        raise VoicingError("unknown_chord_symbol", f"chord symbol must be text, got {text!r}")
    if _normalise(text) in NO_CHORD:
        return ChordSpec.rest(text)
    root_name, quality, alterations, bass_name = split_symbol(text)
    base = _QUALITY_ALIASES.get(quality)
    if base is None:
        raise VoicingError(
            "unknown_chord_symbol", f"chord symbol {text!r}: quality {quality!r} not understood"
        )
    root = _pc_of(root_name)
    intervals = set(KIND_INTERVALS[base])
    for alteration in alterations:
        added, replaced = _ALTERATIONS[alteration]
        intervals -= set(replaced)
        intervals.add(added)
    bass = root if bass_name is None else _pc_of(bass_name)
    tones = sorted({(root + iv) % 12 for iv in intervals} | {bass})
    roles = tuple(role_for_interval((pc - root) % 12, tones, root) for pc in tones)
    return ChordSpec(pcs=tuple(tones), bass=bass, root=root, roles=roles, symbol=text)
