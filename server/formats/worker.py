"""The child process that parses an uploaded file with music21 and reads it into a document.

Run as ``python -m server.formats.worker``; reads a JSON header line
``{"format", "filename"}`` and then the file on stdin, prints one JSON object on
stdout: ``{"doc", "report"}`` or ``{"code", "message"}``.
Isolated so that a slow or hostile file can be killed without harming the server.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import traceback
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

from .errors import FormatError
from .raw_counts import musicxml_text, slur_starts
from .report import Report

MEMORY_LIMIT = 3 * 1024**3
EXTENSIONS = {"musicxml": "musicxml", "mxl": "mxl", "midi": "mid", "abc": "abc"}
MIDI_NOTE = "MIDI files carry no pitch spelling or voices: spelling and voices were guessed"
MIDI_QUANTISED = (
    "the MIDI file's rhythms are not exact (a live recording?): they were quantised to "
    "sixteenths and eighth-note triplets"
)
# An exact (machine-written) MIDI file has every onset and length on this grid, in
# quarter notes: 32nds and sixteenth-note triplets.
MIDI_GRID = Fraction(1, 24)


def parse_and_read(data: bytes, fmt: str, filename: str) -> dict[str, Any]:
    """Parse ``data`` (in format ``fmt``) and read it; FormatError on refusal."""
    from music21 import converter

    from .reader import read_score

    report = Report()
    if fmt == "abc":
        data = _first_abc_tune(data, report)
    with tempfile.TemporaryDirectory(prefix="tutti-import-") as tmp:
        path = Path(tmp) / f"score.{EXTENSIONS[fmt]}"
        path.write_bytes(data)
        m21_format = "musicxml" if fmt in ("musicxml", "mxl") else fmt
        try:
            # music21 warns about the file's own quirks (a missing voice tag...); what
            # we cannot keep is reported by the reader instead.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if fmt == "midi":
                    parsed = _parse_midi(path, report)
                else:
                    parsed = converter.parse(path, format=m21_format, forceSource=True)
        except Exception as exc:  # noqa: BLE001 - any parser failure is the file's fault
            raise FormatError("malformed_file", _unreadable(fmt, exc)) from exc
    title = Path(filename).stem or "Imported score"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = read_score(parsed, report, fallback_title=title)
    if fmt in ("musicxml", "mxl"):
        _report_unread_slurs(data, fmt, parsed, report)
    return {"doc": doc, "report": report.lines()}


def _report_unread_slurs(data: bytes, fmt: str, parsed: Any, report: Report) -> None:
    """Slurs the file writes that music21 never made into slurs (ends in two voices)."""
    from music21 import spanner, stream

    if isinstance(parsed, stream.Opus):
        return  # only the first tune is imported; the file's count is of them all
    parts = getattr(parsed, "parts", [])
    read = {id(s) for p in parts for s in p.spannerBundle if isinstance(s, spanner.Slur)}
    lost = slur_starts(musicxml_text(data, fmt)) - len(read)
    if lost > 0:
        report.add("slurs music21 could not read (ends in two voices) were dropped", count=lost)


def _parse_midi(path: Path, report: Report) -> Any:
    """A MIDI file as written when it is exact; quantised (music21's way) when it is not.

    music21's quantiser stretches notes to fill the gap to the next onset, which helps
    a live recording but turns an exact triplet quarter into a dotted eighth.
    """
    from music21 import converter

    report.general(MIDI_NOTE)
    raw = converter.parse(path, format="midi", quantizePost=False, forceSource=True)
    if _on_grid(raw):
        return raw
    report.general(MIDI_QUANTISED)
    return converter.parse(path, format="midi", quantizePost=True, forceSource=True)


def _on_grid(score: Any) -> bool:
    for part in score.parts:
        for n in part.flatten().notesAndRests:
            for value in (n.offset, n.duration.quarterLength):
                if (Fraction(value) / MIDI_GRID).denominator != 1:
                    return False
    return True


def _first_abc_tune(data: bytes, report: Report) -> bytes:
    """The file header and its first tune only: collections of hundreds of tunes
    (Essen, Ryan's Mammoth) would otherwise all be parsed to keep one."""
    starts = [m.start() for m in re.finditer(rb"(?m)^X:", data)]
    if len(starts) <= 1:
        return data
    report.general(f"the file holds {len(starts)} tunes; only the first was imported")
    return data[: starts[1]]


FORMAT_NAMES = {"musicxml": "MusicXML", "mxl": "MusicXML", "midi": "MIDI", "abc": "ABC"}


def _unreadable(fmt: str, exc: BaseException) -> str:
    """Why a file could not be parsed, for a musician: the parser's own words only where
    they speak of the file (an XML syntax position, a MusicXML complaint), never Python's
    ("a bytes-like object is required, not 'NoneType'")."""
    name = FORMAT_NAMES.get(fmt, fmt)
    text = f"the file could not be read as {name}: it is damaged or not a {name} file"
    kind = type(exc).__name__
    if kind == "ParseError" or "MusicXML" in kind:
        text += f" ({_reason(exc)})"
    return text


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first[:300]


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass  # not every platform allows it; the time limit still applies


def answer_for(data: bytes, fmt: str, filename: str) -> dict[str, Any]:
    """The worker's answer for one file; never raises (a refusal is an answer too)."""
    try:
        return parse_and_read(data, fmt, filename)
    except FormatError as exc:
        return {"code": exc.code, "message": exc.message}
    except MemoryError:
        return {"code": "file_too_large", "message": "the file needs too much memory to read"}
    except RecursionError:
        return {"code": "malformed_file", "message": "the file is nested too deeply to read"}
    except Exception:  # noqa: BLE001 - never a raw traceback to the user
        traceback.print_exc()  # to stderr, which the parent logs
        return {
            "code": "malformed_file",
            # The details are in the server log (above); the musician gets plain words.
            "message": "the file was read but something in it could not be converted",
        }


WARM_UP = b"""<?xml version="1.0"?><score-partwise version="4.0"><part-list>
<score-part id="P1"><part-name>Warm-up</part-name></score-part></part-list><part id="P1">
<measure number="1"><attributes><divisions>1</divisions><key><fifths>0</fifths></key>
<time><beats>4</beats><beat-type>4</beat-type></time><clef><sign>G</sign><line>2</line></clef>
</attributes><harmony><root><root-step>C</root-step></root><kind>major</kind></harmony>
<note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration><type>half</type>
<lyric number="1"><text>la</text></lyric></note><note><pitch><step>E</step><octave>4</octave>
</pitch><duration>2</duration><type>half</type></note><note><chord/><pitch><step>G</step>
<octave>4</octave></pitch><duration>2</duration><type>half</type></note></measure></part>
</score-partwise>"""


def _preload() -> None:
    """Import and exercise what every job needs before the job arrives (this child may
    be a spare): music21 loads much of itself lazily on the first parse."""
    from music21.abcFormat import translate as abc_translate  # noqa: F401
    from music21.midi import translate as midi_translate  # noqa: F401

    answer_for(WARM_UP, "musicxml", "warm-up.musicxml")


def main() -> None:
    # music21 may print; keep the real stdout for our one JSON answer.
    answer = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    _limit_memory()
    _preload()
    header = sys.stdin.buffer.readline()
    if not header.strip():
        return  # the parent went away before giving this spare a job
    job = json.loads(header)
    data = sys.stdin.buffer.read()
    json.dump(answer_for(data, str(job["format"]), str(job["filename"])), answer)
    answer.close()
    sys.stderr.flush()
    # The parent waits for our stderr to close; tearing down music21's object graph
    # takes longer than the parse itself, and nothing is left to clean up.
    os._exit(0)


if __name__ == "__main__":
    main()
