"""MIDI in and out: exact files keep their rhythm (triplets included) and polyphony in
one track is split into voices; live-played files are quantised and say so."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from music21 import midi, note, stream

from server.formats import export_score, import_score
from server.formats.compare import sounding_notes
from server.score import apply_edit, check_invariants, new_document
from server.score.model import Doc

QUANTISED = "rhythms are not exact (a live recording?)"


def two_voice_part() -> Doc:
    """One part: a held half note under quarter notes, and triplets before a rest."""
    doc = new_document(parts=[{"name": "Piano"}], measures=2)

    def write(
        measure: str,
        offset: str,
        eid: str,
        dur: dict[str, Any],
        step: str,
        octave: int,
        voice: str = "1",
    ) -> dict[str, Any]:
        event = {
            "id": eid,
            "dur": dur,
            "notes": [{"id": f"{eid}n", "step": step, "alter": 0, "octave": octave}],
        }
        return {
            "op": "write_event",
            "part": "p1",
            "measure": measure,
            "offset": offset,
            "voice": voice,
            "event": event,
        }

    trip = {"type": 4, "tuplet": [3, 2]}
    apply_edit(
        doc,
        [
            write("m1", "0", "a", {"type": 4}, "E", 5),
            write("m1", "1/4", "b", {"type": 4}, "D", 5),
            write("m1", "0", "c", {"type": 2}, "C", 4, voice="2"),
            write("m2", "0", "d", trip, "G", 4),
            write("m2", "1/6", "e", trip, "A", 4),
            write("m2", "1/3", "f", trip, "B", 4),
            write("m2", "3/4", "g", {"type": 8}, "C", 5),
        ],
    )
    return doc


def test_exact_midi_keeps_triplets_and_polyphony() -> None:
    doc = two_voice_part()
    again = import_score(export_score(doc, "midi"), "two.mid")
    assert check_invariants(again.doc) == []
    assert sounding_notes(again.doc) == sounding_notes(doc)
    assert not any(QUANTISED in line for line in again.report)
    bar = again.doc["parts"][0]["bars"]["m1"]
    assert len(bar["voices"]) == 2  # the held C4 went to a voice of its own


def test_live_midi_is_quantised_and_reported(tmp_path: Any) -> None:
    part = stream.Part()
    for k, (onset, length) in enumerate([(0.02, 0.97), (1.01, 0.46), (1.49, 0.52), (2.03, 1.9)]):
        n = note.Note(60 + k, quarterLength=length)
        part.insert(onset, n)
    path = tmp_path / "live.mid"
    mf = midi.translate.streamToMidiFile(part)
    mf.open(str(path), "wb")
    mf.write()
    mf.close()
    result = import_score(path.read_bytes(), "live.mid")
    assert check_invariants(result.doc) == []
    assert any(QUANTISED in line for line in result.report)
    onsets = [(o, p) for o, p, _ in sounding_notes(result.doc)[0]]
    assert onsets == [
        (Fraction(0), 60),
        (Fraction(1, 4), 61),
        (Fraction(3, 8), 62),
        (Fraction(1, 2), 63),
    ]
