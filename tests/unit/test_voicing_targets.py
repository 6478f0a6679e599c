"""Instrument targets: SATB voice rules, piano hands and styles, guitar shapes and tunings."""

from __future__ import annotations

import pytest

from server.voicing import parse_symbol, suggest
from server.voicing.guitar import TUNINGS, GuitarTarget, fingers_needed
from server.voicing.piano import STYLES, PianoTarget
from server.voicing.satb import HARD_RANGE, SatbTarget

JAZZ = ["Dm7", "G7", "Cmaj7", "A7(b9)", "Dm9", "G13", "Cmaj7", "F#m7b5", "B7", "Em7"]


def test_satb_candidates_keep_voice_order_and_ranges() -> None:
    target = SatbTarget()
    for symbol in ("C", "G7/B", "F#m7b5", "Ebsus4", "C6/9"):
        chord = parse_symbol(symbol)
        for s, a, t, b in target.candidates(chord, {}, 0).tolist():
            assert b <= t <= a <= s
            assert b % 12 == chord.bass
            for voice, note in zip(("soprano", "alto", "tenor", "bass"), (s, a, t, b), strict=True):
                low, high = HARD_RANGE[voice]
                assert low <= note <= high


def test_satb_dominant_to_tonic_resolves_tendency_tones() -> None:
    for s in suggest(["C", "F", "G7", "C"], "satb", 3):
        g7, tonic = s.chords[2], s.chords[3]
        for voice in ("soprano", "alto", "tenor", "bass"):
            if g7[voice] % 12 == 11 and voice in ("soprano", "bass"):
                assert tonic[voice] == g7[voice] + 1  # outer-voice leading tone rises
            if g7[voice] % 12 == 5:
                assert g7[voice] - tonic[voice] in (1, 2)  # the seventh falls by step
        assert not [n for n in s.explanation if "parallel" in n]


def test_piano_hands_are_playable() -> None:
    for s in suggest(JAZZ, "piano", 5):
        for chord in s.chords:
            left, right = chord["left"], chord["right"]
            assert max(left) < min(right)
            assert max(left) - min(left) <= 16
            assert max(right) - min(right) <= 16
            assert chord["style"] in STYLES


@pytest.mark.parametrize("style", ["drop2", "rootless_a", "rootless_b", "drop3", "close"])
def test_piano_styles_can_be_forced(style: str) -> None:
    target = PianoTarget(styles=[style])
    chord = parse_symbol("Dm9")
    cands = target.candidates(chord, {}, 0)
    assert len(cands) > 0
    found = suggest(["Dm9", "G13", "Cmaj9"], "piano", 1, {"styles": [style]})[0]
    assert {c["style"] for c in found.chords} == {style}
    if style.startswith("rootless"):
        for c, sym in zip(found.chords, ["Dm9", "G13", "Cmaj9"], strict=True):
            assert parse_symbol(sym).root not in {m % 12 for m in c["right"]}
    if style == "drop2":
        right = found.chords[0]["right"]
        assert len(right) == 4 and right[-1] - right[0] > 12 - 1  # spread past the octave


def test_guitar_shapes_are_playable() -> None:
    target = GuitarTarget()
    for symbol in ("C", "G7/B", "F", "Bb13", "F#m7b5", "Ebsus4"):
        chord = parse_symbol(symbol)
        shapes = target.candidates(chord, {}, 0)
        assert len(shapes) > 0
        for row in shapes.tolist():
            fretted = [f for f in row if f > 0]
            if fretted:
                assert max(fretted) - min(fretted) + 1 <= 5
            sounding = [o + f for o, f in zip(TUNINGS["standard"], row, strict=True) if f >= 0]
            assert len(sounding) >= 3
            assert sounding[0] % 12 == chord.bass and sounding[0] == min(sounding)
            assert all(m % 12 in chord.pcs for m in sounding)
        assert (fingers_needed(shapes) <= 4).all()


def test_guitar_finds_open_shapes_first() -> None:
    best = suggest(["C", "Am", "Dm", "G7", "C"], "guitar", 1)[0]
    assert best.chords[0]["frets"] == [None, 3, 2, 0, 1, 0]
    assert best.chords[3]["frets"] == [3, 2, 0, 0, 0, 1]


@pytest.mark.parametrize("tuning", ["drop_d", "dadgad", "open_g", [40, 45, 50, 55, 59, 64, 69]])
def test_guitar_alternate_tunings(tuning: object) -> None:
    found = suggest(["D", "G", "A7", "D"], "guitar", 2, {"tuning": tuning})
    strings = len(tuning) if isinstance(tuning, list) else 6
    assert all(len(c["frets"]) == strings for s in found for c in s.chords)


def test_fingers_of_one_shape_matches_the_array_rule() -> None:
    """The explanation's plain-Python count is the cost term's numpy rule, on every shape."""
    import itertools

    import numpy as np

    from server.voicing.guitar import _fingers_of, fingers_needed

    frets = (-1, 0, 1, 2, 3, 5)
    shapes = list(itertools.product(frets, repeat=6))
    expected = fingers_needed(np.array(shapes, dtype=np.int64))
    assert [_fingers_of(s) for s in shapes] == [int(v) for v in expected]


def test_piano_rows_keep_exactly_the_playable_rows() -> None:
    """``piano_rows`` checks each hand once; the rows are those of the plain per-row rule."""
    import random

    from server.voicing.chords import ChordSpec
    from server.voicing.piano import STYLES, left_hands, piano_rows, playable, right_hands
    from server.voicing.symbols import KIND_INTERVALS

    def reference(chord: ChordSpec, styles: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
        rows = set()
        free = [(*lh, *([-1] * (2 - len(lh)))) for lh in left_hands(chord, None)]
        for style in styles:
            for extra, right in right_hands(chord, style):
                lefts = free if extra is None else left_hands(chord, extra)
                tail = (*right, *([-1] * (4 - len(right))), STYLES.index(style))
                rows |= {
                    (*lh, *tail)
                    for lh in lefts
                    if (extra is None or len(lh) == 2) and playable((*lh, *tail))
                }
        return tuple(sorted(rows))

    rng = random.Random(3)
    chords = [
        ChordSpec.from_pitch_classes([(root + i) % 12 for i in kind], (root + kind[-1]) % 12)
        for root in range(0, 12, 5)
        for kind in KIND_INTERVALS.values()
    ]
    for _ in range(40):
        pcs = rng.sample(range(12), rng.randint(2, 6))
        chords.append(ChordSpec.from_pitch_classes(pcs, rng.choice(pcs)))
    for chord in chords:
        for styles in (STYLES, (rng.choice(STYLES),)):
            assert piano_rows.__wrapped__(chord, styles) == reference(chord, styles)
