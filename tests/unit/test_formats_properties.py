"""Random edited scores survive export and import: MusicXML keeps the notation, MIDI the
sounding notes. Scores come from the shared random-edit generator. Our own exports are
trusted, so they are read in-process. TUTTI_FORMATS_EXAMPLES=N runs N examples (20)."""

from __future__ import annotations

import os
import random
from fractions import Fraction as F

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from server.formats import FormatError, export_score, import_score
from server.formats.compare import musical_content, sounding_notes
from server.score import InvalidOp, apply_edit, check_invariants, new_document
from server.score.model import Doc
from tests.support.score_gen import IdSource, random_edit

EXAMPLES = int(os.environ.get("TUTTI_FORMATS_EXAMPLES", "20"))


def random_score(seed: int, edits: int = 25) -> Doc:
    rng = random.Random(seed)
    doc = new_document(
        parts=[{"name": "Soprano"}, {"name": "Bass", "clef": "bass"}][: rng.randint(1, 2)],
        measures=rng.randint(1, 4),
        time=rng.choice([[4, 4], [3, 4], [6, 8]]),
    )
    new_id = IdSource("x")
    for _ in range(edits):
        try:
            apply_edit(doc, random_edit(doc, rng, new_id))
        except InvalidOp:
            pass
    assert check_invariants(doc) == []
    return doc


def check_musicxml(seed: int) -> None:
    doc = random_score(seed)
    again = import_score(export_score(doc, "musicxml"), "random.musicxml", isolated=False)
    again.doc["title"] = doc["title"]  # an empty title comes back as the file name
    assert musical_content(again.doc) == musical_content(doc)
    assert again.report == []


def unison_overlap(part: list[tuple[F, int, F]]) -> bool:
    """Two notes of one pitch sounding at once in a part: MIDI (one channel) cannot
    say which note-off ends which note, so such scores cannot round-trip."""
    ends: dict[int, F] = {}
    for onset, pitch, length in part:  # sorted by onset
        if onset < ends.get(pitch, F(-1)):
            return True
        ends[pitch] = max(ends.get(pitch, onset), onset + length)
    return False


def check_midi(seed: int) -> bool:
    """Checks the MIDI round trip; False when the score cannot make one (unisons)."""
    doc = random_score(seed)
    expected = [part for part in sounding_notes(doc) if part]  # a silent part has no track
    if any(unison_overlap(part) for part in expected):
        return False
    try:
        again = import_score(export_score(doc, "midi"), "random.mid", isolated=False)
    except FormatError as exc:
        assert not expected and exc.code == "empty_score"
        return True
    assert sounding_notes(again.doc) == expected
    return True


@settings(max_examples=EXAMPLES, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_musicxml_round_trip_keeps_the_notation(seed: int) -> None:
    check_musicxml(seed)


@settings(max_examples=EXAMPLES, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_midi_round_trip_keeps_the_sounding_notes(seed: int) -> None:
    assume(check_midi(seed))


@pytest.mark.parametrize("seed", [15, 92, 135, 138, 171])
def test_seeds_that_once_failed(seed: int) -> None:
    """All-rest voices, silent parts, overlapping notes in a MIDI track, an exact
    triplet the quantiser stretched, a dynamic inside a triplet (rounded offset)."""
    check_musicxml(seed)
    assert check_midi(seed)
