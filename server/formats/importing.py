"""Import entry: size and format checks here, parsing in a child process with a time limit
(``sandbox.py`` runs it, ``worker.py`` is the child), validation of the result here.

Imports no music21.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from ..score import check_invariants
from ..score.errors import ScoreError
from ..score.ops.structure import clean_document
from .errors import FormatError
from .sandbox import run_job

log = logging.getLogger(__name__)

EXTENSIONS = {
    ".musicxml": "musicxml",
    ".xml": "musicxml",
    ".mxl": "mxl",
    ".mid": "midi",
    ".midi": "midi",
    ".abc": "abc",
}
# Compressed MusicXML inflates ~10-20x; past this ratio of the size limit it is refused.
MXL_INFLATION = 20


@dataclass
class ImportResult:
    """A document valid for ``server.score`` and what was dropped or approximated."""

    doc: dict[str, Any]
    report: list[str]


def detect_format(data: bytes, filename: str) -> str:
    """``musicxml``, ``mxl``, ``midi`` or ``abc``, from the content's magic or the extension."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04"):
        return "mxl"
    if head.startswith(b"MThd"):
        return "midi"
    suffix = Path(filename).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    if head.startswith(b"<") and (
        b"score-partwise" in data[:4096] or b"score-timewise" in data[:4096]
    ):
        return "musicxml"
    if head.startswith((b"X:", b"%abc")):
        return "abc"
    shown = suffix or "(no extension)"
    raise FormatError(
        "unsupported_format",
        f"cannot import {shown} files: use MusicXML (.musicxml, .xml, .mxl), MIDI (.mid) or ABC",
    )


def _megabytes(size: int) -> str:
    """A size as people read it: ``6.0 MB``, ``120 kB``, ``900 bytes``."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size // 1_000} kB"
    return f"{size} bytes"


def check_limits(data: bytes, fmt: str, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise FormatError(
            "file_too_large",
            f"the file is {_megabytes(len(data))}; the limit is {_megabytes(max_bytes)}",
        )
    if not data.strip():
        raise FormatError("empty_score", "the file is empty")
    if fmt == "mxl":
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                inflated = sum(info.file_size for info in archive.infolist())
                names = archive.namelist()
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise FormatError(
                "malformed_file", f"the .mxl archive is damaged or truncated: {exc}"
            ) from exc
        if inflated > max_bytes * MXL_INFLATION:
            raise FormatError(
                "file_too_large",
                f"the .mxl archive unpacks to {_megabytes(inflated)}; the limit is "
                f"{_megabytes(max_bytes * MXL_INFLATION)}",
            )
        scores = [n for n in names if n.lower().endswith((".xml", ".musicxml"))]
        if not [n for n in scores if not n.upper().startswith("META-INF/")]:
            raise FormatError("malformed_file", "the .mxl archive holds no MusicXML score")


def import_score(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = 5_000_000,
    timeout_s: float = 20.0,
    isolated: bool = True,
) -> ImportResult:
    """Read a MusicXML, compressed MusicXML, MIDI or ABC file into a Tutti document.

    ``isolated=False`` parses in this process, without the time limit: only for
    trusted files in tools and tests, never for uploads.
    """
    fmt = detect_format(data, filename)
    check_limits(data, fmt, max_bytes)
    if isolated:
        answer = run_job(data, fmt, Path(filename).name, timeout_s)
    else:
        from .worker import answer_for

        answer = answer_for(data, fmt, Path(filename).name)
    if "code" in answer:
        raise FormatError(str(answer["code"]), str(answer["message"]))
    try:
        doc = clean_document(answer["doc"])
    except ScoreError as exc:
        raise FormatError("malformed_file", f"the file was read but not understood: {exc}") from exc
    problems = check_invariants(doc)
    if problems:
        raise FormatError("malformed_file", f"the file was read but not understood: {problems[0]}")
    return ImportResult(doc=doc, report=[str(line) for line in answer["report"]])
