"""Score files in and out: MusicXML (.musicxml/.xml/.mxl), MIDI and ABC, plus SVG engraving.

music21 and verovio may be imported only inside this package; callers get plain
documents (``server.score`` shape), bytes, strings and ``FormatError``. music21 is
loaded lazily, so importing this package stays cheap.
"""

from __future__ import annotations

from ..score.model import Doc
from .errors import FormatError
from .importing import ImportResult, detect_format, import_score

EXPORT_FORMATS = ("musicxml", "mxl", "midi")


def export_score(doc: Doc, fmt: str) -> bytes:
    """The document as ``musicxml`` (uncompressed), ``mxl`` (compressed) or ``midi`` bytes."""
    from . import writer

    if fmt == "musicxml":
        return writer.musicxml_bytes(doc)
    if fmt == "mxl":
        return writer.mxl_bytes(doc)
    if fmt == "midi":
        return writer.midi_bytes(doc)
    raise FormatError("unsupported_format", f"cannot export {fmt!r}: use one of {EXPORT_FORMATS}")


def render_svg(doc: Doc, *, page: int = 1) -> str:
    """Page ``page`` of the engraved score as SVG; note IDs are kept as SVG element ids."""
    from .render import render_svg as _render

    return _render(doc, page=page)


__all__ = [
    "EXPORT_FORMATS",
    "FormatError",
    "ImportResult",
    "detect_format",
    "export_score",
    "import_score",
    "render_svg",
]
