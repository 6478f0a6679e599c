"""What a MusicXML file holds by its own text, to name what music21 drops while parsing
(it reads a slur whose two ends are in different voices as no slur at all).

Pure: no music21.
"""

from __future__ import annotations

import io
import re
import zipfile

SLUR_START = re.compile(rb"<slur\b[^>]*\btype\s*=\s*[\"']start[\"']")


def musicxml_text(data: bytes, fmt: str) -> bytes:
    """The score's XML: ``data`` itself, or the largest score file of an .mxl archive."""
    if fmt != "mxl":
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [
                n for n in archive.namelist()
                if not n.startswith("META-INF/") and n.endswith((".xml", ".musicxml"))
            ]  # fmt: skip
            if not names:
                return b""
            biggest = max(names, key=lambda n: archive.getinfo(n).file_size)
            return archive.read(biggest)
    except (zipfile.BadZipFile, KeyError, OSError):
        return b""


def slur_starts(xml: bytes) -> int:
    """How many slurs the file starts (``<slur type="start">``)."""
    return len(SLUR_START.findall(xml))
