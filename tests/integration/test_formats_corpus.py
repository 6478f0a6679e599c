"""Real files from the music21 corpus through import, export and import again.

Each file is parsed once per module. Imports are checked against music21's own
reading of the source (every sounding note: onset, pitch, length), and round trips
against the first import (notation, lyrics, symbols, bar attributes; IDs aside).
Set TUTTI_FORMATS_CHORALES=N (default 3) to round-trip N Bach chorales instead.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from music21 import corpus, stream

from server.formats import ImportResult, export_score, import_score
from server.formats.compare import musical_content, sounding_notes
from server.score import check_invariants
from server.score.ops.structure import clean_document

WORKS = {
    "chorale": "bach/bwv66.6",
    "chorale_lyrics": "bach/bwv10.7",
    "quartet": "mozart/k155/movement1",
    "lead_sheet": "leadSheet/fosterBrownHair",
    "chord_symbols": "demos/ComprehensiveChordSymbolsTestFile.mxl",
    "piano": "joplin/maple_leaf_rag",
    "abc": "essenFolksong/altdeu10",
    "drums": "demos/drum_sample.xml",
}
CHORALES = int(os.environ.get("TUTTI_FORMATS_CHORALES", "3"))
Notes = list[list[tuple[Fraction, int, Fraction]]]


def work_path(name: str) -> Path:
    found = corpus.getWork(name)
    return Path(str(found[0] if isinstance(found, list) else found))


@pytest.fixture(scope="module")
def imported() -> Callable[[str], ImportResult]:
    cache: dict[str, ImportResult] = {}

    def get(key: str) -> ImportResult:
        if key not in cache:
            path = work_path(WORKS.get(key, key))
            cache[key] = import_score(path.read_bytes(), path.name)
        return cache[key]

    return get


def reimport(data: bytes, filename: str) -> ImportResult:
    """Our own export is trusted: read it in-process (the isolated path is tested enough)."""
    return import_score(data, filename, isolated=False)


def music21_notes(score: stream.Score) -> Notes:
    """Every sounding note as music21 itself reads the file (pickup shifted to the bar end)."""
    out = []
    for part in score.parts:
        measures = list(part.getElementsByClass(stream.Measure))
        shift = Fraction(measures[0].paddingLeft) / 4 if measures else Fraction(0)
        notes = []
        for n in part.stripTies().flatten().notes:
            skip = {"Harmony", "Unpitched", "PercussionChord"} & set(n.classes)
            if n.duration.quarterLength == 0 or skip:
                continue  # grace notes, chord symbols and drums are not imported
            for p in n.pitches:
                onset = Fraction(n.offset) / 4 + shift
                notes.append((onset, int(p.midi), Fraction(n.quarterLength) / 4))
        out.append(sorted(notes))
    return out


@pytest.mark.parametrize("key", ["chorale", "chorale_lyrics", "quartet", "lead_sheet", "piano"])
def test_import_keeps_every_sounding_note_of_the_source(
    imported: Callable[[str], ImportResult], key: str
) -> None:
    result = imported(key)
    assert check_invariants(result.doc) == []
    assert clean_document(result.doc) == result.doc
    # As written: music21's reading of the source knows nothing of staccato lengths.
    assert sounding_notes(result.doc, played=False) == music21_notes(corpus.parse(WORKS[key]))


@pytest.mark.parametrize("key", list(WORKS))
def test_musicxml_round_trip_keeps_the_music(
    imported: Callable[[str], ImportResult], key: str
) -> None:
    first = imported(key)
    again = reimport(export_score(first.doc, "musicxml"), "again.musicxml")
    assert musical_content(again.doc) == musical_content(first.doc)
    assert again.report == []  # nothing left to drop the second time


def test_chorale_lyrics_survive(imported: Callable[[str], ImportResult]) -> None:
    doc = imported("chorale_lyrics").doc
    soprano = corpus.parse(WORKS["chorale_lyrics"]).parts[0]
    source = [
        {str(ly.number): ly.rawText for ly in n.lyrics} for n in soprano.recurse().notes if n.lyrics
    ]
    ours = [
        e["lyrics"]
        for bar in doc["parts"][0]["bars"].values()
        for e in bar["voices"]["1"]
        if "lyrics" in e
    ]
    assert ours == source and len(ours) > 40
    assert ours[:2] == [{"2": "Mei-"}, {"2": "-ne"}]  # the file numbers this verse 2


def test_chorale_report_and_pickup(imported: Callable[[str], ImportResult]) -> None:
    result = imported("chorale")
    assert result.report == [
        "m. 1: the pickup bar was filled with rests before its first note",
        "m. 10: incomplete bars were filled with rests",
    ]
    assert result.doc["measures"][0] == {"id": "m1", "time": [4, 4], "key": 3, "tempo": 96}
    assert [p["name"] for p in result.doc["parts"]] == ["Soprano", "Alto", "Tenor", "Bass"]


def test_quartet_reports_what_it_cannot_hold(imported: Callable[[str], ImportResult]) -> None:
    result = imported("quartet")
    assert [p["instrument"] for p in result.doc["parts"]] == [
        "violin",
        "violin",
        "viola",
        "violoncello",
    ]
    kinds = [line.split(": ", 1)[1] for line in result.report]
    assert not any("slur" in k for k in kinds)  # all 207 slurs are imported now
    assert "grace notes are not supported yet and were dropped (18)" in kinds
    # Trills and staccatos are imported now; nothing about marks is reported as lost.
    assert not any("trill" in k or "staccato" in k for k in kinds)


def mark_counts(doc: dict[str, object]) -> Counter[str]:
    return Counter(
        name
        for part in doc["parts"]  # type: ignore[attr-defined]
        for bar in part["bars"].values()
        for events in bar["voices"].values()
        for event in events
        for name in event.get("marks", {})
    )


def source_mark_counts(score: stream.Score) -> Counter[str]:
    """Marks on the source's notes, chords and rests as music21 reads them (grace notes
    are dropped on import, so their marks are not counted)."""
    names = {
        "Staccato": "staccato", "Staccatissimo": "staccatissimo", "Accent": "accent",
        "StrongAccent": "marcato", "Tenuto": "tenuto", "Fermata": "fermata", "Trill": "trill",
        "Mordent": "mordent", "InvertedMordent": "inverted_mordent", "Turn": "turn",
        "Tremolo": "tremolo", "ArpeggioMark": "arpeggio",
    }  # fmt: skip
    out: Counter[str] = Counter()
    for n in score.recurse().notesAndRests:
        if n.duration.isGrace:
            continue
        for mark in [*n.articulations, *n.expressions]:
            if type(mark).__name__ in names:
                out[names[type(mark).__name__]] += 1
    return out


def reported(lines: list[str], word: str) -> int:
    """How many losses the report counts in lines that mention ``word``."""
    total = 0
    for line in lines:
        if word in line:
            found = re.search(r"\((\d+)\)$", line)
            total += int(found.group(1)) if found else 1
    return total


@pytest.mark.parametrize(("key", "slurs"), [("quartet", 207), ("piano", None)])
def test_every_slur_of_the_source_is_imported_or_reported(
    imported: Callable[[str], ImportResult], key: str, slurs: int | None
) -> None:
    result = imported(key)
    source = {
        id(sp)
        for part in corpus.parse(WORKS[key]).parts
        for sp in part.spannerBundle
        if type(sp).__name__ == "Slur"
    }
    ours = [sp for sp in result.doc.get("spanners", []) if sp["kind"] == "slur"]
    assert len(ours) + reported(result.report, "slurs") == len(source)
    if slurs is not None:
        assert len(ours) == slurs
    again = reimport(export_score(result.doc, "musicxml"), "again.musicxml")
    assert musical_content(again.doc)["spanners"] == musical_content(result.doc)["spanners"]


@pytest.mark.parametrize("key", ["chorale", "quartet"])
def test_every_articulation_and_ornament_of_the_source_is_imported(
    imported: Callable[[str], ImportResult], key: str
) -> None:
    ours = mark_counts(imported(key).doc)
    assert ours == source_mark_counts(corpus.parse(WORKS[key]))
    assert sum(ours.values()) > 5


def test_lead_sheet_chord_symbols_as_written(imported: Callable[[str], ImportResult]) -> None:
    doc = imported("lead_sheet").doc
    symbols = [
        h["symbol"] for b in doc["parts"][0]["bars"].values() for h in b.get("harmonies", [])
    ]
    source = corpus.parse(WORKS["lead_sheet"]).recurse().getElementsByClass("ChordSymbol")
    assert len(symbols) == len(source)
    assert symbols[:8] == ["F", "Bb", "F", "C", "F", "Bb", "F", "G7"]


def test_every_chord_symbol_kind_round_trips(imported: Callable[[str], ImportResult]) -> None:
    doc = imported("chord_symbols").doc
    symbols = [
        h["symbol"] for b in doc["parts"][0]["bars"].values() for h in b.get("harmonies", [])
    ]
    assert {"Dm7b5", "CMaj13/F", "Bbm6", "C#13", "C11omit3,7", "Gsus2"} <= set(symbols)


def test_grand_staff_becomes_two_parts(imported: Callable[[str], ImportResult]) -> None:
    result = imported("piano")
    assert [p["name"] for p in result.doc["parts"]] == ["Piano (RH)", "Piano (LH)"]
    assert [p["clef"] for p in result.doc["parts"]] == ["treble", "bass"]
    assert result.report[0] == (
        "Piano: each of its 2 staves was imported as a part of its own (Piano (RH), Piano (LH))"
    )
    # The rag's repeats are read now: start and end repeats, and its 1st/2nd endings.
    measures = result.doc["measures"]
    assert sum(1 for m in measures if m.get("repeat_end")) >= 2
    assert any(m.get("ending") == [1] for m in measures)
    assert any(m.get("ending") == [2] for m in measures)
    assert not any("repeat" in line for line in result.report)


def test_abc_collection_first_tune(imported: Callable[[str], ImportResult]) -> None:
    result = imported("abc")
    assert result.doc["title"] == "Das Hildebrandslied"
    assert result.report[0] == "the file holds 313 tunes; only the first was imported"
    assert result.doc["measures"][0]["time"] == [4, 2]


def test_drums_are_reported(imported: Callable[[str], ImportResult]) -> None:
    result = imported("drums")
    assert any("unpitched (drum) notes" in line for line in result.report)


def test_midi_written_by_music21_matches_the_musicxml_import(
    imported: Callable[[str], ImportResult], tmp_path: Path
) -> None:
    midi = tmp_path / "bwv66.6.mid"
    corpus.parse(WORKS["chorale"]).write("midi", fp=midi)
    result = import_score(midi.read_bytes(), midi.name)
    assert check_invariants(result.doc) == []
    assert "MIDI files carry no pitch spelling" in result.report[0]
    # music21 writes the pickup at time 0; our MusicXML import puts it at the bar's end.
    pickup = Fraction(3, 4)
    expected = [
        [(o - pickup, p, d) for o, p, d in part] for part in sounding_notes(imported("chorale").doc)
    ]
    assert sounding_notes(result.doc) == expected


def chorale_names() -> list[str]:
    names = ["bach/bwv66.6", "bach/bwv10.7", "bach/bwv101.7"]
    if CHORALES > len(names):
        extra = [str(p) for p in corpus.getComposer("bach") if p.suffix == ".mxl"]
        names += sorted(set(extra) - set(names))[: CHORALES - len(names)]
    return names[:CHORALES]


@pytest.mark.parametrize("name", chorale_names())
def test_chorale_round_trips_through_musicxml_and_midi(
    imported: Callable[[str], ImportResult], name: str
) -> None:
    first = imported(name)
    for fmt in ("musicxml", "mxl"):
        again = reimport(export_score(first.doc, fmt), f"again.{fmt}")
        assert musical_content(again.doc) == musical_content(first.doc)
    midi = reimport(export_score(first.doc, "midi"), "again.mid")
    assert sounding_notes(midi.doc) == sounding_notes(first.doc)
