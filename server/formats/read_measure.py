"""Reading one music21 Measure: its notes as voice items, and what sits at beats.

Everything the score model cannot hold is reported here, element by element,
with the measure it was found in. May import music21; must not import verovio.
"""

# music21 is only partly annotated; calling its unannotated functions is expected here.
# mypy: disallow-untyped-calls=False

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from music21 import (
    articulations,
    bar,
    base,
    chord,
    clef,
    dynamics,
    expressions,
    harmony,
    key,
    meter,
    note,
    percussion,
    repeat,
    stream,
    tempo,
)

from ..score.form import MAX_REHEARSAL, MAX_TIMES
from ..score.model import MAX_TREMOLO, REST_MARKS
from ..score.ops._common import MAX_LYRIC
from ..score.pitch import validate_pitch
from .report import Report
from .voice_fill import Item

TYPE_BY_NAME = {
    "whole": 1,
    "half": 2,
    "quarter": 4,
    "eighth": 8,
    "16th": 16,
    "32nd": 32,
    "64th": 64,
    "128th": 128,
}

GRACE = "grace notes are not supported yet and were dropped"
UNPITCHED = "unpitched (drum) notes are not supported yet and were replaced by rests"
OUT_OF_RANGE = "notes outside the MIDI range were dropped"
MICROTONE = "microtones were rounded to the nearest semitone"
LYRIC_VERSE = "lyrics beyond verse 9 were dropped"
LYRIC_REST = "lyrics on rests were dropped"
LYRIC_LONG = f"lyric syllables longer than {MAX_LYRIC} characters were shortened"
NESTED_TUPLET = "nested tuplets were written as a single tuplet"
BARLINE_TYPES = {"double": "double", "final": "final", "light-heavy": "final", "dashed": "dashed"}
REPEAT_MANY = f"repeats played more than {MAX_TIMES} times were written as {MAX_TIMES}"
REPEAT_ONCE = "end repeats marked to be played once were taken (played twice)"
BARLINE_OTHER = "barline styles other than double, final and dashed were drawn as plain barlines"
BARLINE_LEFT = "barline styles at the start of a bar (other than repeats) were dropped"
TEXT = (
    "text directions (tempo words, rehearsal marks, codas) are not supported yet and were dropped"
)


# music21 class -> our mark, most specific first (StrongAccent is an Accent, and so on).
MARK_CLASSES: tuple[tuple[type, str], ...] = (
    (articulations.Staccatissimo, "staccatissimo"),
    (articulations.Staccato, "staccato"),
    (articulations.StrongAccent, "marcato"),
    (articulations.Accent, "accent"),
    (articulations.Tenuto, "tenuto"),
    (expressions.Fermata, "fermata"),
    (expressions.InvertedMordent, "inverted_mordent"),
    (expressions.Mordent, "mordent"),
    (expressions.Trill, "trill"),
    (expressions.ArpeggioMark, "arpeggio"),
)
MARK_ON_DRUM = "articulations and ornaments on unpitched (drum) notes were dropped"
MARK_ON_REST = "articulations and ornaments on rests (other than fermatas) were dropped"


@dataclass
class MeasureContents:
    """What one source measure holds, offsets in whole notes from the bar start."""

    voices: dict[str, list[Item]] = field(default_factory=dict)
    harmonies: list[tuple[Fraction, str]] = field(default_factory=list)
    dynamics: list[tuple[Fraction, str]] = field(default_factory=list)
    clefs: list[tuple[Fraction, clef.Clef]] = field(default_factory=list)
    keys: list[tuple[Fraction, key.KeySignature]] = field(default_factory=list)
    times: list[tuple[Fraction, meter.TimeSignature]] = field(default_factory=list)
    tempos: list[tuple[Fraction, float]] = field(default_factory=list)
    padding_left: Fraction = Fraction(0)
    form: dict[str, Any] = field(default_factory=dict)  # barline style, repeat signs

    def end(self) -> Fraction:
        """Where the last note or rest of any voice ends."""
        ends = [i.offset + i.length for items in self.voices.values() for i in items]
        return max(ends, default=Fraction(0))


def read_measure(
    m: stream.Measure, number: int, report: Report, seen: dict[int, int]
) -> MeasureContents:
    """Read ``m`` (shown as measure ``number``); ``seen`` maps element ids to measures."""
    out = MeasureContents(padding_left=Fraction(m.paddingLeft) / 4)
    out.form = read_barlines(m, number, report)
    for el in m:
        if isinstance(el, stream.Voice):
            voice_offset = Fraction(m.elementOffset(el)) / 4
            for inner in el:
                _read_element(inner, voice_offset, str(el.id), el, number, out, report, seen)
        else:
            _read_element(el, Fraction(0), "", m, number, out, report, seen)
    return out


def read_barlines(m: stream.Measure, number: int, report: Report) -> dict[str, Any]:
    """The measure's repeat signs and barline style, as score form fields."""
    form: dict[str, Any] = {}
    left, right = m.leftBarline, m.rightBarline
    if isinstance(left, bar.Repeat) and left.direction == "start":
        form["repeat_start"] = True
    elif left is not None and left.type not in ("regular", None):
        report.add(BARLINE_LEFT, number)
    if isinstance(right, bar.Repeat) and right.direction == "end":
        times = int(right.times or 2)  # music21 gives 0 or None for "twice"
        if times > MAX_TIMES:
            report.add(REPEAT_MANY, number)
        elif times < 2:
            report.add(REPEAT_ONCE, number)
        form["repeat_end"] = max(2, min(MAX_TIMES, times))
    elif right is not None and right.type in BARLINE_TYPES:
        form["barline"] = BARLINE_TYPES[right.type]
    elif right is not None and right.type not in ("regular", None):
        report.add(BARLINE_OTHER, number)
    return form


def _read_element(
    el: base.Music21Object,
    base_offset: Fraction,
    voice: str,
    container: stream.Stream[Any],
    number: int,
    out: MeasureContents,
    report: Report,
    seen: dict[int, int],
) -> None:
    seen[id(el)] = number
    offset = base_offset + Fraction(container.elementOffset(el)) / 4
    if isinstance(el, harmony.Harmony):
        symbol = chord_symbol_text(el)
        if symbol:
            out.harmonies.append((offset, symbol))
    elif isinstance(el, note.GeneralNote):
        item = _read_note(el, offset, number, report)
        if item is not None:
            out.voices.setdefault(voice, []).append(item)
    elif isinstance(el, clef.Clef):
        out.clefs.append((offset, el))
    elif isinstance(el, key.KeySignature):
        out.keys.append((offset, el))
    elif isinstance(el, meter.TimeSignature):
        out.times.append((offset, el))
    elif isinstance(el, tempo.MetronomeMark):
        bpm = el.getQuarterBPM()
        if bpm is not None:
            out.tempos.append((offset, float(bpm)))
    elif isinstance(el, dynamics.Dynamic):
        out.dynamics.append((offset, str(el.value)))
    elif isinstance(el, expressions.RehearsalMark):
        text = " ".join(str(el.content or "").split())[:MAX_REHEARSAL]
        if text and "rehearsal" not in out.form:
            out.form["rehearsal"] = text
        else:
            report.add(TEXT, number)
    elif isinstance(el, expressions.TextExpression):
        report.add(TEXT, number)
    elif isinstance(el, bar.Barline):
        pass  # repeat barlines are reported from the measure's own barlines
    elif isinstance(el, repeat.RepeatMark):
        report.add(TEXT, number)
    elif isinstance(el, tempo.TempoText):
        report.add(TEXT, number)


def _read_note(el: note.GeneralNote, offset: Fraction, number: int, report: Report) -> Item | None:
    if el.duration.isGrace or el.duration.quarterLength == 0:
        report.add(GRACE, number)
        return None
    length = Fraction(el.duration.quarterLength) / 4
    hint = _hint(el, number, report)
    marks = read_marks(el, number, report)
    if isinstance(el, (note.Unpitched, percussion.PercussionChord)):
        report.add(UNPITCHED, number)
        if marks:
            report.add(MARK_ON_DRUM, number, len(marks))
        return Item(offset, length, [], hint=hint, source=id(el))
    if isinstance(el, note.Rest):
        if el.lyrics:
            report.add(LYRIC_REST, number, len(el.lyrics))
        hidden = bool(el.style.hideObjectOnPrint)
        return Item(
            offset,
            length,
            [],
            hint=hint,
            hidden=hidden,
            marks=_rest_marks(marks, number, report),
            source=id(el),
        )
    pitched: list[tuple[Any, Any]] = []
    if isinstance(el, chord.Chord):
        # Ties belong to chord tones; the chord's own tie only speaks when no tone has one.
        own = any(sub.tie is not None for sub in el.notes)
        for sub in el.notes:
            pitched.append((sub.pitch, sub.tie if own else el.tie))
    elif isinstance(el, note.Note):
        pitched.append((el.pitch, el.tie))
    notes = []
    for p, tie in pitched:
        spelled = _pitch(p, number, report)
        if spelled is None:
            continue
        if tie is not None and tie.type in ("start", "continue"):
            spelled["tie"] = True
        notes.append(spelled)
    lyrics = _lyrics(el, number, report)
    if not notes and lyrics:
        report.add(LYRIC_REST, number)
        lyrics = {}
    if not notes:
        marks = _rest_marks(marks, number, report)
    return Item(offset, length, notes, lyrics, hint, marks=marks, source=id(el))


def _rest_marks(marks: dict[str, Any], number: int, report: Report) -> dict[str, Any]:
    kept = {k: v for k, v in marks.items() if k in REST_MARKS}
    if len(kept) < len(marks):
        report.add(MARK_ON_REST, number, len(marks) - len(kept))
    return kept


def _pitch(p: Any, number: int, report: Report) -> dict[str, Any] | None:
    alter = float(p.accidental.alter) if p.accidental is not None else 0.0
    if alter != int(alter):
        report.add(MICROTONE, number)
    spelled = {"step": str(p.step), "alter": round(alter), "octave": int(p.implicitOctave)}
    try:
        validate_pitch(spelled)
    except ValueError:
        report.add(OUT_OF_RANGE, number)
        return None
    return spelled


def _lyrics(el: note.GeneralNote, number: int, report: Report) -> dict[str, str]:
    out: dict[str, str] = {}
    for lyric in el.lyrics:
        text = _clean_lyric(lyric.rawText or "")
        if not text:
            continue
        verse = lyric.number if isinstance(lyric.number, int) else 1
        if not 1 <= verse <= 9:
            report.add(LYRIC_VERSE, number)
            continue
        if len(text) > MAX_LYRIC:
            report.add(LYRIC_LONG, number)
            text = text[:MAX_LYRIC]
        out.setdefault(str(verse), text)
    return out


def _clean_lyric(text: str) -> str:
    """Whitespace (non-breaking spaces too) collapsed, none beside a syllable's hyphen."""
    text = " ".join(text.split())
    return re.sub(r"\s*-\s*$", "-", re.sub(r"^-\s*", "-", text))


def _hint(el: note.GeneralNote, number: int, report: Report) -> dict[str, Any] | None:
    """The source's own notation of the duration, when the model can hold it."""
    d = el.duration
    kind = TYPE_BY_NAME.get(d.type)
    if kind is None:
        return None
    hint: dict[str, Any] = {"type": kind}
    if d.dots:
        hint["dots"] = int(d.dots)
    if d.tuplets:
        ratio = Fraction(1)
        for tuplet in d.tuplets:
            ratio *= Fraction(tuplet.tupletMultiplier())
        if len(d.tuplets) > 1:
            report.add(NESTED_TUPLET, number)
        if ratio != 1:
            hint["tuplet"] = [ratio.denominator, ratio.numerator]
    return hint


def read_marks(el: note.GeneralNote, number: int, report: Report) -> dict[str, Any]:
    """The event's articulations and ornaments; every other one is reported by kind."""
    marks: dict[str, Any] = {}
    for art in el.articulations:
        name = _mark_name(art)
        if name is None:
            kind = spaced_name(type(art).__name__)
            report.add(f"articulations ({kind}) are not supported yet and were dropped", number)
        else:
            marks[name] = True
    for expr in el.expressions:
        name = _mark_name(expr)
        if isinstance(expr, expressions.Turn) and not isinstance(expr, expressions.InvertedTurn):
            name = "turn"
        if isinstance(expr, expressions.Tremolo):
            strokes = int(expr.numberOfMarks or 3)
            if not 1 <= strokes <= MAX_TREMOLO:
                report.add(
                    f"tremolos of more than {MAX_TREMOLO} strokes were drawn with {MAX_TREMOLO}",
                    number,
                )
            marks["tremolo"] = max(1, min(MAX_TREMOLO, strokes))
        elif name is None:
            kind = spaced_name(type(expr).__name__)
            report.add(f"{kind} marks are not supported yet and were dropped", number)
        else:
            marks[name] = True
    return dict(sorted(marks.items()))


def _mark_name(obj: Any) -> str | None:
    for cls, name in MARK_CLASSES:
        if isinstance(obj, cls):
            return name
    return None


def spaced_name(name: str) -> str:
    """``"StrongAccent"`` -> ``"strong accent"``."""
    words: list[str] = []
    for ch in name:
        if ch.isupper() and words:
            words.append(" ")
        words.append(ch.lower())
    return "".join(words)


def chord_symbol_text(h: harmony.Harmony) -> str:
    """The symbol as a musician writes it (``Bb7``, ``F#m/A``), from music21's parse.

    music21 spells flats with ``-``; the kind's own text in the file (``chordKindStr``)
    is kept as written when there is one.
    """
    if isinstance(h, harmony.NoChord):
        return str(h.chordKindStr or "N.C.")[:32]
    figure = str(getattr(h, "figure", "") or "")
    root = h.root() if h.pitches else None
    if root is None:
        return figure.strip()
    root_name = root.name.replace("-", "b")
    kind_text = getattr(h, "chordKindStr", "") or ""
    if kind_text:
        suffix = kind_text
    else:
        suffix = figure[len(root.name) :] if figure.startswith(root.name) else ""
        suffix = suffix.split("/", 1)[0]
    text = root_name + suffix
    bass = h.bass()
    if bass is not None and bass.name != root.name and "/" not in suffix:
        text += "/" + bass.name.replace("-", "b")
    return text.strip()[:32]
