"""music21 score -> Tutti document: parts, the measure grid, bar attributes, voices.

Bars come out rhythmically complete (pickups and short bars padded, overfull
bars re-timed), with fresh deterministic IDs, and every approximation reported.
May import music21; must not import verovio or anything outside server.score.
"""

# music21 is only partly annotated; calling its unannotated functions is expected here.
# mypy: disallow-untyped-calls=False

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from music21 import spanner, stream

from ..score.durations import format_fraction, measure_length
from ..score.form import form_problem
from ..score.limits import MAX_MEASURES, MAX_PARTS
from ..score.model import Doc
from ..score.ops.bars import DYNAMICS
from .errors import FormatError
from .notation import snap, time_for_length
from .part_info import (
    clef_change,
    instrument_of,
    part_names,
    to_concert_pitch,
)
from .read_measure import MeasureContents, read_measure
from .read_spanners import read_spanners
from .report import Report
from .voice_fill import Item, build_voice

MAX_VOICES = 4
VALID_DENOMINATORS = (1, 2, 4, 8, 16, 32)


def read_score(obj: Any, report: Report, *, fallback_title: str) -> Doc:
    score = _as_score(obj, report)
    parts = [p for p in score.parts]
    if not parts:
        raise FormatError("empty_score", "the file holds no parts")
    transpositions = [to_concert_pitch(p, report) for p in parts]
    if len(parts) > MAX_PARTS:
        raise FormatError(
            "file_too_large", f"the score has {len(parts)} staves; the limit is {MAX_PARTS}"
        )
    measures_by_part = [_measures(p) for p in parts]
    count = max(len(ms) for ms in measures_by_part)
    if count == 0:
        raise FormatError("empty_score", "the file holds no music")
    if count > MAX_MEASURES:
        raise FormatError(
            "file_too_large", f"the score has {count} measures; the limit is {MAX_MEASURES}"
        )
    seen: dict[int, int] = {}
    anchors: dict[int, tuple[str, str]] = {}  # music21 note -> first and last event
    contents = [
        [read_measure(m, i + 1, report, seen) for i, m in enumerate(ms)] for ms in measures_by_part
    ]
    for p, ms in zip(parts, contents, strict=True):
        if 0 < len(ms) < count:
            report.general(
                f"part {p.partName or p.id} is shorter than the score; filled with rests"
            )
    names = part_names(parts, report)
    grid = _measure_grid(contents, count, report)
    _endings(parts[0], measures_by_part[0], grid, report)
    doc: Doc = {"title": "", "composer": "", "measures": [], "parts": []}
    _metadata(doc, score, fallback_title)
    doc["measures"] = grid.measures
    for index, (p, ms) in enumerate(zip(parts, contents, strict=True)):
        part = _read_part(p, ms, index, names[index], grid, report, anchors)
        part["transposition"] = transpositions[index]
        doc["parts"].append(part)
    read_spanners(parts, anchors, doc, seen, report)
    return doc


def _as_score(obj: Any, report: Report) -> stream.Score:
    if isinstance(obj, stream.Opus):
        scores = list(obj.scores)
        if not scores:
            raise FormatError("empty_score", "the file holds no tunes")
        if len(scores) > 1:
            report.general(f"the file holds {len(scores)} scores; only the first was imported")
        first: stream.Score = scores[0]
        return first
    if isinstance(obj, stream.Score):
        return obj
    if isinstance(obj, stream.Stream):
        score = stream.Score()
        score.insert(0, obj if isinstance(obj, stream.Part) else stream.Part(obj.flatten()))
        return score
    raise FormatError("empty_score", "the file holds no score")


def _measures(p: stream.Part) -> list[stream.Measure]:
    measures = list(p.getElementsByClass(stream.Measure))
    if not measures and p.recurse().notesAndRests:
        # Barless input (some MIDI and ABC): let music21 bar it and tie across barlines.
        barred = p.makeMeasures()
        barred.makeTies(inPlace=True)
        measures = list(barred.getElementsByClass(stream.Measure))
    return measures


class _Grid:
    """The document's measures and, per measure, its length and pickup shift."""

    def __init__(self) -> None:
        self.measures: list[dict[str, Any]] = []
        self.lengths: list[Fraction] = []
        self.shifts: list[Fraction] = []


def _measure_grid(contents: list[list[MeasureContents]], count: int, report: Report) -> _Grid:
    grid = _Grid()
    written: list[int] = [4, 4]  # time signature in force in the source
    shown: dict[str, Any] = {}  # attributes in force in the document
    for i in range(count):
        here = [ms[i] for ms in contents if i < len(ms)]
        number = i + 1
        time = _first(here, "times")
        if time is not None:
            written = _time(time, number, report)
        length = measure_length(written)
        end = max((c.end() for c in here), default=Fraction(0))
        time_here = written
        shift = Fraction(0)
        if end > length:
            longer = time_for_length(end, round_up=True)
            if longer is not None:
                time_here, length = longer, measure_length(longer)
                report.add(
                    "bars holding more than their time signature were given a time of their own",
                    number,
                )
            else:
                report.add("music beyond the end of the bar was cut", number)
        elif Fraction(0) < end < length:
            if i == 0 or any(c.padding_left for c in here):
                shift = length - end
                report.add("the pickup bar was filled with rests before its first note", number)
            else:
                report.add("incomplete bars were filled with rests", number)
        measure: dict[str, Any] = {"id": f"m{number}"}
        attrs = {"time": time_here, "key": _key(here, number, report), "tempo": _tempo(here)}
        for attr, value in attrs.items():
            if value is None:
                value = shown.get(attr, {"key": 0, "tempo": 120}.get(attr))
            if shown.get(attr) != value:
                measure[attr] = value
                shown[attr] = value
        if here:
            measure.update(here[0].form)  # repeats and barlines: the top part's
        grid.measures.append(measure)
        grid.lengths.append(length)
        grid.shifts.append(shift)
    return grid


def _endings(
    part: stream.Part, measures: list[stream.Measure], grid: _Grid, report: Report
) -> None:
    """1st/2nd... endings (music21 RepeatBrackets over measures) of the top part."""
    index = {id(m): i for i, m in enumerate(measures)}
    for sp in part.spannerBundle.getByClass(spanner.RepeatBracket):
        numbers = _ending_numbers(str(sp.number or ""))
        where = [index[id(m)] for m in sp.getSpannedElements() if id(m) in index]
        if numbers is None or form_problem("ending", numbers) is not None or not where:
            report.add(
                "endings that could not be read were dropped", where[0] + 1 if where else None
            )
            continue
        for i in range(min(where), max(where) + 1):
            grid.measures[i]["ending"] = numbers


def _ending_numbers(text: str) -> list[int] | None:
    """``"1"``, ``"1, 2"``, ``"1-3"`` -> the passes; None if it is not such a list."""
    out: set[int] = set()
    for piece in text.replace(" ", "").split(","):
        low, _, high = piece.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            return None
        out.update(range(int(low), int(high or low) + 1))
    return sorted(out) or None


def _first(here: list[MeasureContents], kind: str) -> Any:
    for contents in here:
        found = getattr(contents, kind)
        if found:
            return found[0][1]
    return None


def _time(ts: Any, number: int, report: Report) -> list[int]:
    beats, unit = int(ts.numerator or 0), int(ts.denominator or 0)
    if 1 <= beats <= 32 and unit in VALID_DENOMINATORS:
        return [beats, unit]
    approx = time_for_length(Fraction(ts.barDuration.quarterLength) / 4, round_up=True)
    report.add(f"time signature {ts.ratioString} was written as an equivalent one", number)
    return approx or [4, 4]


def _key(here: list[MeasureContents], number: int, report: Report) -> int | None:
    sharps = []
    for contents in here:
        for offset, ks in contents.keys[:1]:
            if offset:
                report.add("key changes within a bar were moved to the bar start", number)
            if ks.sharps is None or not -7 <= ks.sharps <= 7:
                report.add("non-standard key signatures were replaced by C major", number)
                sharps.append(0)
            else:
                sharps.append(int(ks.sharps))
    if len(set(sharps)) > 1:
        report.add("parts disagree on the key signature; the top part's was kept", number)
    return sharps[0] if sharps else None


def _tempo(here: list[MeasureContents]) -> int | None:
    for contents in here:
        if contents.tempos:
            return max(10, min(400, round(contents.tempos[0][1])))
    return None


def _metadata(doc: Doc, score: stream.Score, fallback_title: str) -> None:
    md = score.metadata
    title = ""
    composer = ""
    if md is not None:
        title = str(md.title or md.movementName or "")
        composer = str(md.composer or "")
    if not title or title.startswith("score."):
        title = fallback_title
    doc["title"] = title[:200]
    doc["composer"] = composer[:200]


def _read_part(
    p: stream.Part,
    contents: list[MeasureContents],
    index: int,
    name: str,
    grid: _Grid,
    report: Report,
    anchors: dict[int, tuple[str, str]],
) -> dict[str, Any]:
    pid = f"p{index + 1}"
    instrument = instrument_of(p)
    part: dict[str, Any] = {
        "id": pid,
        "name": name,
        "instrument": instrument,
        "clef": "treble",
        "transposition": 0,
        "bars": {},
    }
    current_clef: str | None = None
    pending_clef: str | None = None
    carry: dict[str, list[Item]] = {}
    for i, measure in enumerate(grid.measures):
        number = i + 1
        mc = contents[i] if i < len(contents) else MeasureContents()
        bar: dict[str, Any] = {"voices": {}}
        shift, length = grid.shifts[i], grid.lengths[i]
        slots = _voice_slots(mc, number, report)
        for slot in {*slots, *carry}:
            items = carry.get(slot, []) + [
                replace(it, offset=it.offset + shift) for it in slots.get(slot, [])
            ]
            prefix = f"{pid}m{number}v{slot}"
            events, carry_out = build_voice(items, length, prefix, report, number, anchors)
            bar["voices"][slot] = events
            carry[slot] = carry_out
        if "1" not in bar["voices"]:
            bar["voices"]["1"], _ = build_voice([], length, f"{pid}m{number}v1", report, number)
        bar["voices"] = dict(sorted(bar["voices"].items()))
        carry = {k: v for k, v in carry.items() if v}
        _marks(bar, mc, pid, number, shift, length, report)
        new_clef, pending_clef = clef_change(mc, pending_clef, number, report)
        if new_clef is not None:
            if current_clef is None:
                part["clef"] = new_clef
            elif new_clef != current_clef:
                bar["clef"] = new_clef
            current_clef = new_clef
        elif current_clef is None:
            current_clef = part["clef"]
        part["bars"][measure["id"]] = bar
    if carry:
        report.add("music beyond the end of the bar was cut", len(grid.measures))
    return part


def _voice_slots(mc: MeasureContents, number: int, report: Report) -> dict[str, list[Item]]:
    """Source voices in order of their numbers -> our voices "1".."4".

    A source voice whose notes overlap (MIDI has no voices) is split into layers
    first. A voice after the first that holds nothing but unprinted spacer rests
    (Finale's <forward>) is no voice at all and is left out.
    """

    def order(name: str) -> tuple[int, int, str]:
        return (0 if name == "" else 1, int(name) if name.isdigit() else 10**6, name)

    layers = [layer for n in sorted(mc.voices, key=order) for layer in _layers(mc.voices[n])]
    kept = [
        layer
        for k, layer in enumerate(layers)
        if k == 0 or any(i.notes or not i.hidden for i in layer)
    ]
    if len(kept) > MAX_VOICES:
        report.add(f"voices beyond the {MAX_VOICES}th were dropped", number, len(kept) - 4)
        kept = kept[:MAX_VOICES]
    return {str(k + 1): layer for k, layer in enumerate(kept)}


def _layers(items: list[Item]) -> list[list[Item]]:
    """Overlapping items spread over as few non-overlapping layers as possible; notes
    struck together for the same length stay together (they make a chord)."""
    layers: list[list[Item]] = []
    for item in sorted(items, key=lambda i: (i.offset, -i.length)):
        for layer in layers:
            last = layer[-1]
            same = last.offset == item.offset and last.length == item.length
            if (same and bool(last.notes) == bool(item.notes)) or (
                last.offset + last.length <= item.offset
            ):
                layer.append(item)
                break
        else:
            layers.append([item])
    return layers or [[]]


def _marks(
    bar: dict[str, Any],
    mc: MeasureContents,
    pid: str,
    number: int,
    shift: Fraction,
    length: Fraction,
    report: Report,
) -> None:
    onsets = {i.offset for items in mc.voices.values() for i in items}
    for kind, found, value_key, letter in (
        ("harmonies", mc.harmonies, "symbol", "h"),
        ("dynamics", mc.dynamics, "mark", "d"),
    ):
        items: list[dict[str, Any]] = []
        used: set[Fraction] = set()
        for raw, value in sorted(found, key=lambda x: x[0]):
            offset = tidy_offset(raw, onsets) + shift
            if kind == "dynamics" and value not in DYNAMICS:
                report.add(f"dynamics other than {', '.join(DYNAMICS)} were dropped", number)
                continue
            if offset >= length or offset in used:
                report.add(f"{kind} at the same beat or past the bar end were dropped", number)
                continue
            used.add(offset)
            item_id = f"{pid}m{number}{letter}{len(items)}"
            items.append({"id": item_id, "offset": format_fraction(offset), value_key: value})
        if items:
            bar[kind] = items


def tidy_offset(offset: Fraction, onsets: set[Fraction]) -> Fraction:
    """A direction's position with writers' rounding undone.

    music21 (and others) write a chord symbol or dynamic that falls inside a note as
    an <offset> in rounded divisions (30241/40320 for 3/4). It goes to the onset of
    a note within a 384th, else to the approximation grid, which holds every plain
    and triplet position down to 128ths; the same value comes back every round trip.
    """
    near = [o for o in onsets if abs(o - offset) <= Fraction(1, 384)]
    if near:
        return min(near, key=lambda o: (abs(o - offset), o))
    return snap(offset)
