"""Articulations and ornaments in MusicXML and MIDI: what is written, what comes back, and
that a staccato sounds short while the music after it keeps its place."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from server.formats import export_score, import_score
from server.formats.compare import musical_content, sounding_notes
from server.score import apply_edit, new_document
from server.score.model import Doc

EVERY_MARK: list[dict[str, Any]] = [
    {"staccato": True},
    {"staccatissimo": True},
    {"accent": True, "tenuto": True},
    {"marcato": True},
    {"fermata": True},
    {"trill": True},
    {"mordent": True},
    {"inverted_mordent": True},
    {"turn": True},
    {"tremolo": 2},
]


def marked(events: list[tuple[str, dict[str, Any], int]]) -> Doc:
    """One measure per four quarters; (step, marks, notes in the chord) per event."""
    doc = new_document(measures=(len(events) + 3) // 4)
    ops: list[dict[str, Any]] = []
    for k, (step, marks, size) in enumerate(events):
        notes = [
            {"id": f"n{k}.{j}", "step": "CEGB"[j] if size > 1 else step, "octave": 4}
            for j in range(size)
        ]
        ops.append(
            {"op": "write_event", "part": "p1", "measure": f"m{k // 4 + 1}",
             "offset": f"{k % 4}/4",
             "event": {"id": f"e{k}", "dur": {"type": 4}, "notes": notes, "marks": marks}}
        )  # fmt: skip
    apply_edit(doc, ops)
    return doc


def test_every_mark_survives_musicxml_both_ways() -> None:
    doc = marked([("D", m, 1) for m in EVERY_MARK] + [("C", {"arpeggio": True}, 3)])
    xml = export_score(doc, "musicxml").decode()
    for tag in ("<staccato", "<staccatissimo", "<accent", "<tenuto", "<strong-accent",
                "<fermata", "<trill-mark", "<mordent", "<inverted-mordent", "<turn",
                "<tremolo", "<arpeggiate"):  # fmt: skip
        assert tag in xml, tag
    again = import_score(export_score(doc, "musicxml"), "again.musicxml", isolated=False)
    assert again.report == []
    assert musical_content(again.doc) == musical_content(doc)


def test_a_fermata_on_a_rest_round_trips_and_other_rest_marks_are_reported() -> None:
    doc = new_document(measures=1)
    apply_edit(doc, [{"op": "set_mark", "event": "m1.p1.r0", "mark": "fermata", "value": True}])
    again = import_score(export_score(doc, "musicxml"), "a.musicxml", isolated=False)
    assert again.doc["parts"][0]["bars"]["m1"]["voices"]["1"][0]["marks"] == {"fermata": True}
    xml = export_score(doc, "musicxml").decode()
    assert xml.count("<notations>") == 1  # the rest's, holding its fermata
    source = xml.replace("<notations>", "<notations><articulations><accent/></articulations>")
    result = import_score(source.encode(), "rest.musicxml", isolated=False)
    assert result.report == [
        "m. 1: articulations and ornaments on rests (other than fermatas) were dropped"
    ]


def test_staccato_sounds_short_in_midi_and_keeps_the_beat() -> None:
    doc = marked(
        [("C", {"staccato": True}, 1), ("D", {}, 1), ("E", {"staccatissimo": True}, 1),
         ("F", {"tenuto": True}, 1)]
    )  # fmt: skip
    midi = import_score(export_score(doc, "midi"), "marks.mid", isolated=False)
    notes = sounding_notes(midi.doc)[0]
    assert notes == [
        (Fraction(0), 60, Fraction(1, 8)),
        (Fraction(1, 4), 62, Fraction(1, 4)),
        (Fraction(1, 2), 64, Fraction(1, 16)),
        (Fraction(3, 4), 65, Fraction(1, 4)),
    ]
