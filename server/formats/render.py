"""Engraving a document as SVG with Verovio (from our MusicXML, so note IDs become SVG ids).

The one module that imports verovio.
"""

from __future__ import annotations

import verovio

from ..score.model import Doc
from .errors import FormatError
from .writer import musicxml_bytes

OPTIONS = {
    "xmlIdSeed": 1,  # deterministic ids for the elements we do not name
    "adjustPageHeight": True,
    "breaks": "auto",
    "scale": 40,
    "footer": "none",
    "header": "none",
}


def render_svg(doc: Doc, *, page: int = 1) -> str:
    """Page ``page`` (1-based) of the engraved score as an SVG string."""
    verovio.enableLog(verovio.LOG_OFF)
    toolkit = verovio.toolkit()
    toolkit.setOptions(OPTIONS)
    if not toolkit.loadData(musicxml_bytes(doc).decode("utf-8")):
        raise FormatError("malformed_file", "the engraver could not read the score")
    pages = toolkit.getPageCount()
    if not 1 <= page <= pages:
        raise ValueError(f"page must be 1..{pages}, got {page}")
    return str(toolkit.renderToSVG(page))
