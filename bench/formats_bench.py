"""Formats benchmark: import (isolated child process and in-process), MusicXML export and
SVG engraving on corpus files, each against plain music21 / Verovio on the same file.

Run: ``.venv/bin/python -m bench.formats_bench`` (``--repeats 5`` by default; ``--quick``
for one repeat). Baselines, measured in the same run: music21's own parse of the file
(for import), music21's own MusicXML writer on that parse (for export), and Verovio
rendering the original file (for engraving). Writes ``docs/benchmarks/formats.md``.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
import warnings
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import verovio
from music21 import converter, corpus
from music21.musicxml import m21ToXml

from server.formats import export_score, import_score, render_svg, sandbox
from server.formats.render import OPTIONS

REPO = Path(__file__).resolve().parent.parent
WORKS = [
    ("Bach chorale BWV 66.6 (4 parts, 10 bars)", "bach/bwv66.6"),
    ("Mozart K. 155/i (string quartet, 119 bars)", "mozart/k155/movement1"),
    ("Joplin, Maple Leaf Rag (piano, 85 bars)", "joplin/maple_leaf_rag"),
]


def median_ms(action: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bare_parse(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return converter.parse(path, forceSource=True)


def bare_render(data: bytes, path: Path) -> str:
    toolkit = verovio.toolkit()
    toolkit.setOptions(OPTIONS)
    if path.suffix == ".mxl":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inner = next(
                n for n in archive.namelist() if n.endswith("xml") and not n.startswith("META")
            )
            data = archive.read(inner)
    toolkit.loadData(data.decode())
    return str(toolkit.renderToSVG(1))


def cold_import_ms(data: bytes, name: str, repeats: int) -> float:
    """Isolated import with no warm child: start Python, import music21, parse, read."""
    sandbox.KEEP_SPARE = False
    sandbox.stop_spare()
    try:
        return median_ms(lambda: import_score(data, name), repeats)
    finally:
        sandbox.KEEP_SPARE = True


def warm_import_ms(data: bytes, name: str, repeats: int, spare_wait: float) -> float:
    """Isolated import as an upload after a pause: the spare child is ready and waiting."""
    import_score(data, name)  # makes sure a spare is on its way
    times = []
    for _ in range(repeats):
        time.sleep(spare_wait)  # not timed: the spare imports music21 and warms up
        start = time.perf_counter()
        import_score(data, name)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(repeats: int, spare_wait: float) -> list[dict[str, Any]]:
    verovio.enableLog(verovio.LOG_OFF)
    rows = []
    for label, name in WORKS:
        path = Path(str(corpus.getWork(name)))
        data = path.read_bytes()
        doc = import_score(data, path.name).doc  # warm caches once
        parsed = bare_parse(path)
        row = {
            "label": label,
            "bare_parse": median_ms(lambda: bare_parse(path), repeats),  # noqa: B023
            "cold": cold_import_ms(data, path.name, repeats),
            "isolated": warm_import_ms(data, path.name, repeats, spare_wait),
            "in_process": median_ms(
                lambda: import_score(data, path.name, isolated=False),  # noqa: B023
                repeats,
            ),
            "bare_export": median_ms(
                lambda: m21ToXml.GeneralObjectExporter(parsed).parse(),  # noqa: B023
                repeats,
            ),
            "export": median_ms(lambda: export_score(doc, "musicxml"), repeats),  # noqa: B023
            "midi": median_ms(lambda: export_score(doc, "midi"), repeats),  # noqa: B023
            "bare_render": median_ms(lambda: bare_render(data, path), repeats),  # noqa: B023
            "render": median_ms(lambda: render_svg(doc), repeats),  # noqa: B023
        }
        rows.append(row)
        print(label, {k: round(v) for k, v in row.items() if k != "label"}, flush=True)
    return rows


def write_report(rows: list[dict[str, Any]], repeats: int, command: str) -> Path:
    def ms(x: float) -> str:
        return f"{x:,.0f} ms"

    lines = [
        "# Formats benchmark",
        "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[1]:.1f} at the end "
        f"(other jobs share the machine), run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        f"Medians of {repeats} runs; ratios are against the baseline measured in the same "
        "run, on the same file: compare within a row.",
        "",
        "## Import",
        "",
        "Baseline: music21's own `converter.parse` of the file in this process. *Isolated* "
        "is `import_score` as uploads use it: the child process that was started ahead "
        "(music21 imported and warmed up; the benchmark waits for it between runs, "
        "untimed) parses, reads into a document and sends it back as JSON, then "
        "validation. *Cold* is the same with no spare: each import starts Python and "
        "imports music21 first (`TUTTI_IMPORT_SPARE=0`, or back-to-back imports). "
        "*In-process* skips the child (trusted files only).",
        "",
        "| file | music21 parse (baseline) | import, isolated | isolated, cold "
        "| import, in-process |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        base = r["bare_parse"]
        lines.append(
            f"| {r['label']} | {ms(base)} | {ms(r['isolated'])} ({r['isolated'] / base:.2f}x) "
            f"| {ms(r['cold'])} ({r['cold'] / base:.2f}x) "
            f"| {ms(r['in_process'])} ({r['in_process'] / base:.2f}x) |"
        )
    lines += [
        "",
        "## Export",
        "",
        "Baseline: music21's own MusicXML writer on its parse of the file (with its "
        "default `makeNotation`). Ours builds the music21 score from the document, runs "
        "`makeNotation`, writes MusicXML and stamps note IDs.",
        "",
        "| file | music21 writer (baseline) | export MusicXML | export MIDI |",
        "|---|---|---|---|",
    ]
    for r in rows:
        base = r["bare_export"]
        lines.append(
            f"| {r['label']} | {ms(base)} | {ms(r['export'])} ({r['export'] / base:.2f}x) "
            f"| {ms(r['midi'])} ({r['midi'] / base:.2f}x) |"
        )
    lines += [
        "",
        "## Engraving (page 1 as SVG)",
        "",
        "Baseline: Verovio loading the original file and rendering page 1. Ours exports "
        "MusicXML from the document first, then the same.",
        "",
        "| file | Verovio on the file (baseline) | `render_svg` |",
        "|---|---|---|",
    ]
    for r in rows:
        base = r["bare_render"]
        lines.append(
            f"| {r['label']} | {ms(base)} | {ms(r['render'])} ({r['render'] / base:.2f}x) |"
        )
    lines += [
        "",
        "The isolated import's extra cost over in-process is JSON both ways and a first "
        "parse in a fresh process; cold adds the interpreter start and music21's import. "
        "Isolation buys the time limit and a clean kill. Export and engraving are "
        "dominated by music21's `makeNotation` (beams, accidentals), which the MusicXML "
        "needs to display right.",
        "",
    ]
    out = REPO / "docs" / "benchmarks" / "formats.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one repeat, for a smoke run")
    parser.add_argument(
        "--spare-wait", type=float, default=4.0, help="seconds to let the spare child warm up"
    )
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    rows = run(repeats, args.spare_wait)
    command = ".venv/bin/python -m bench.formats_bench " + " ".join(sys.argv[1:])
    print("wrote", write_report(rows, repeats, command.strip()))


if __name__ == "__main__":
    main()
