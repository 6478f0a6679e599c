"""Tutti document -> music21 score -> MusicXML, compressed MusicXML (.mxl) or MIDI bytes.

The MusicXML carries our note IDs as ``id`` attributes on <note>, so engravers
that keep them (Verovio) give SVG elements the very IDs the editor uses.
May import music21; must not import verovio.
"""

# music21 is only partly annotated; calling its unannotated functions is expected here.
# mypy: disallow-untyped-calls=False

from __future__ import annotations

import io
import zipfile
from fractions import Fraction
from typing import Any
from xml.etree.ElementTree import Element

from music21 import (
    articulations,
    bar,
    chord,
    clef,
    duration,
    dynamics,
    expressions,
    harmony,
    instrument,
    interval,
    key,
    metadata,
    meter,
    note,
    pitch,
    spanner,
    stream,
    tempo,
    tie,
)
from music21.musicxml import m21ToXml

from ..score.durations import dur_value, measure_length, parse_fraction
from ..score.form import unrolled
from ..score.model import Doc, sounding_share
from ..score.pitch import to_midi

TYPE_NAMES = {
    1: "whole",
    2: "half",
    4: "quarter",
    8: "eighth",
    16: "16th",
    32: "32nd",
    64: "64th",
    128: "128th",
}
CLEF_CLASSES = {
    "treble": clef.TrebleClef,
    "bass": clef.BassClef,
    "alto": clef.AltoClef,
    "tenor": clef.TenorClef,
    "treble8vb": clef.Treble8vbClef,
    "percussion": clef.PercussionClef,
}
MARK_FACTORIES: dict[str, Any] = {
    "staccato": articulations.Staccato,
    "staccatissimo": articulations.Staccatissimo,
    "accent": articulations.Accent,
    "tenuto": articulations.Tenuto,
    "marcato": articulations.StrongAccent,
    "fermata": expressions.Fermata,
    "trill": expressions.Trill,
    "mordent": expressions.Mordent,
    "inverted_mordent": expressions.InvertedMordent,
    "turn": expressions.Turn,
    "arpeggio": expressions.ArpeggioMark,
}
# One expected <note> per rest or chord tone: (our id, MIDI number or None for a rest).
Expected = list[tuple[str, int | None]]


def to_music21(
    doc: Doc, *, harmonies: bool = True, sounding: bool = False
) -> tuple[stream.Score, dict[tuple[int, int], Expected]]:
    """The score as music21 objects (concert pitch) and, per (part, measure), the ids
    of the <note> elements the MusicXML exporter will write, in order.

    ``harmonies=False`` leaves chord symbols out (music21 would play them in MIDI);
    ``sounding=True`` shortens staccato notes to what is played (for MIDI)."""
    score = stream.Score()
    score.metadata = metadata.Metadata(title=doc.get("title", ""), composer=doc.get("composer", ""))
    expected: dict[tuple[int, int], Expected] = {}
    for pi, part in enumerate(doc["parts"]):
        p = stream.Part(id=part["id"])
        p.partName = part["name"]
        p.insert(0, _instrument(part))
        tied: dict[str, set[int]] = {}
        made: dict[str, note.GeneralNote] = {}  # event id -> its music21 note, chord or rest
        clef_now = part["clef"]
        time_now = [4, 4]
        for mi, measure in enumerate(doc["measures"]):
            bar = part["bars"][measure["id"]]
            m = stream.Measure(number=mi + 1)
            # One clef where the clef in force changes (a bar may repeat the current one).
            wanted = bar.get("clef") or (part["clef"] if mi == 0 else clef_now)
            if mi == 0 or wanted != clef_now:
                m.insert(0, CLEF_CLASSES[wanted]())
                clef_now = wanted
            if "key" in measure:
                m.insert(0, key.KeySignature(measure["key"]))
            time_now = measure.get("time", time_now)
            if "time" in measure:
                m.insert(0, meter.TimeSignature(f"{measure['time'][0]}/{measure['time'][1]}"))
            if "tempo" in measure and pi == 0:
                m.insert(0, tempo.MetronomeMark(number=measure["tempo"]))
            expected[(pi, mi)] = _voices(m, bar["voices"], tied, sounding, made)
            for item in bar.get("harmonies", []) if harmonies else []:
                m.insert(_ql(item["offset"]), chord_symbol(item["symbol"]))
            for item in bar.get("dynamics", []):
                m.insert(_ql(item["offset"]), dynamics.Dynamic(item["mark"]))
            _barlines(m, measure)
            if measure.get("rehearsal") and pi == 0:
                m.insert(0, expressions.RehearsalMark(measure["rehearsal"]))
            if sounding:
                # A staccato last in its bar must not make the bar (and all after it) shorter.
                m.duration = duration.Duration(measure_length(time_now) * 4)
            p.append(m)
        for sp in _spanners(doc, made):
            p.insert(0, sp)
        for bracket in _endings(doc, p):
            p.insert(0, bracket)
        score.insert(0, p)
    score.atSoundingPitch = True
    return score, expected


def _ql(offset: str) -> Fraction:
    return parse_fraction(offset) * 4


def _voices(
    m: stream.Measure,
    voices: dict[str, list[Any]],
    tied: dict[str, set[int]],
    sounding: bool,
    made: dict[str, note.GeneralNote],
) -> Expected:
    expected: Expected = []
    many = len(voices) > 1
    for name in sorted(voices):
        target: stream.Stream[Any] = stream.Voice(id=name) if many else m
        offset = Fraction(0)
        for event in voices[name]:
            tied_in = tied.setdefault(name, set())
            el = _event(event, tied_in)
            made[event["id"]] = el
            # Placed at its written offset, so a shortened (sounding) length moves nothing.
            target.insert(offset * 4, el)
            offset += dur_value(event["dur"])
            share = sounding_share(event)
            tied_out = any(n.get("tie") for n in event["notes"])
            if sounding and share != 1 and not tied_out and not tied_in:
                el.duration = duration.Duration(el.duration.quarterLength * share)
            if event["notes"]:
                expected += [(n["id"], to_midi(n)) for n in event["notes"]]
                tied[name] = {to_midi(n) for n in event["notes"] if n.get("tie")}
            else:
                expected.append((event["id"], None))
                tied[name] = set()
        if many:
            m.insert(0, target)
    return expected


BARLINE_TYPES = {"double": "double", "final": "final", "dashed": "dashed"}


def _barlines(m: stream.Measure, measure: dict[str, Any]) -> None:
    if measure.get("repeat_start"):
        m.leftBarline = bar.Repeat(direction="start")
    if measure.get("repeat_end"):
        m.rightBarline = bar.Repeat(direction="end", times=measure["repeat_end"])
    elif measure.get("barline"):
        m.rightBarline = bar.Barline(BARLINE_TYPES[measure["barline"]])


def _endings(doc: Doc, p: stream.Part) -> list[spanner.RepeatBracket]:
    """One RepeatBracket per run of measures with the same ending numbers."""
    measures = list(p.getElementsByClass(stream.Measure))
    out: list[spanner.RepeatBracket] = []
    run: list[stream.Measure] = []
    numbers: list[int] | None = None
    for m, spec in [*zip(measures, doc["measures"], strict=True), (None, {})]:
        if spec.get("ending") != numbers or m is None:
            if run and numbers:
                out.append(spanner.RepeatBracket(run, number=", ".join(map(str, numbers))))
            run, numbers = [], spec.get("ending")
        if m is not None and numbers:
            run.append(m)
    return out


def _spanners(doc: Doc, made: dict[str, note.GeneralNote]) -> list[spanner.Spanner]:
    """The music21 spanners of the part whose events are ``made``."""
    out: list[spanner.Spanner] = []
    for sp in doc.get("spanners", []):
        if sp["start"] not in made:
            continue
        a, b = made[sp["start"]], made[sp["end"]]
        kind = sp["kind"]
        made_sp: spanner.Spanner
        if kind == "slur":
            made_sp = spanner.Slur(a, b)
        elif kind == "crescendo":
            made_sp = dynamics.Crescendo(a, b)
        elif kind == "diminuendo":
            made_sp = dynamics.Diminuendo(a, b)
        elif kind == "pedal":
            made_sp = expressions.PedalMark(a, b)
        else:  # our pitches sound where they are written: a non-transposing ottava
            made_sp = spanner.Ottava(a, b, type=kind, transposing=False)
        out.append(made_sp)
    return out


def _duration(dur: dict[str, Any]) -> duration.Duration:
    name = TYPE_NAMES[dur["type"]]
    d = duration.Duration(type=name, dots=dur.get("dots", 0))
    if dur.get("tuplet"):
        actual, normal = dur["tuplet"]
        d.appendTuplet(duration.Tuplet(actual, normal, durationActual=name, durationNormal=name))
    return d


def _event(event: dict[str, Any], tied_before: set[int]) -> note.GeneralNote:
    d = _duration(event["dur"])
    if not event["notes"]:
        rest = note.Rest(duration=d)
        _add_marks(rest, event.get("marks", {}))
        return rest
    members = []
    for n in event["notes"]:
        member = note.Note(_pitch(n))
        midi = to_midi(n)
        if n.get("tie"):
            member.tie = tie.Tie("continue" if midi in tied_before else "start")
        elif midi in tied_before:
            member.tie = tie.Tie("stop")
        members.append(member)
    el: note.NotRest = members[0] if len(members) == 1 else chord.Chord(members)
    el.duration = d
    for verse, text in sorted(event.get("lyrics", {}).items()):
        el.addLyric(text, int(verse))
    _add_marks(el, event.get("marks", {}))
    return el


def _add_marks(el: note.GeneralNote, marks: dict[str, Any]) -> None:
    for name, value in marks.items():
        if name == "tremolo":
            tremolo = expressions.Tremolo()
            tremolo.numberOfMarks = value
            el.expressions.append(tremolo)
            continue
        mark = MARK_FACTORIES[name]()
        if isinstance(mark, articulations.Articulation):
            el.articulations.append(mark)
        else:
            el.expressions.append(mark)


def _pitch(n: dict[str, Any]) -> pitch.Pitch:
    p = pitch.Pitch(step=n["step"], octave=n["octave"])
    if n.get("alter"):
        p.accidental = pitch.Accidental(n["alter"])
    return p


def chord_symbol(text: str) -> harmony.Harmony:
    """A music21 chord symbol that exports back as ``text`` (its kind text kept as written).

    Symbols music21 cannot parse keep their root and bass with the text as the
    kind's label; text without a root (``N.C.``, ``%``) travels as a "no chord".
    """
    root, rest = _split_root(text)
    if root is None:
        return harmony.NoChord(kindStr=text)
    body, _, bass = rest.partition("/")
    if bass and _split_root(bass)[0] != bass:
        body, bass = rest, ""  # "C6/9": the slash belongs to the kind, not a bass note
    m21_root = root.replace("b", "-")
    m21_bass = bass.replace("b", "-") if bass else None
    cs: harmony.ChordSymbol
    try:
        cs = harmony.ChordSymbol(m21_root + body + (f"/{m21_bass}" if m21_bass else ""))
        if cs.root() is None:
            raise ValueError(text)
    except Exception:  # noqa: BLE001 - music21 rejects many real-world symbols
        try:
            cs = harmony.ChordSymbol(root=m21_root, bass=m21_bass, kind="major")
        except Exception:  # noqa: BLE001 - a bass music21 cannot place is dropped
            cs = harmony.ChordSymbol(root=m21_root, kind="major")
    cs.chordKindStr = body
    return cs


def _split_root(text: str) -> tuple[str | None, str]:
    """``"Bbm7/F"`` -> ``("Bb", "m7/F")``; no root -> ``(None, text)``."""
    if not text or text[0] not in "ABCDEFG":
        return None, text
    end = 1
    while end < len(text) and text[end] in "b#":
        end += 1
    return text[:end], text[end:]


def _instrument(part: dict[str, Any]) -> instrument.Instrument:
    inst: instrument.Instrument
    try:
        inst = instrument.fromString(part["instrument"])
    except Exception:  # noqa: BLE001 - an unknown name gets a plain instrument
        inst = instrument.Instrument()
        inst.instrumentName = part["instrument"]
    inst.partName = part["name"]
    semitones = int(part.get("transposition", 0))
    # Always explicit: music21 gives some instruments (trumpet, clarinet) a default
    # transposition on import when the file has no <transpose>.
    inst.transposition = interval.Interval(semitones)
    return inst


def musicxml_bytes(doc: Doc) -> bytes:
    score, expected = to_music21(doc)
    score.makeNotation(inPlace=True)
    exporter = m21ToXml.ScoreExporter(score, makeNotation=False)
    root = exporter.parse()
    _stamp_ids(root, expected)
    return exporter.asBytes()


def _stamp_ids(root: Element, expected: dict[tuple[int, int], Expected]) -> None:
    """Give each exported <note> our id; a measure that does not match is left as is."""
    for pi, part_el in enumerate(root.findall("part")):
        for mi, measure_el in enumerate(part_el.findall("measure")):
            wanted = list(expected.get((pi, mi), []))
            notes = [n for n in measure_el.findall("note") if n.find("grace") is None]
            if len(notes) != len(wanted):
                continue
            pairs = list(zip(notes, wanted, strict=True))
            if all(_matches(el, midi) for el, (_, midi) in pairs):
                for el, (note_id, _) in pairs:
                    el.set("id", note_id)


def _matches(el: Element, midi: int | None) -> bool:
    if midi is None:
        return el.find("rest") is not None
    return el.find("pitch") is not None or el.find("unpitched") is not None


def mxl_bytes(doc: Doc) -> bytes:
    """Compressed MusicXML: a zip with the container manifest and one score file."""
    xml = musicxml_bytes(doc)
    container = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<container><rootfiles><rootfile full-path="score.musicxml" '
        'media-type="application/vnd.recordare.musicxml+xml"/></rootfiles></container>\n'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # mimetype first and stored, as the MusicXML 4 container spec asks.
        archive.writestr(
            zipfile.ZipInfo("mimetype", date_time=(2020, 1, 1, 0, 0, 0)),
            "application/vnd.recordare.musicxml",
            compress_type=zipfile.ZIP_STORED,
        )
        for name, data in (("META-INF/container.xml", container.encode()), ("score.musicxml", xml)):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def midi_bytes(doc: Doc) -> bytes:
    from music21.midi import translate

    score, _ = to_music21(unrolled(doc), harmonies=False, sounding=True)
    return bytes(translate.streamToMidiFile(score).writestr())
