"""Chord-symbol parsing: the listed spellings, the music21 traps, clear refusals."""

from __future__ import annotations

import pytest

from server.voicing import ChordSpec, VoicingError, parse_symbol
from server.voicing.symbols import _QUALITY_ALIASES, KIND_INTERVALS


def pcs(*names: str) -> tuple[int, ...]:
    table = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
    return tuple(sorted((table[n[0]] + n.count("#") - n.count("b")) % 12 for n in names))


@pytest.mark.parametrize(
    ("symbol", "tones", "root", "bass"),
    [
        ("Cmaj7", ("C", "E", "G", "B"), "C", "C"),
        ("CM7", ("C", "E", "G", "B"), "C", "C"),
        ("CΔ7", ("C", "E", "G", "B"), "C", "C"),
        ("G7/B", ("G", "B", "D", "F"), "G", "B"),
        ("F#m7b5", ("F#", "A", "C", "E"), "F#", "F#"),
        ("F#ø7", ("F#", "A", "C", "E"), "F#", "F#"),
        ("F#ø", ("F#", "A", "C", "E"), "F#", "F#"),
        ("Bb13", ("Bb", "D", "F", "Ab", "C", "Eb", "G"), "Bb", "Bb"),
        ("Bb7", ("Bb", "D", "F", "Ab"), "Bb", "Bb"),
        ("Ebsus4", ("Eb", "Ab", "Bb"), "Eb", "Eb"),
        ("Ebsus", ("Eb", "Ab", "Bb"), "Eb", "Eb"),
        ("C6/9", ("C", "E", "G", "A", "D"), "C", "C"),
        ("D7(b9)", ("D", "F#", "A", "C", "Eb"), "D", "D"),
        ("D7b9", ("D", "F#", "A", "C", "Eb"), "D", "D"),
        ("C°7", ("C", "Eb", "Gb", "A"), "C", "C"),
        ("Co7", ("C", "Eb", "Gb", "A"), "C", "C"),
        ("C°", ("C", "Eb", "Gb"), "C", "C"),
        ("Cm(maj7)", ("C", "Eb", "G", "B"), "C", "C"),
        ("C13b9", ("C", "E", "G", "Bb", "Db", "F", "A"), "C", "C"),
        ("Ab7#11", ("Ab", "C", "Eb", "Gb", "D"), "Ab", "Ab"),
        ("Bbm7/Ab", ("Bb", "Db", "F", "Ab"), "Bb", "Ab"),
        ("Em7-5", ("E", "G", "Bb", "D"), "E", "E"),
        ("C7(b9,#11)", ("C", "E", "G", "Bb", "Db", "F#"), "C", "C"),
        ("Cmaj9", ("C", "E", "G", "B", "D"), "C", "C"),
    ],
)
def test_symbol_pitch_classes(symbol: str, tones: tuple[str, ...], root: str, bass: str) -> None:
    chord = parse_symbol(symbol)
    assert chord.pcs == pcs(*tones)
    assert chord.root == pcs(root)[0]
    assert chord.bass == pcs(bass)[0]


def test_roles_follow_the_root() -> None:
    chord = parse_symbol("G7/B")
    assert chord.role_of(11) == "third"
    assert chord.role_of(5) == "seventh"
    assert chord.is_dominant
    assert parse_symbol("Bdim").is_diminished


@pytest.mark.parametrize("text", ["N.C.", "NC", "N.C"])
def test_no_chord(text: str) -> None:
    assert parse_symbol(text).is_rest


@pytest.mark.parametrize("text", ["Cxyz", "H7", "C7alt", "", "Q", "C7(b10)"])
def test_unknown_symbols_are_reported_not_guessed(text: str) -> None:
    with pytest.raises(VoicingError) as err:
        parse_symbol(text)
    assert err.value.code == "unknown_chord_symbol"
    assert repr(text) in err.value.message


def test_parses_are_cached() -> None:
    parse_symbol.cache_clear()
    parse_symbol("Dm7")
    parse_symbol("Dm7")
    assert parse_symbol.cache_info().hits >= 1


def test_pitch_class_input_infers_root() -> None:
    chord = ChordSpec.from_pitch_classes([0, 4, 9], bass=4)
    assert chord.root == 9
    assert chord.role_of(4) == "fifth"
    with pytest.raises(VoicingError):
        ChordSpec.from_pitch_classes([])


@pytest.mark.parametrize("kind", sorted(KIND_INTERVALS))
def test_kind_table_is_what_music21_spells_for_every_root(kind: str) -> None:
    """``KIND_INTERVALS`` replaced a music21 call per symbol: same pitch classes, any root."""
    from music21 import harmony

    for letter in "ABCDEFG":
        for accidental in ("", "#", "b", "##", "bb"):
            chord = harmony.ChordSymbol(letter + accidental.replace("b", "-") + kind)
            root = chord.root().pitchClass
            assert root == (pcs(letter)[0] + accidental.count("#") - accidental.count("b")) % 12
            spelled = {(p.pitchClass - root) % 12 for p in chord.pitches}
            assert spelled == set(KIND_INTERVALS[kind]), (letter + accidental, kind)


def test_every_quality_spelling_has_a_kind() -> None:
    assert set(_QUALITY_ALIASES.values()) == set(KIND_INTERVALS)


def test_parsing_a_symbol_never_imports_music21() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from server.voicing import parse_symbol, suggest; "
        "parse_symbol('G13b9/B'); suggest(['C', 'Am7', 'F#m7b5', 'G7'], 'piano', 2); "
        "print('music21' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
