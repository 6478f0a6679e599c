"""What a part is beyond its notes: its name (a grand staff split into parts), its
instrument, its clefs, and the lines (slurs, hairpins, voltas) that are reported.

May import music21; must not import verovio.
"""

# music21 is only partly annotated; calling its unannotated functions is expected here.
# mypy: disallow-untyped-calls=False

from __future__ import annotations

import re
from typing import Any

from music21 import clef, spanner, stream
from music21 import instrument as m21_instrument

from .read_measure import MeasureContents, spaced_name
from .report import Report


def part_names(parts: list[stream.Part], report: Report) -> list[str]:
    """Names for the parts; each staff of a grand staff becomes its own part."""
    names = [str(p.partName or f"Part {i + 1}") for i, p in enumerate(parts)]
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(parts):
        if isinstance(p, stream.PartStaff):
            base = str(p.id).rsplit("-Staff", 1)[0]
            groups.setdefault(base, []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        base_name = names[members[0]]
        labels = (
            ["RH", "LH"] if len(members) == 2 else [f"staff {k + 1}" for k in range(len(members))]
        )
        for label, i in zip(labels, members, strict=False):
            names[i] = f"{base_name} ({label})"[:64]
        report.general(
            f"{base_name}: each of its {len(members)} staves was imported as a part of its own"
            f" ({', '.join(names[i] for i in members)})"
        )
    return [n[:64] for n in names]


CLEF_NAMES = {
    ("G", 2, 0): "treble",
    ("G", 2, -1): "treble8vb",
    ("F", 4, 0): "bass",
    ("C", 3, 0): "alto",
    ("C", 4, 0): "tenor",
}


def clef_name(c: clef.Clef) -> tuple[str, bool]:
    """Our clef for a music21 clef, and whether that is only an approximation."""
    if isinstance(c, (clef.PercussionClef, clef.NoClef)):
        return "percussion", not isinstance(c, clef.PercussionClef)
    exact = CLEF_NAMES.get((str(c.sign), c.line or 0, c.octaveChange or 0))
    if exact:
        return exact, False
    return {"F": "bass", "C": "alto"}.get(str(c.sign), "treble"), True


def clef_change(
    mc: MeasureContents, pending: str | None, number: int, report: Report
) -> tuple[str | None, str | None]:
    """The clef in force from this bar's start, and one waiting for the next bar."""
    at_start = pending
    later: str | None = None
    for offset, c in mc.clefs:
        name, approximate = clef_name(c)
        if approximate:
            what = spaced_name(type(c).__name__).replace(" clef", "")
            report.add(f"{what} clefs were replaced by the {name} clef", number)
        if offset == 0:
            at_start = name
        else:
            later = name
            report.add("clef changes within a bar were moved to the next bar", number)
    return at_start, later


def instrument_of(p: stream.Part) -> str:
    """Our instrument name for a part.

    A specific instrument named in the file wins; a generic one (a MIDI patch such
    as "String Ensemble 1") gives way to the part name ("Violin I"). Names are
    music21's canonical ones so they survive a round trip through our own export.
    """
    inst = p.getInstrument(returnDefault=False)
    candidates: list[Any] = []
    if inst is not None:
        if inst.instrumentName:
            candidates.append(_known_instrument(str(inst.instrumentName)))
        if type(inst) not in GENERIC_CLASSES:
            candidates.append(type(inst))
    if p.partName:
        candidates.append(_known_instrument(str(p.partName)))
    for found in candidates:
        if found is not None:
            return str(found().instrumentName).lower()[:64]
    if inst is not None and inst.instrumentName and not GENERIC.match(str(inst.instrumentName)):
        return str(inst.instrumentName).lower()[:64]
    return "piano"


def to_concert_pitch(p: stream.Part, report: Report) -> int:
    """Convert the part's pitches, keys and chord symbols to concert pitch in place;
    returns the transposition (semitones written -> sounding) the file declares.

    Only a <transpose> in the file counts (MusicXML: without one, written is
    sounding). music21 also gives instruments it recognises by name a default
    transposition (any "Trumpet" is in B-flat) and, when the file then says
    otherwise, keeps both instruments; its own toSoundingPitch then moves the key
    by one and the notes by the other. So the declared one is applied here.
    """
    semitones = 0
    if p.atSoundingPitch is False:
        instruments = list(p.getElementsByClass(m21_instrument.Instrument))
        first = [i for i in instruments if p.elementOffset(i) == p.elementOffset(instruments[0])]
        declared = first[-1].transposition if first else None
        if declared is not None and declared.semitones:
            p.transpose(declared, inPlace=True)
            semitones = max(-36, min(36, int(declared.semitones)))
        later = {
            i.transposition.semitones if i.transposition is not None else 0
            for i in instruments[len(first) :]
        }
        if later - {semitones}:
            report.general(
                f"{p.partName or 'a part'} changes transposing instrument; the first "
                "transposition is used throughout"
            )
    for container in p.recurse(streamsOnly=True, includeSelf=True):
        container.atSoundingPitch = True
    for ottava in p[spanner.Ottava]:
        ottava.performTransposition()  # 8va lines written out at sounding pitch
    return semitones


GENERIC = re.compile(r"^(instrument|part|staff|track)\s*\d*$", re.IGNORECASE)


def _known_instrument(name: str) -> Any:
    """The music21 instrument class ``name`` stands for, or None."""
    try:
        found = m21_instrument.fromString(name)
    except Exception:  # noqa: BLE001 - fromString raises on anything it does not know
        return None
    return type(found) if type(found) not in GENERIC_CLASSES else None


GENERIC_CLASSES = (
    m21_instrument.Instrument,
    m21_instrument.StringInstrument,
    m21_instrument.KeyboardInstrument,
    m21_instrument.WoodwindInstrument,
    m21_instrument.BrassInstrument,
    m21_instrument.Percussion,
    m21_instrument.PitchedPercussion,
    m21_instrument.UnpitchedPercussion,
    m21_instrument.Vocalist,
    m21_instrument.Conductor,
)
